// Running a power action with PVE's confirmation where it asks: shared by the guest's toolbar
// and its context menu (tree and table). The confirmation dialog belongs to the runner, so it
// stays open after a menu that chose the action has closed.
import { useState, type ReactNode } from "react";
import type { PowerAction, TrackedTask } from "@/backend";
import { useFreshness } from "@/features/inventory/freshness";
import { useGuestActionGate } from "@/features/permissions/gate";
import { buttonClass } from "@/ui/button";
import { Dialog } from "@/ui/Dialog";
import { confirmText, guestLabel, powerBlocked, type PowerActionInfo, type PowerTarget } from "./power";
import { useGuestPower } from "./queries";

export interface PowerRunner {
  /** Why `action` cannot run now (cluster not answering, state, lock, privilege), or null. */
  reasonFor: (action: PowerAction) => string | null;
  /** Runs it, after asking when PVE would ask. */
  choose: (info: PowerActionInfo) => void;
  pending: boolean;
  error: unknown;
  failedAction: PowerAction | null;
  started: TrackedTask | null;
  reset: () => void;
  /** The confirmation dialog: render it somewhere that stays mounted. */
  dialog: ReactNode;
}

export function usePowerRunner(connectionId: string, node: string, target: PowerTarget): PowerRunner {
  const freshness = useFreshness(connectionId);
  // The login's privileges on /vms/<vmid>: a missing VM.PowerMgmt is said before the click.
  const privileges = useGuestActionGate(connectionId, target.vmid);
  const power = useGuestPower();
  const [asking, setAsking] = useState<PowerActionInfo | null>(null);
  const [started, setStarted] = useState<TrackedTask | null>(null);

  const reasonFor = (action: PowerAction) =>
    power.isPending
      ? "An action is being sent…"
      : (freshness.actionsBlocked ?? powerBlocked(action, target) ?? privileges(action));
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
  const dialog = (
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
  );
  return {
    reasonFor,
    choose,
    pending: power.isPending,
    error: power.isError ? power.error : null,
    failedAction: power.isError ? (power.variables?.action ?? null) : null,
    started,
    reset: () => {
      power.reset();
      setStarted(null);
    },
    dialog,
  };
}
