// Removing a guest (PVE's "Remove"): destructive, so its name (or VMID when it has none) must
// be typed exactly. Purge (on by default) also takes it out of backup and replication jobs,
// HA and its pool; destroying unreferenced disks (off) also removes disks that carry its
// VMID but are not in its configuration. The removal runs as a task in the task bar.
import { LoaderCircle, Trash2 } from "lucide-react";
import { useId, useState } from "react";
import { toAppError, type GuestRef } from "@/backend";
import { buttonClass } from "@/ui/button";
import { Dialog } from "@/ui/Dialog";
import { ErrorNotice } from "@/ui/ErrorNotice";
import { checkboxClass, describedBy, Field, inputClass } from "@/ui/form";
import { DisabledReason } from "@/ui/Tooltip";
import { guestLabel, type PowerTarget } from "./power";
import { useGuestDelete } from "./queries";

const dangerButton = buttonClass("primary", "h-7 px-3 bg-error enabled:hover:bg-error/85");

/** What the user must type to remove `target`: its name, or its VMID when it has none. */
export function deleteConfirmation(target: Pick<PowerTarget, "name" | "vmid">): string {
  return target.name ? target.name : String(target.vmid);
}

export function DeleteDialog({
  guest,
  target,
  returnFocus,
  onClose,
}: {
  guest: GuestRef;
  target: PowerTarget;
  returnFocus: HTMLElement | null;
  onClose: () => void;
}) {
  const id = useId();
  const remove = useGuestDelete(guest);
  const [typed, setTyped] = useState("");
  const [purge, setPurge] = useState(true);
  const [destroyUnreferencedDisks, setDestroyUnreferencedDisks] = useState(false);
  const [edited, setEdited] = useState(false);
  const expected = deleteConfirmation(target);
  const matches = typed === expected;
  const refusal = remove.isError ? toAppError(remove.error) : null;
  const confirmError = refusal && !edited ? (refusal.fields.confirm ?? null) : null;
  const noun = guest.kind === "lxc" ? "container" : "VM";

  const submit = () => {
    if (!matches || remove.isPending) return;
    setEdited(false);
    remove.mutate({ confirm: typed, purge, destroyUnreferencedDisks }, { onSuccess: onClose });
  };

  return (
    <Dialog
      open
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      testId="delete-dialog"
      returnFocus={returnFocus}
      tone="danger"
      width="max-w-md"
      icon={<Trash2 aria-hidden className="size-5 text-error" />}
      title={`Remove ${guestLabel(target)}?`}
      onSubmit={submit}
      footer={
        <>
          <span className="flex-1" />
          <button type="button" data-testid="delete-cancel" className={buttonClass("secondary", "h-7 px-3")} onClick={onClose}>
            Cancel
          </button>
          <DisabledReason reason={matches ? null : `Type ${target.name ? `the ${noun}'s name` : "its VMID"} to confirm`}>
            <button
              type="submit"
              data-testid="delete-submit"
              className={dangerButton}
              disabled={remove.isPending}
              aria-busy={remove.isPending}
            >
              {remove.isPending ? <LoaderCircle aria-hidden className="size-3.5 animate-spin" /> : null}
              Remove
            </button>
          </DisabledReason>
        </>
      }
    >
      <div className="space-y-3 text-sm">
        {refusal ? (
          <div data-testid="delete-error">
            <ErrorNotice error={refusal} title={`Could not remove ${guestLabel(target)}`} />
          </div>
        ) : null}
        <p>
          The {noun} and its disks are destroyed on {guest.node}. This cannot be undone; its backups are not
          touched.
        </p>
        <Field
          label={
            <>
              Type <span className="font-mono">{expected}</span> to confirm
            </>
          }
          htmlFor={`${id}-confirm`}
          error={confirmError}
          errorTestId="delete-confirm-error"
        >
          <input
            {...describedBy(`${id}-confirm`, { error: confirmError })}
            data-testid="delete-confirm"
            className={inputClass}
            autoComplete="off"
            spellCheck={false}
            value={typed}
            onChange={(e) => {
              setEdited(true);
              setTyped(e.target.value);
            }}
          />
        </Field>
        <div className="flex items-start gap-2">
          <input
            id={`${id}-purge`}
            type="checkbox"
            data-testid="delete-purge"
            className={`${checkboxClass} mt-0.5`}
            checked={purge}
            onChange={(e) => setPurge(e.target.checked)}
          />
          <label htmlFor={`${id}-purge`}>
            Purge from job configurations
            <span className="block text-xs text-muted">
              Also removes the {noun} from backup and replication jobs, from HA and from its pool, so nothing refers to
              it afterwards.
            </span>
          </label>
        </div>
        <div className="flex items-start gap-2">
          <input
            id={`${id}-unreferenced`}
            type="checkbox"
            data-testid="delete-unreferenced"
            className={`${checkboxClass} mt-0.5`}
            checked={destroyUnreferencedDisks}
            onChange={(e) => setDestroyUnreferencedDisks(e.target.checked)}
          />
          <label htmlFor={`${id}-unreferenced`}>
            Destroy unreferenced disks owned by guest
            <span className="block text-xs text-muted">
              Also destroys disks on enabled storages that carry VMID {guest.vmid} but are not in its configuration
              (left over from earlier operations).
            </span>
          </label>
        </div>
      </div>
    </Dialog>
  );
}
