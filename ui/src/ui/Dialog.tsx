// The one dialog look: a modal Radix Dialog with a title bar, a scrolling body and a footer of
// buttons. Focus starts on the first field and is trapped inside; Escape and the close button
// cancel; focus returns to the control that opened it.
import * as RadixDialog from "@radix-ui/react-dialog";
import { X } from "lucide-react";
import { useRef, type ComponentProps, type FormEvent, type ReactNode } from "react";
import { buttonClass } from "./button";

export type DialogTone = "default" | "warning" | "danger";

const TONE_BAR: Record<DialogTone, string> = {
  default: "",
  warning: "border-t-4 border-t-warning",
  danger: "border-t-4 border-t-error",
};

export function Dialog({
  open,
  onOpenChange,
  title,
  icon,
  description,
  children,
  footer,
  testId,
  width = "max-w-lg",
  tone = "default",
  onOpenAutoFocus,
  onSubmit,
  returnFocus,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: ReactNode;
  icon?: ReactNode;
  /** One line under the title; read out when the dialog opens. */
  description?: ReactNode;
  children: ReactNode;
  footer?: ReactNode;
  testId?: string;
  /** A Tailwind max-width class. */
  width?: string;
  tone?: DialogTone;
  onOpenAutoFocus?: ComponentProps<typeof RadixDialog.Content>["onOpenAutoFocus"];
  /** Where the focus goes when the dialog closes, if not back to what had it before (e.g. a menu item that is gone). */
  returnFocus?: HTMLElement | null;
  /** Makes body and footer one <form>: Enter in a field submits, the footer's submit button too. */
  onSubmit?: () => void;
}) {
  // What had the focus when the dialog opened. Radix would return the focus to a Dialog.Trigger,
  // and these dialogs are opened from menus, buttons and other dialogs instead.
  const opener = useRef<HTMLElement | null>(null);
  const main = (
    <>
      <div className="min-h-0 flex-1 overflow-auto px-4 py-3">{children}</div>
      {footer ? (
        <div className="flex shrink-0 flex-wrap items-center gap-2 border-t border-line bg-raised px-4 py-2.5">
          {footer}
        </div>
      ) : null}
    </>
  );
  return (
    <RadixDialog.Root open={open} onOpenChange={onOpenChange}>
      <RadixDialog.Portal>
        <RadixDialog.Overlay className="fixed inset-0 z-50 bg-[rgb(0_0_0/0.45)] dark:bg-[rgb(0_0_0/0.6)]" />
        <RadixDialog.Content
          data-testid={testId}
          onOpenAutoFocus={(e) => {
            opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
            onOpenAutoFocus?.(e);
          }}
          onCloseAutoFocus={(e) => {
            const target = returnFocus ?? opener.current;
            if (target?.isConnected) {
              e.preventDefault();
              target.focus();
            }
          }}
          {...(description ? {} : { "aria-describedby": undefined })}
          className={
            "fixed top-1/2 left-1/2 z-50 flex max-h-[calc(100vh-2rem)] w-[calc(100vw-2rem)] -translate-x-1/2 " +
            "-translate-y-1/2 flex-col overflow-hidden rounded-md border border-line-strong bg-surface text-fg " +
            `shadow-2xl focus-visible:outline-none ${width} ${TONE_BAR[tone]}`
          }
        >
          <div className="flex shrink-0 items-start gap-2 border-b border-line px-4 py-2.5">
            {icon ? <span className="mt-0.5 shrink-0">{icon}</span> : null}
            <div className="min-w-0 flex-1">
              <RadixDialog.Title className="text-lg font-semibold leading-6">{title}</RadixDialog.Title>
              {description ? (
                <RadixDialog.Description className="text-sm text-muted">{description}</RadixDialog.Description>
              ) : null}
            </div>
            {/* Room for the close button, which comes last in the tab order (see below). */}
            <span aria-hidden className="size-7 shrink-0" />
          </div>
          {onSubmit ? (
            <form
              noValidate
              className="flex min-h-0 flex-1 flex-col"
              onSubmit={(e: FormEvent) => {
                e.preventDefault();
                onSubmit();
              }}
            >
              {main}
            </form>
          ) : (
            main
          )}
          {/* Last in the DOM so the first field, not the close button, gets the focus on open. */}
          <RadixDialog.Close
            className={buttonClass("ghost", "absolute top-2 right-2.5 size-7")}
            aria-label="Close"
            title="Close (Esc)"
          >
            <X aria-hidden className="size-4" />
          </RadixDialog.Close>
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}
