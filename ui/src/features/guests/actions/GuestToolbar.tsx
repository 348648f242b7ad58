// The guest's toolbar, as in the PVE web UI: Start, Shutdown, Reboot, Stop, and Reset / Pause /
// Resume, Clone, Migrate, Manage HA and Remove under "More" (a template's toolbar starts with
// Clone). Each action is disabled with its reason: the cluster does not answer (its state is
// the last known one), the guest is a template or locked, its status does not allow it, the
// login lacks the privilege. Destructive actions ask first. What started goes to the task bar.
import * as Menu from "@radix-ui/react-dropdown-menu";
import { ArrowRightLeft, ChevronDown, Copy, Pause, Play, Power, RotateCcw, ShieldCheck, Square, Trash2, Zap } from "lucide-react";
import { useRef, useState, type ReactNode } from "react";
import type { GuestRef, PowerAction } from "@/backend";
import { useFreshness } from "@/features/inventory/freshness";
import { useGuestActionGate } from "@/features/permissions/gate";
import { buttonClass } from "@/ui/button";
import { ErrorNotice } from "@/ui/ErrorNotice";
import { DisabledReason } from "@/ui/Tooltip";
import { CloneDialog } from "./CloneDialog";
import { DeleteDialog } from "./DeleteDialog";
import { HaDialog } from "./HaDialog";
import { MigrateDialog } from "./MigrateDialog";
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

/** The guest actions that open a dialog of their own. */
export type GuestDialogKind = "clone" | "migrate" | "ha" | "delete";

export interface GuestDialogAction {
  kind: GuestDialogKind;
  label: string;
  icon: ReactNode;
  /** Why it cannot be opened now, or null. */
  reason: string | null;
}

const DIALOG_ICONS: Record<GuestDialogKind, ReactNode> = {
  clone: <Copy aria-hidden className="size-3.5" />,
  migrate: <ArrowRightLeft aria-hidden className="size-3.5" />,
  ha: <ShieldCheck aria-hidden className="size-3.5" />,
  delete: <Trash2 aria-hidden className="size-3.5 text-error" />,
};

export interface GuestDialogs {
  /** Clone…, Migrate…, Manage HA…, Remove…, each with the reason it is disabled. */
  actions: GuestDialogAction[];
  /** Opens a dialog; the focus goes to `returnFocus` when it closes. */
  open: (kind: GuestDialogKind, returnFocus: HTMLElement | null) => void;
  /** The open dialog: render it somewhere that stays mounted after a menu closed. */
  dialog: ReactNode;
}

/**
 * Clone, migrate, HA and remove of one guest, shared by the toolbar and the context menu:
 * each is disabled with its reason (cluster not answering, lock, a running guest for remove,
 * a missing privilege), and opens its dialog.
 */
export function useGuestDialogs(connectionId: string, node: string, target: PowerTarget): GuestDialogs {
  const freshness = useFreshness(connectionId);
  const privileges = useGuestActionGate(connectionId, target.vmid);
  const [opened, setOpened] = useState<{ kind: GuestDialogKind; returnFocus: HTMLElement | null } | null>(null);
  const noun = target.kind === "lxc" ? "container" : "VM";
  const locked = target.lock ? `The ${noun} is locked (${target.lock}): wait for that operation to end` : null;
  const offline = freshness.actionsBlocked;
  const actions: GuestDialogAction[] = [
    { kind: "clone", label: "Clone…", icon: DIALOG_ICONS.clone, reason: offline ?? locked ?? privileges("clone") },
    { kind: "migrate", label: "Migrate…", icon: DIALOG_ICONS.migrate, reason: offline ?? locked ?? privileges("migrate") },
    { kind: "ha", label: "Manage HA…", icon: DIALOG_ICONS.ha, reason: offline ?? privileges("ha") },
    {
      kind: "delete",
      label: "Remove…",
      icon: DIALOG_ICONS.delete,
      reason:
        offline ??
        locked ??
        (target.status === "stopped" || target.template ? null : "Stop the guest first") ??
        privileges("delete"),
    },
  ];
  const guest: GuestRef = { connectionId, node, kind: target.kind, vmid: target.vmid };
  const props = {
    guest,
    target,
    returnFocus: opened?.returnFocus ?? null,
    onClose: () => setOpened(null),
  };
  let dialog: ReactNode = null;
  switch (opened?.kind) {
    case "clone":
      dialog = <CloneDialog {...props} />;
      break;
    case "migrate":
      dialog = <MigrateDialog {...props} />;
      break;
    case "ha":
      dialog = <HaDialog {...props} />;
      break;
    case "delete":
      dialog = <DeleteDialog {...props} />;
      break;
  }
  return {
    actions,
    open: (kind, returnFocus) => {
      if (actions.find((a) => a.kind === kind)?.reason === null) setOpened({ kind, returnFocus });
    },
    dialog,
  };
}

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
  const dialogs = useGuestDialogs(connectionId, node, target);
  const moreButton = useRef<HTMLButtonElement>(null);
  const cloneAction = dialogs.actions.find((a) => a.kind === "clone");
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
        {target.template && cloneAction ? (
          <DisabledReason reason={cloneAction.reason}>
            <button
              type="button"
              data-testid="guest-action-clone-primary"
              className={buttonClass("secondary", "h-7 px-2.5")}
              onClick={(e) => dialogs.open("clone", e.currentTarget)}
            >
              {cloneAction.icon}
              Clone
            </button>
          </DisabledReason>
        ) : null}
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
            <button ref={moreButton} type="button" data-testid="guest-action-more" className={buttonClass("secondary", "h-7 px-2.5")}>
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
              <Menu.Separator className="my-1 h-px bg-line" />
              {dialogs.actions.map((a) => (
                <DialogMenuItem key={a.kind} action={a} onSelect={() => dialogs.open(a.kind, moreButton.current)} />
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
      {dialogs.dialog}
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
    <ActionMenuItem
      testId={`guest-action-${info.action}`}
      icon={POWER_ICONS[info.action]}
      label={info.label}
      reason={reason}
      onSelect={onSelect}
    />
  );
}

/** A dialog action (Clone…, Migrate…, Manage HA…, Remove…) as a menu item. */
export function DialogMenuItem({ action, onSelect }: { action: GuestDialogAction; onSelect: () => void }) {
  return (
    <ActionMenuItem
      testId={`guest-action-${action.kind}`}
      icon={action.icon}
      label={action.label}
      reason={action.reason}
      onSelect={onSelect}
      danger={action.kind === "delete"}
    />
  );
}

function ActionMenuItem({
  testId,
  icon,
  label,
  reason,
  onSelect,
  danger = false,
}: {
  testId: string;
  icon: ReactNode;
  label: string;
  reason: string | null;
  onSelect: () => void;
  danger?: boolean;
}) {
  return (
    <Menu.Item
      data-testid={testId}
      disabled={reason !== null}
      data-disabled-reason={reason ?? undefined}
      onSelect={onSelect}
      className="flex cursor-default items-start gap-2 rounded px-2 py-1 outline-none data-[disabled]:opacity-60 data-[highlighted]:bg-accent-soft"
    >
      <span className="mt-0.5 text-muted">{icon}</span>
      <span className="flex flex-col">
        <span className={danger ? "text-error" : undefined}>{label}</span>
        {reason ? <span className="max-w-72 text-xs text-muted">{reason}</span> : null}
      </span>
    </Menu.Item>
  );
}
