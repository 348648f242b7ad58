// Tooltips, and the rule that a disabled control always says why it is disabled.
import * as RadixTooltip from "@radix-ui/react-tooltip";
import { cloneElement, useId, type ReactElement, type ReactNode } from "react";

export const TooltipProvider = RadixTooltip.Provider;

export function Tooltip({ content, children }: { content: ReactNode; children: ReactElement }) {
  return (
    <RadixTooltip.Root>
      <RadixTooltip.Trigger asChild>{children}</RadixTooltip.Trigger>
      <RadixTooltip.Portal>
        <RadixTooltip.Content
          side="bottom"
          sideOffset={6}
          collisionPadding={8}
          className="z-50 max-w-72 rounded border border-line-strong bg-raised px-2 py-1 text-sm text-fg shadow-lg"
        >
          {content}
        </RadixTooltip.Content>
      </RadixTooltip.Portal>
    </RadixTooltip.Root>
  );
}

type ReasonTarget = ReactElement<{
  disabled?: boolean;
  "aria-describedby"?: string;
  "data-disabled-reason"?: string;
}>;

/**
 * Renders `children` (a button) disabled when `reason` is set, with the reason on hover
 * and on keyboard focus. A disabled button gets no pointer or focus events, so the
 * tooltip hangs on a focusable wrapper instead.
 */
export function DisabledReason({
  reason,
  children,
  className = "",
}: {
  reason: string | null;
  children: ReasonTarget;
  className?: string;
}) {
  const id = useId();
  if (reason === null) return children;
  const button = cloneElement(children, {
    disabled: true,
    "aria-describedby": id,
    "data-disabled-reason": reason,
  });
  return (
    <Tooltip content={reason}>
      <span tabIndex={0} className={`inline-flex rounded ${className}`} aria-describedby={id}>
        {button}
        <span id={id} className="sr-only">
          {reason}
        </span>
      </span>
    </Tooltip>
  );
}
