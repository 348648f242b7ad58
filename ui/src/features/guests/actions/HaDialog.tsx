// A guest's high availability, like PVE's Datacenter → HA → Resources entry: add the guest to
// HA (requested state, restart and relocate limits, group, comment), edit those, or remove
// it from HA after a confirmation. HA changes are immediate (no task).
import { useQuery } from "@tanstack/react-query";
import { ShieldCheck, ShieldOff } from "lucide-react";
import { useId, useState } from "react";
import type { HaResource, HaSettings, HaState } from "@/backend";
import { buttonClass } from "@/ui/button";
import { ErrorNotice } from "@/ui/ErrorNotice";
import {
  ActionDialog,
  DialogFooter,
  LoadingNotice,
  RefusalNotice,
  SelectField,
  TextField,
  useDraft,
  useRefusal,
  type GuestDialogProps,
} from "./dialogParts";
import { guestLabel } from "./power";
import { haQuery, useGuestHaRemove, useGuestHaSet } from "./queries";

export const HA_STATES: readonly { value: HaState; label: string; text: string }[] = [
  { value: "started", label: "started", text: "HA keeps the guest running, restarting or relocating it when its node fails." },
  { value: "stopped", label: "stopped", text: "HA keeps the guest stopped (and may still relocate it)." },
  { value: "disabled", label: "disabled", text: "HA stops the guest and does not move it." },
  { value: "ignored", label: "ignored", text: "HA leaves the guest alone, as if it were not managed." },
];

interface Draft {
  state: HaState;
  maxRestart: string;
  maxRelocate: string;
  group: string;
  comment: string;
}

function initialDraft(resource: HaResource | null): Draft {
  const s = resource?.settings;
  return {
    state: s?.state ?? "started",
    maxRestart: String(s?.maxRestart ?? 1),
    maxRelocate: String(s?.maxRelocate ?? 1),
    group: s?.group ?? "",
    comment: s?.comment ?? "",
  };
}

/** A count PVE accepts for max restart / max relocate (0–10), or `null`. */
function parseCount(text: string): number | null {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return n <= 10 ? n : null;
}

export function HaDialog({ guest, target, returnFocus, onClose }: GuestDialogProps) {
  const id = useId();
  const ha = useQuery(haQuery(guest));
  const save = useGuestHaSet(guest);
  const remove = useGuestHaRemove(guest);
  const [form, update] = useDraft(ha.isSuccess ? initialDraft(ha.data) : null);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const [countErrors, setCountErrors] = useState<Record<string, string>>({});
  const { refusal, fieldError: refusedField, touch, clearEdited } = useRefusal(save);
  const fieldError = (field: string) => countErrors[field] ?? refusedField(field);
  const managed = ha.data != null;
  const busy = save.isPending || remove.isPending;
  const label = guestLabel(target);

  const submit = () => {
    if (busy) return;
    if (confirmRemove) {
      remove.mutate(undefined, { onSuccess: onClose });
      return;
    }
    if (!form) return;
    const maxRestart = parseCount(form.maxRestart);
    const maxRelocate = parseCount(form.maxRelocate);
    const errors: Record<string, string> = {};
    if (maxRestart === null) errors.maxRestart = "A whole number from 0 to 10";
    if (maxRelocate === null) errors.maxRelocate = "A whole number from 0 to 10";
    setCountErrors(errors);
    if (maxRestart === null || maxRelocate === null) return;
    const settings: HaSettings = {
      state: form.state,
      group: form.group.trim() || null,
      maxRestart,
      maxRelocate,
      comment: form.comment.trim() || null,
    };
    clearEdited();
    save.mutate(settings, { onSuccess: onClose });
  };

  const ids = {
    state: `${id}-state`,
    restart: `${id}-restart`,
    relocate: `${id}-relocate`,
    group: `${id}-group`,
    comment: `${id}-comment`,
  };
  const stateText = HA_STATES.find((s) => s.value === form?.state)?.text;
  // Editing a field hides the refusal's message under it, and a count's own message too.
  const edit = (field: "group" | "comment" | "maxRestart" | "maxRelocate") => (value: string) => {
    touch(field);
    update({ [field]: value });
  };
  const editCount = (field: "maxRestart" | "maxRelocate") => (value: string) => {
    setCountErrors(({ [field]: _, ...rest }) => rest);
    edit(field)(value);
  };

  return (
    <ActionDialog
      onClose={onClose}
      testId="ha-dialog"
      returnFocus={returnFocus}
      tone={confirmRemove ? "danger" : "default"}
      icon={<ShieldCheck aria-hidden className="size-5 text-muted" />}
      title={confirmRemove ? `Remove ${label} from HA?` : managed ? `HA of ${label}` : `Add ${label} to HA`}
      onSubmit={submit}
      footer={
        confirmRemove ? (
          <DialogFooter
            cancelTestId="ha-remove-cancel"
            submitTestId="ha-remove-confirm"
            onCancel={() => {
              remove.reset();
              setConfirmRemove(false);
            }}
            pending={remove.isPending}
            disabled={busy}
            danger
          >
            Remove from HA
          </DialogFooter>
        ) : (
          <DialogFooter
            leading={
              managed ? (
                <button
                  type="button"
                  data-testid="ha-remove"
                  className={buttonClass("secondary", "h-7 px-3 text-error")}
                  disabled={busy}
                  onClick={() => setConfirmRemove(true)}
                >
                  <ShieldOff aria-hidden className="size-3.5" />
                  Remove from HA
                </button>
              ) : null
            }
            cancelTestId="ha-cancel"
            submitTestId="ha-submit"
            onCancel={onClose}
            pending={save.isPending}
            disabled={!form || busy}
          >
            {managed ? "Save" : "Add to HA"}
          </DialogFooter>
        )
      }
    >
      {ha.isError ? (
        <ErrorNotice error={ha.error} title={`Could not read the HA settings of ${label}`} />
      ) : !form ? (
        <LoadingNotice testId="ha-loading">Reading the HA settings…</LoadingNotice>
      ) : confirmRemove ? (
        <div className="space-y-3 text-sm">
          <RefusalNotice testId="ha-error" error={remove.error} title={`Could not remove ${label} from HA`} />
          <p>
            The HA manager stops managing {label} ({ha.data?.sid}): it is no longer restarted or moved when its node
            fails. The guest itself keeps running or stays stopped as it is now.
          </p>
        </div>
      ) : (
        <div className="space-y-3 text-sm">
          <RefusalNotice
            testId="ha-error"
            error={refusal}
            title={managed ? `Could not save the HA settings of ${label}` : `Could not add ${label} to HA`}
          />
          {!managed ? (
            <p className="text-muted" data-testid="ha-unmanaged">
              HA does not manage this guest yet. Added, it is restarted on another node when its node fails.
            </p>
          ) : null}
          <SelectField
            id={ids.state}
            label="Requested state"
            testId="ha-state"
            hint={stateText}
            error={fieldError("state")}
            value={form.state}
            onChange={(value) => {
              touch("state");
              const state = HA_STATES.find((s) => s.value === value)?.value;
              if (state) update({ state });
            }}
          >
            {HA_STATES.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </SelectField>
          <div className="grid grid-cols-2 gap-3">
            <TextField
              id={ids.restart}
              label="Max. restart"
              testId="ha-max-restart"
              error={fieldError("maxRestart")}
              errorTestId="ha-max-restart-error"
              inputMode="numeric"
              value={form.maxRestart}
              onChange={editCount("maxRestart")}
            />
            <TextField
              id={ids.relocate}
              label="Max. relocate"
              testId="ha-max-relocate"
              error={fieldError("maxRelocate")}
              errorTestId="ha-max-relocate-error"
              inputMode="numeric"
              value={form.maxRelocate}
              onChange={editCount("maxRelocate")}
            />
          </div>
          <TextField
            id={ids.group}
            label="Group"
            testId="ha-group"
            error={fieldError("group")}
            errorTestId="ha-group-error"
            hint="Optional, PVE 8 only. PVE 9 replaced HA groups by node affinity rules (Datacenter → HA → Affinity Rules) and refuses a group once the cluster's groups were migrated."
            spellCheck={false}
            value={form.group}
            onChange={edit("group")}
          />
          <TextField
            id={ids.comment}
            label="Comment"
            testId="ha-comment"
            error={fieldError("comment")}
            value={form.comment}
            onChange={edit("comment")}
          />
        </div>
      )}
    </ActionDialog>
  );
}
