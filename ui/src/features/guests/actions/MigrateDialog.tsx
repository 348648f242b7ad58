// Moving a guest to another node of its cluster, like PVE's migrate window: the mode (online
// for a running VM, restart for a running container, offline otherwise), the nodes it may
// go to (the others shown with the reason they cannot take it), and what moves along. The
// migration runs as a task in the task bar.
import { useQuery } from "@tanstack/react-query";
import { ArrowRightLeft, HardDrive, TriangleAlert } from "lucide-react";
import { useId, useState } from "react";
import type { GuestRef, MigrateOptions } from "@/backend";
import { ErrorNotice } from "@/ui/ErrorNotice";
import {
  ActionDialog,
  DialogFooter,
  LoadingNotice,
  RefusalNotice,
  SelectField,
  useRefusal,
  type GuestDialogProps,
} from "./dialogParts";
import { guestLabel } from "./power";
import { migrateOptionsQuery, useGuestMigrate } from "./queries";

/** The mode PVE will migrate in, and what it means for the guest. */
export function migrateMode(options: Pick<MigrateOptions, "running" | "online">, kind: GuestRef["kind"]) {
  if (options.running && kind === "qemu")
    return { label: "Online", text: "The VM keeps running while its memory and state move to the target." };
  if (options.running)
    return {
      label: "Restart mode",
      text: "The container is shut down, moved and started again on the target (containers have no live migration).",
    };
  return { label: "Offline", text: "The guest is not running: its configuration and disks move, it stays stopped." };
}

export function MigrateDialog({ guest, target, returnFocus, onClose }: GuestDialogProps) {
  const id = useId();
  const options = useQuery(migrateOptionsQuery(guest));
  const migrate = useGuestMigrate(guest);
  const choosable = options.data?.targets.filter((t) => !t.reason) ?? [];
  const [chosen, setChosen] = useState<string | null>(null);
  const node = chosen ?? choosable[0]?.node ?? "";
  const { refusal, fieldError, touch, clearEdited } = useRefusal(migrate);

  const blocked = !options.data
    ? "Reading where the guest can go…"
    : options.data.localResources.length > 0
      ? "Local devices are attached: remove them to migrate"
      : choosable.length === 0
        ? "No other node can take this guest now"
        : null;

  const submit = () => {
    if (blocked || !node || migrate.isPending) return;
    clearEdited();
    migrate.mutate(node, { onSuccess: onClose });
  };

  const mode = options.data ? migrateMode(options.data, guest.kind) : null;
  const nodeId = `${id}-node`;

  return (
    <ActionDialog
      onClose={onClose}
      testId="migrate-dialog"
      returnFocus={returnFocus}
      icon={<ArrowRightLeft aria-hidden className="size-5 text-muted" />}
      title={`Migrate ${guestLabel(target)}`}
      onSubmit={submit}
      footer={
        <DialogFooter
          cancelTestId="migrate-cancel"
          submitTestId="migrate-submit"
          onCancel={onClose}
          pending={migrate.isPending}
          disabledReason={blocked}
        >
          Migrate
        </DialogFooter>
      }
    >
      {options.isError ? (
        <ErrorNotice error={options.error} title="Could not read where the guest can go" />
      ) : !options.data || !mode ? (
        <LoadingNotice testId="migrate-loading">Asking the cluster where the guest can go…</LoadingNotice>
      ) : (
        <div className="space-y-3 text-sm">
          <RefusalNotice testId="migrate-error" error={refusal} title={`Could not migrate ${guestLabel(target)}`} />
          <div className="grid grid-cols-2 gap-3">
            <div>
              <p className="mb-1 text-sm font-medium">Source node</p>
              <p className="flex h-7 items-center font-mono">{guest.node}</p>
            </div>
            <SelectField
              id={nodeId}
              label="Target node"
              testId="migrate-target"
              error={fieldError("target")}
              errorTestId="migrate-target-error"
              value={node}
              disabled={choosable.length === 0}
              onChange={(n) => {
                touch("target");
                setChosen(n);
              }}
            >
              {choosable.length === 0 ? <option value="">No node available</option> : null}
              {options.data.targets.map((t) => (
                <option key={t.node} value={t.node} disabled={Boolean(t.reason)}>
                  {t.reason ? `${t.node} — ${t.reason}` : t.node}
                </option>
              ))}
            </SelectField>
          </div>
          <div data-testid="migrate-mode">
            <p className="text-sm font-medium">
              Mode: <span data-testid="migrate-mode-label">{mode.label}</span>
            </p>
            <p className="text-xs text-muted">{mode.text}</p>
          </div>
          {options.data.targets.some((t) => t.reason) ? (
            <ul data-testid="migrate-unavailable" className="space-y-0.5 text-xs text-muted">
              {options.data.targets
                .filter((t) => t.reason)
                .map((t) => (
                  <li key={t.node}>
                    <span className="font-mono">{t.node}</span>: {t.reason}
                  </li>
                ))}
            </ul>
          ) : null}
          {options.data.localDisks.length > 0 ? (
            <div data-testid="migrate-local-disks" className="flex gap-2 rounded border border-line bg-raised px-3 py-2">
              <HardDrive aria-hidden className="mt-0.5 size-4 shrink-0 text-muted" />
              <div>
                <p>Local disks, copied with the migration (this takes longer):</p>
                <ul className="font-mono text-xs text-muted">
                  {options.data.localDisks.map((d) => (
                    <li key={d}>{d}</li>
                  ))}
                </ul>
              </div>
            </div>
          ) : null}
          {options.data.localResources.length > 0 ? (
            <div
              role="alert"
              data-testid="migrate-local-resources"
              className="flex gap-2 rounded border border-warning/50 bg-warning-soft px-3 py-2"
            >
              <TriangleAlert aria-hidden className="mt-0.5 size-4 shrink-0 text-warning" />
              <div>
                <p className="font-medium">Local devices block the migration:</p>
                <ul className="font-mono text-xs">
                  {options.data.localResources.map((d) => (
                    <li key={d}>{d}</li>
                  ))}
                </ul>
              </div>
            </div>
          ) : null}
        </div>
      )}
    </ActionDialog>
  );
}
