// The guest's toolbar, as in the PVE web UI: Start, Shutdown, Reboot, Stop, and Reset / Pause /
// Resume under "More". Each button is disabled with its reason: the cluster does not answer
// (its state is the last known one), the guest is a template or locked, its status does not
// allow it, the login lacks the privilege. Destructive actions ask first. What started goes to the task bar.
import * as Menu from "@radix-ui/react-dropdown-menu";
import { ChevronDown, Pause, Play, Power, RotateCcw, Square, Zap } from "lucide-react";
import type { ReactNode } from "react";
import type { PowerAction } from "@/backend";
import { buttonClass } from "@/ui/button";
import { ErrorNotice } from "@/ui/ErrorNotice";
import { DisabledReason } from "@/ui/Tooltip";
import { guestLabel, POWER_ACTIONS, type PowerActionInfo, type PowerTarget } from "./power";
import { usePowerRunner } from "./usePowerRunner";

export const POWER_ICONS: Record<PowerAction, ReactNode> = {
  start: <Play aria-hidden className="size-3.5 text-running" />,
  shutdown: <Power aria-hidden className="size-3.5" />,
  reboot: <RotateCcw aria-hidden className="size-3.5" />,
  stop: <Square aria-hidden className="size-3.5 text-error" />,
  reset: <Zap aria-hidden className="size-3.5" />,
  suspend: <Pause aria-hidden className="size-3.5" />,
  resume: <Play aria-hidden className="size-3.5" />,
};

export function GuestToolbar({
  connectionId,
  node,
  target,
}: {
  connectionId: string;
  node: string;
  target: PowerTarget;
}) {
  const runner = usePowerRunner(connectionId, node, target);
  const applicable = POWER_ACTIONS.filter((a) => !(a.action === "reset" && target.kind === "lxc"));
  const more = applicable.filter((a) => !a.primary);

  return (
    <div className="space-y-2">
      <div
        role="toolbar"
        aria-label={`Actions on ${guestLabel(target)}`}
        className="flex flex-wrap items-center gap-1.5"
        data-testid="guest-toolbar"
      >
        {applicable
          .filter((a) => a.primary)
          .map((a) => (
            <DisabledReason key={a.action} reason={runner.reasonFor(a.action)}>
              <button
                type="button"
                data-testid={`guest-action-${a.action}`}
                className={buttonClass("secondary", "h-7 px-2.5")}
                onClick={() => runner.choose(a)}
              >
                {POWER_ICONS[a.action]}
                {a.label}
              </button>
            </DisabledReason>
          ))}
        <Menu.Root modal={false}>
          <Menu.Trigger asChild>
            <button type="button" data-testid="guest-action-more" className={buttonClass("secondary", "h-7 px-2.5")}>
              More
              <ChevronDown aria-hidden className="size-3.5" />
            </button>
          </Menu.Trigger>
          <Menu.Portal>
            <Menu.Content
              align="start"
              sideOffset={4}
              className="z-50 min-w-56 rounded-md border border-line-strong bg-surface p-1 text-sm text-fg shadow-xl"
            >
              {more.map((a) => (
                <PowerMenuItem key={a.action} info={a} reason={runner.reasonFor(a.action)} onSelect={() => runner.choose(a)} />
              ))}
            </Menu.Content>
          </Menu.Portal>
        </Menu.Root>
      </div>
      {runner.error ? (
        <div data-testid="guest-action-error">
          <ErrorNotice error={runner.error} title={`Could not ${runner.failedAction ?? "act on"} ${guestLabel(target)}`} />
        </div>
      ) : null}
      {runner.started ? (
        <p role="status" data-testid="guest-action-started" className="text-sm text-muted">
          {runner.started.description} started on {runner.started.node}: follow it in the task bar below.
        </p>
      ) : null}
      {runner.dialog}
    </div>
  );
}

/** A power action as a menu item: disabled with its reason under the label. */
export function PowerMenuItem({
  info,
  reason,
  onSelect,
}: {
  info: PowerActionInfo;
  reason: string | null;
  onSelect: () => void;
}) {
  return (
    <Menu.Item
      data-testid={`guest-action-${info.action}`}
      disabled={reason !== null}
      data-disabled-reason={reason ?? undefined}
      onSelect={onSelect}
      className="flex cursor-default items-start gap-2 rounded px-2 py-1 outline-none data-[disabled]:opacity-60 data-[highlighted]:bg-accent-soft"
    >
      <span className="mt-0.5 text-muted">{POWER_ICONS[info.action]}</span>
      <span className="flex flex-col">
        <span>{info.label}</span>
        {reason ? <span className="max-w-72 text-xs text-muted">{reason}</span> : null}
      </span>
    </Menu.Item>
  );
}
