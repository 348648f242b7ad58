// The guest's toolbar, as in the PVE web UI: Start, Shutdown, Reboot, Stop, and Reset / Pause /
// Resume under "More". Each button is disabled with its reason: the cluster does not answer
// (its state is the last known one), the guest is a template or locked, its status does not
// allow it, the login lacks the privilege. Destructive actions ask first. What started goes to the task bar.
import * as Menu from "@radix-ui/react-dropdown-menu";
import { ChevronDown, Pause, Play, Power, RotateCcw, Square, Zap } from "lucide-react";
import { useState, type ReactNode } from "react";
import type { PowerAction, TrackedTask } from "@/backend";
import { useFreshness } from "@/features/inventory/freshness";
import { useGuestActionGate } from "@/features/permissions/gate";
import { buttonClass } from "@/ui/button";
import { Dialog } from "@/ui/Dialog";
import { ErrorNotice } from "@/ui/ErrorNotice";
import { DisabledReason } from "@/ui/Tooltip";
import { confirmText, guestLabel, POWER_ACTIONS, powerBlocked, type PowerActionInfo, type PowerTarget } from "./power";
import { useGuestPower } from "./queries";

const ICONS: Record<PowerAction, ReactNode> = {
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
  const freshness = useFreshness(connectionId);
  // The login's privileges on /vms/<vmid>: a missing VM.PowerMgmt is said before the click.
  const privileges = useGuestActionGate(connectionId, target.vmid);
  const power = useGuestPower();
  const [asking, setAsking] = useState<PowerActionInfo | null>(null);
  const [started, setStarted] = useState<TrackedTask | null>(null);

  const reasonFor = (action: PowerAction) =>
    freshness.actionsBlocked ?? powerBlocked(action, target) ?? privileges(action);
  const run = (info: PowerActionInfo) => {
    setStarted(null);
    power.mutate(
      { connectionId, node, kind: target.kind, vmid: target.vmid, action: info.action },
      { onSuccess: setStarted },
    );
  };
  const choose = (info: PowerActionInfo) => {
    if (confirmText(info, target)) setAsking(info);
    else run(info);
  };
  const applicable = POWER_ACTIONS.filter((a) => !(a.action === "reset" && target.kind === "lxc"));
  const more = applicable.filter((a) => !a.primary);

  return (
    <div className="space-y-2">
      <div role="toolbar" aria-label={`Actions on ${guestLabel(target)}`} className="flex flex-wrap items-center gap-1.5" data-testid="guest-toolbar">
        {applicable
          .filter((a) => a.primary)
          .map((a) => (
            <DisabledReason key={a.action} reason={power.isPending ? "An action is being sent…" : reasonFor(a.action)}>
              <button
                type="button"
                data-testid={`guest-action-${a.action}`}
                className={buttonClass("secondary", "h-7 px-2.5")}
                onClick={() => choose(a)}
              >
                {ICONS[a.action]}
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
              {more.map((a) => {
                const reason = reasonFor(a.action);
                return (
                  <Menu.Item
                    key={a.action}
                    data-testid={`guest-action-${a.action}`}
                    disabled={reason !== null || power.isPending}
                    data-disabled-reason={reason ?? undefined}
                    onSelect={() => choose(a)}
                    className="flex cursor-default items-start gap-2 rounded px-2 py-1 outline-none data-[disabled]:opacity-60 data-[highlighted]:bg-accent-soft"
                  >
                    <span className="mt-0.5 text-muted">{ICONS[a.action]}</span>
                    <span className="flex flex-col">
                      <span>{a.label}</span>
                      {reason ? <span className="text-xs text-muted">{reason}</span> : null}
                    </span>
                  </Menu.Item>
                );
              })}
            </Menu.Content>
          </Menu.Portal>
        </Menu.Root>
      </div>
      {power.isError ? (
        <div data-testid="guest-action-error">
          <ErrorNotice
            error={power.error}
            title={`Could not ${power.variables?.action ?? "act"} ${guestLabel(target)}`}
          />
        </div>
      ) : null}
      {started ? (
        <p role="status" data-testid="guest-action-started" className="text-sm text-muted">
          {started.description} started on {started.node}: follow it in the task bar below.
        </p>
      ) : null}
      <Dialog
        open={asking !== null}
        onOpenChange={(open) => {
          if (!open) setAsking(null);
        }}
        testId="guest-action-confirm"
        tone={asking?.action === "stop" || asking?.action === "reset" ? "danger" : "warning"}
        title={asking ? `${asking.label} ${guestLabel(target)}` : ""}
        onSubmit={() => {
          if (asking) run(asking);
          setAsking(null);
        }}
        footer={
          <>
            <button type="button" className={buttonClass("secondary", "h-8 px-3")} onClick={() => setAsking(null)}>
              Cancel
            </button>
            <button type="submit" data-testid="guest-action-confirm-ok" className={buttonClass("primary", "h-8 px-3")}>
              {asking?.label}
            </button>
          </>
        }
      >
        <p>{asking ? confirmText(asking, target) : null}</p>
      </Dialog>
    </div>
  );
}
