// The context menu of a connection in the tree (right-click, the Menu key or Shift+F10):
// edit, check now, enable / disable, remove.
import * as Menu from "@radix-ui/react-dropdown-menu";
import { Pencil, Plug, Power, RefreshCw, Trash2, Unplug, X } from "lucide-react";
import { useRef, type ReactNode } from "react";
import type { Connection } from "@/backend";
import { buttonClass } from "@/ui/button";
import { ErrorNotice } from "@/ui/ErrorNotice";
import { useConnectionDialogs } from "./ConnectionDialogs";
import { useCheckConnection, useDemoOutage, useSetConnectionEnabled } from "./queries";

export interface ConnectionMenuTarget {
  connection: Connection;
  /** Where the menu opens, in viewport pixels. */
  x: number;
  y: number;
  /** Gets the focus back when the menu closes without opening a dialog. */
  returnFocus: HTMLElement | null;
}

const DEMO_REASON = "Part of the demo datacenter: close the demo to remove it";

function Item({
  testId,
  icon,
  label,
  reason,
  hint,
  danger = false,
  onSelect,
}: {
  testId: string;
  icon: ReactNode;
  label: string;
  /** Why the item is disabled (it is when this is set). */
  reason?: string | null;
  /** A line under the label of an enabled item. */
  hint?: string;
  danger?: boolean;
  onSelect: () => void;
}) {
  return (
    <Menu.Item
      data-testid={testId}
      disabled={Boolean(reason)}
      onSelect={onSelect}
      className={
        "flex cursor-default items-start gap-2 rounded px-2 py-1 outline-none data-[disabled]:opacity-60 " +
        "data-[highlighted]:bg-accent-soft " +
        (danger ? "text-error" : "")
      }
    >
      <span className={`mt-0.5 ${danger ? "" : "text-muted"}`}>{icon}</span>
      <span className="flex flex-col">
        <span>{label}</span>
        {reason || hint ? <span className="text-xs text-muted">{reason ?? hint}</span> : null}
      </span>
    </Menu.Item>
  );
}

/**
 * `target` stays set after the menu closes (`open` false), so that closing can still give the
 * focus back to its row.
 */
export function ConnectionMenu({
  target,
  open,
  onClose,
}: {
  target: ConnectionMenuTarget | null;
  open: boolean;
  onClose: () => void;
}) {
  const dialogs = useConnectionDialogs();
  const setEnabled = useSetConnectionEnabled();
  const check = useCheckConnection();
  const outage = useDemoOutage();
  const connection = target?.connection ?? null;
  const demoReason = connection?.demo ? DEMO_REASON : null;
  // A dialog takes the focus itself (and gives it back to the row when it closes); anything
  // else gives it back to the row at once.
  const dialogOpened = useRef(false);

  const failed = setEnabled.isError
    ? { title: "Could not change the connection", error: setEnabled.error }
    : check.isError
      ? { title: "Could not check the connection", error: check.error }
      : outage.isError
        ? { title: "Could not switch the demo cluster", error: outage.error }
        : null;

  return (
    <>
      {/* Not modal, like the "+ Add" menu: a right-click on another row closes it and opens its own. */}
      <Menu.Root
        open={open && target !== null}
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
            style={{ left: target?.x ?? 0, top: target?.y ?? 0 }}
          />
        </Menu.Trigger>
        <Menu.Portal>
          <Menu.Content
            align="start"
            sideOffset={2}
            collisionPadding={8}
            data-testid="connection-menu"
            aria-labelledby={undefined}
            aria-label={connection ? `Connection ${connection.name}` : undefined}
            onCloseAutoFocus={(e) => {
              e.preventDefault();
              if (!dialogOpened.current) target?.returnFocus?.focus();
              dialogOpened.current = false;
            }}
            className="z-50 min-w-52 rounded-md border border-line-strong bg-surface p-1 text-sm text-fg shadow-xl"
          >
            {connection ? (
              <>
                <Menu.Label className="truncate px-2 pt-0.5 pb-1 text-xs font-medium text-muted">
                  {connection.name}
                </Menu.Label>
                <Item
                  testId="conn-menu-edit"
                  icon={<Pencil className="size-3.5" />}
                  label="Edit…"
                  reason={demoReason}
                  onSelect={() => {
                    dialogOpened.current = true;
                    dialogs.openEdit(connection, target?.returnFocus);
                  }}
                />
                <Item
                  testId="conn-menu-check"
                  icon={<RefreshCw className="size-3.5" />}
                  label="Check now"
                  reason={connection.enabled ? null : "Enable the connection first"}
                  onSelect={() => check.mutate(connection.id)}
                />
                <Item
                  testId="conn-menu-toggle"
                  icon={<Power className="size-3.5" />}
                  label={connection.enabled ? "Disable" : "Enable"}
                  reason={demoReason}
                  onSelect={() => setEnabled.mutate({ id: connection.id, enabled: !connection.enabled })}
                />
                {connection.demo ? (
                  connection.health.state === "disconnected" ? (
                    <Item
                      testId="conn-menu-outage"
                      icon={<Plug className="size-3.5" />}
                      label="End the outage"
                      onSelect={() => outage.mutate({ id: connection.id, down: false })}
                    />
                  ) : (
                    <Item
                      testId="conn-menu-outage"
                      icon={<Unplug className="size-3.5" />}
                      label="Simulate an outage"
                      hint="Switch this demo cluster off to see how Proxdeck shows a cluster that does not answer"
                      onSelect={() => outage.mutate({ id: connection.id, down: true })}
                    />
                  )
                ) : null}
                <Menu.Separator className="my-1 h-px bg-line" />
                <Item
                  testId="conn-menu-remove"
                  icon={<Trash2 className="size-3.5" />}
                  label="Remove…"
                  reason={demoReason}
                  danger
                  onSelect={() => {
                    dialogOpened.current = true;
                    dialogs.openRemove(connection, target?.returnFocus);
                  }}
                />
              </>
            ) : null}
          </Menu.Content>
        </Menu.Portal>
      </Menu.Root>
      {failed ? (
        <div className="fixed top-12 left-3 z-50 w-80 shadow-xl" data-testid="connection-menu-error">
          <ErrorNotice error={failed.error} title={failed.title} />
          <button
            type="button"
            className={buttonClass("ghost", "absolute top-1.5 right-1.5 size-6")}
            aria-label="Dismiss"
            onClick={() => {
              setEnabled.reset();
              check.reset();
              outage.reset();
            }}
          >
            <X aria-hidden className="size-3.5" />
          </button>
        </div>
      ) : null}
    </>
  );
}
