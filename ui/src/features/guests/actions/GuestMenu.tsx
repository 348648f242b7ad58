// The context menu of a guest (right-click, the Menu key or Shift+F10 in the tree): open its
// summary, its power actions, and Clone / Migrate / Manage HA / Remove, each disabled with
// its reason as on the toolbar.
import * as Menu from "@radix-ui/react-dropdown-menu";
import { useNavigate } from "@tanstack/react-router";
import { FileText, X } from "lucide-react";
import { useRef } from "react";
import type { Connection } from "@/backend";
import { buttonClass } from "@/ui/button";
import { ErrorNotice } from "@/ui/ErrorNotice";
import { DialogMenuItem, PowerMenuItem, useGuestDialogs } from "./GuestToolbar";
import { guestLabel, POWER_ACTIONS, type PowerTarget } from "./power";
import { usePowerRunner } from "./usePowerRunner";

export interface GuestMenuTarget {
  connection: Connection;
  node: string;
  guest: PowerTarget;
  /** Where the menu opens, in viewport pixels. */
  x: number;
  y: number;
  /** Gets the focus back when the menu closes without opening a dialog. */
  returnFocus: HTMLElement | null;
}

/** `target` stays set after the menu closes, so a confirmation it opened stays up. */
export function GuestMenu({
  target,
  open,
  onClose,
}: {
  target: GuestMenuTarget | null;
  open: boolean;
  onClose: () => void;
}) {
  if (!target) return null;
  return (
    <GuestMenuBody
      key={`${target.connection.id}/${target.guest.vmid}`}
      target={target}
      open={open}
      onClose={onClose}
    />
  );
}

function GuestMenuBody({ target, open, onClose }: { target: GuestMenuTarget; open: boolean; onClose: () => void }) {
  const navigate = useNavigate();
  const runner = usePowerRunner(target.connection.id, target.node, target.guest);
  const dialogs = useGuestDialogs(target.connection.id, target.node, target.guest);
  const dialogOpened = useRef(false);
  const actions = POWER_ACTIONS.filter((a) => !(a.action === "reset" && target.guest.kind === "lxc"));
  const label = guestLabel(target.guest);
  return (
    <>
      <Menu.Root
        open={open}
        onOpenChange={(next) => {
          if (!next) onClose();
        }}
        modal={false}
      >
        <Menu.Trigger asChild>
          <span
            aria-hidden
            tabIndex={-1}
            className="pointer-events-none fixed size-0"
            style={{ left: target.x, top: target.y }}
          />
        </Menu.Trigger>
        <Menu.Portal>
          <Menu.Content
            align="start"
            sideOffset={2}
            collisionPadding={8}
            data-testid="guest-menu"
            aria-label={`Guest ${label}`}
            onCloseAutoFocus={(e) => {
              e.preventDefault();
              if (!dialogOpened.current) target.returnFocus?.focus();
              dialogOpened.current = false;
            }}
            className="z-50 min-w-56 rounded-md border border-line-strong bg-surface p-1 text-sm text-fg shadow-xl"
          >
            <Menu.Label className="truncate px-2 pt-0.5 pb-1 text-xs font-medium text-muted">
              {label} · {target.connection.name}
            </Menu.Label>
            <Menu.Item
              data-testid="guest-menu-open"
              onSelect={() =>
                void navigate({
                  to: "/c/$conn/guest/$vmid",
                  params: { conn: target.connection.id, vmid: String(target.guest.vmid) },
                })
              }
              className="flex cursor-default items-center gap-2 rounded px-2 py-1 outline-none data-[highlighted]:bg-accent-soft"
            >
              <FileText aria-hidden className="size-3.5 text-muted" />
              Open summary
            </Menu.Item>
            <Menu.Separator className="my-1 h-px bg-line" />
            {actions.map((a) => (
              <PowerMenuItem
                key={a.action}
                info={a}
                reason={runner.reasonFor(a.action)}
                onSelect={() => {
                  if (a.confirm) dialogOpened.current = true;
                  runner.choose(a);
                }}
              />
            ))}
            <Menu.Separator className="my-1 h-px bg-line" />
            {dialogs.actions.map((a) => (
              <DialogMenuItem
                key={a.kind}
                action={a}
                onSelect={() => {
                  dialogOpened.current = true;
                  dialogs.open(a.kind, target.returnFocus);
                }}
              />
            ))}
          </Menu.Content>
        </Menu.Portal>
      </Menu.Root>
      {runner.error ? (
        <div className="fixed top-12 left-3 z-50 w-80 shadow-xl" data-testid="guest-menu-error">
          <ErrorNotice error={runner.error} title={`Could not ${runner.failedAction ?? "act on"} ${label}`} />
          <button
            type="button"
            className={buttonClass("ghost", "absolute top-1.5 right-1.5 size-6")}
            aria-label="Dismiss"
            onClick={runner.reset}
          >
            <X aria-hidden className="size-3.5" />
          </button>
        </div>
      ) : null}
      {runner.dialog}
      {dialogs.dialog}
    </>
  );
}
