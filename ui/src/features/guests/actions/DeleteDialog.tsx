// Removing a guest (PVE's "Remove"): destructive, so its name (or VMID when it has none) must
// be typed exactly. Purge (on by default) also takes it out of backup and replication jobs,
// HA and its pool; destroying unreferenced disks (off) also removes disks that carry its
// VMID but are not in its configuration. The removal runs as a task in the task bar.
import { Trash2 } from "lucide-react";
import { useId, useState, type ReactNode } from "react";
import { checkboxClass } from "@/ui/form";
import { ActionDialog, DialogFooter, RefusalNotice, TextField, useRefusal, type GuestDialogProps } from "./dialogParts";
import { guestLabel, type PowerTarget } from "./power";
import { useGuestDelete } from "./queries";

/** What the user must type to remove `target`: its name, or its VMID when it has none. */
export function deleteConfirmation(target: Pick<PowerTarget, "name" | "vmid">): string {
  return target.name ? target.name : String(target.vmid);
}

export function DeleteDialog({ guest, target, returnFocus, onClose }: GuestDialogProps) {
  const id = useId();
  const remove = useGuestDelete(guest);
  const [typed, setTyped] = useState("");
  const [purge, setPurge] = useState(true);
  const [destroyUnreferencedDisks, setDestroyUnreferencedDisks] = useState(false);
  const { refusal, fieldError, touch, clearEdited } = useRefusal(remove);
  const expected = deleteConfirmation(target);
  const matches = typed === expected;
  const noun = guest.kind === "lxc" ? "container" : "VM";

  const submit = () => {
    if (!matches || remove.isPending) return;
    clearEdited();
    remove.mutate({ confirm: typed, purge, destroyUnreferencedDisks }, { onSuccess: onClose });
  };

  return (
    <ActionDialog
      onClose={onClose}
      testId="delete-dialog"
      returnFocus={returnFocus}
      tone="danger"
      width="max-w-md"
      icon={<Trash2 aria-hidden className="size-5 text-error" />}
      title={`Remove ${guestLabel(target)}?`}
      onSubmit={submit}
      footer={
        <DialogFooter
          cancelTestId="delete-cancel"
          submitTestId="delete-submit"
          onCancel={onClose}
          pending={remove.isPending}
          disabledReason={matches ? null : `Type ${target.name ? `the ${noun}'s name` : "its VMID"} to confirm`}
          danger
        >
          Remove
        </DialogFooter>
      }
    >
      <div className="space-y-3 text-sm">
        <RefusalNotice testId="delete-error" error={refusal} title={`Could not remove ${guestLabel(target)}`} />
        <p>
          The {noun} and its disks are destroyed on {guest.node}. This cannot be undone; its backups are not
          touched.
        </p>
        <TextField
          id={`${id}-confirm`}
          label={
            <>
              Type <span className="font-mono">{expected}</span> to confirm
            </>
          }
          testId="delete-confirm"
          error={fieldError("confirm")}
          errorTestId="delete-confirm-error"
          spellCheck={false}
          value={typed}
          onChange={(text) => {
            touch("confirm");
            setTyped(text);
          }}
        />
        <CheckOption
          id={`${id}-purge`}
          testId="delete-purge"
          checked={purge}
          onChange={setPurge}
          label="Purge from job configurations"
        >
          Also removes the {noun} from backup and replication jobs, from HA and from its pool, so nothing refers to it
          afterwards.
        </CheckOption>
        <CheckOption
          id={`${id}-unreferenced`}
          testId="delete-unreferenced"
          checked={destroyUnreferencedDisks}
          onChange={setDestroyUnreferencedDisks}
          label="Destroy unreferenced disks owned by guest"
        >
          Also destroys disks on enabled storages that carry VMID {guest.vmid} but are not in its configuration (left
          over from earlier operations).
        </CheckOption>
      </div>
    </ActionDialog>
  );
}

/** A checkbox with its label and, under the label, what it does (`children`). */
function CheckOption({
  id,
  testId,
  checked,
  onChange,
  label,
  children,
}: {
  id: string;
  testId: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  label: string;
  children: ReactNode;
}) {
  return (
    <div className="flex items-start gap-2">
      <input
        id={id}
        type="checkbox"
        data-testid={testId}
        className={`${checkboxClass} mt-0.5`}
        checked={checked}
        onChange={(e) => onChange(e.target.checked)}
      />
      <label htmlFor={id}>
        {label}
        <span className="block text-xs text-muted">{children}</span>
      </label>
    </div>
  );
}
