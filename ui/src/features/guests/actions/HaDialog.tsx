// A guest's high availability, like PVE's Datacenter → HA → Resources entry: add the guest to
// HA (requested state, restart and relocate limits, group, comment), edit those, or remove
// it from HA after a confirmation. HA changes are immediate (no task).
import { useQuery } from "@tanstack/react-query";
import { LoaderCircle, ShieldCheck, ShieldOff } from "lucide-react";
import { useId, useState } from "react";
import { toAppError, type GuestRef, type HaResource, type HaSettings, type HaState } from "@/backend";
import { buttonClass } from "@/ui/button";
import { Dialog } from "@/ui/Dialog";
import { ErrorNotice } from "@/ui/ErrorNotice";
import { describedBy, Field, inputClass, selectClass } from "@/ui/form";
import { guestLabel, type PowerTarget } from "./power";
import { haQuery, useGuestHaRemove, useGuestHaSet } from "./queries";

const dangerButton = buttonClass("primary", "h-7 px-3 bg-error enabled:hover:bg-error/85");

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

export function HaDialog({
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
  const ha = useQuery(haQuery(guest));
  const save = useGuestHaSet(guest);
  const remove = useGuestHaRemove(guest);
  const [draft, setDraft] = useState<Draft | null>(null);
  const form = draft ?? (ha.isSuccess ? initialDraft(ha.data) : null);
  const update = (patch: Partial<Draft>) => {
    if (form) setDraft({ ...form, ...patch });
  };
  const [confirmRemove, setConfirmRemove] = useState(false);
  const [edited, setEdited] = useState<ReadonlySet<string>>(new Set());
  const [countErrors, setCountErrors] = useState<Record<string, string>>({});
  const touch = (field: string) => setEdited((s) => (s.has(field) ? s : new Set(s).add(field)));
  const refusal = save.isError ? toAppError(save.error) : null;
  const fieldError = (field: string) =>
    countErrors[field] ?? (refusal && !edited.has(field) ? (refusal.fields[field] ?? null) : null);
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
    setEdited(new Set());
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

  return (
    <Dialog
      open
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      testId="ha-dialog"
      returnFocus={returnFocus}
      tone={confirmRemove ? "danger" : "default"}
      icon={<ShieldCheck aria-hidden className="size-5 text-muted" />}
      title={confirmRemove ? `Remove ${label} from HA?` : managed ? `HA of ${label}` : `Add ${label} to HA`}
      onSubmit={submit}
      footer={
        confirmRemove ? (
          <>
            <span className="flex-1" />
            <button
              type="button"
              data-testid="ha-remove-cancel"
              className={buttonClass("secondary", "h-7 px-3")}
              onClick={() => {
                remove.reset();
                setConfirmRemove(false);
              }}
            >
              Cancel
            </button>
            <button type="submit" data-testid="ha-remove-confirm" className={dangerButton} disabled={busy} aria-busy={busy}>
              {remove.isPending ? <LoaderCircle aria-hidden className="size-3.5 animate-spin" /> : null}
              Remove from HA
            </button>
          </>
        ) : (
          <>
            {managed ? (
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
            ) : null}
            <span className="flex-1" />
            <button type="button" data-testid="ha-cancel" className={buttonClass("secondary", "h-7 px-3")} onClick={onClose}>
              Cancel
            </button>
            <button
              type="submit"
              data-testid="ha-submit"
              className={buttonClass("primary", "h-7 px-3")}
              disabled={!form || busy}
              aria-busy={save.isPending}
            >
              {save.isPending ? <LoaderCircle aria-hidden className="size-3.5 animate-spin" /> : null}
              {managed ? "Save" : "Add to HA"}
            </button>
          </>
        )
      }
    >
      {ha.isError ? (
        <ErrorNotice error={ha.error} title={`Could not read the HA settings of ${label}`} />
      ) : !form ? (
        <p className="flex items-center gap-2 text-sm text-muted" data-testid="ha-loading">
          <LoaderCircle aria-hidden className="size-3.5 animate-spin" />
          Reading the HA settings…
        </p>
      ) : confirmRemove ? (
        <div className="space-y-3 text-sm">
          {remove.isError ? (
            <div data-testid="ha-error">
              <ErrorNotice error={remove.error} title={`Could not remove ${label} from HA`} />
            </div>
          ) : null}
          <p>
            The HA manager stops managing {label} ({ha.data?.sid}): it is no longer restarted or moved when its node
            fails. The guest itself keeps running or stays stopped as it is now.
          </p>
        </div>
      ) : (
        <div className="space-y-3 text-sm">
          {refusal ? (
            <div data-testid="ha-error">
              <ErrorNotice error={refusal} title={managed ? `Could not save the HA settings of ${label}` : `Could not add ${label} to HA`} />
            </div>
          ) : null}
          {!managed ? (
            <p className="text-muted" data-testid="ha-unmanaged">
              HA does not manage this guest yet. Added, it is restarted on another node when its node fails.
            </p>
          ) : null}
          <Field label="Requested state" htmlFor={ids.state} hint={stateText} error={fieldError("state")}>
            <select
              {...describedBy(ids.state, { error: fieldError("state"), hint: true })}
              data-testid="ha-state"
              className={selectClass}
              value={form.state}
              onChange={(e) => {
                touch("state");
                const state = HA_STATES.find((s) => s.value === e.target.value)?.value;
                if (state) update({ state });
              }}
            >
              {HA_STATES.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
            </select>
          </Field>
          <div className="grid grid-cols-2 gap-3">
            <Field label="Max. restart" htmlFor={ids.restart} error={fieldError("maxRestart")} errorTestId="ha-max-restart-error">
              <input
                {...describedBy(ids.restart, { error: fieldError("maxRestart") })}
                data-testid="ha-max-restart"
                className={inputClass}
                inputMode="numeric"
                autoComplete="off"
                value={form.maxRestart}
                onChange={(e) => {
                  touch("maxRestart");
                  setCountErrors(({ maxRestart: _, ...rest }) => rest);
                  update({ maxRestart: e.target.value });
                }}
              />
            </Field>
            <Field label="Max. relocate" htmlFor={ids.relocate} error={fieldError("maxRelocate")} errorTestId="ha-max-relocate-error">
              <input
                {...describedBy(ids.relocate, { error: fieldError("maxRelocate") })}
                data-testid="ha-max-relocate"
                className={inputClass}
                inputMode="numeric"
                autoComplete="off"
                value={form.maxRelocate}
                onChange={(e) => {
                  touch("maxRelocate");
                  setCountErrors(({ maxRelocate: _, ...rest }) => rest);
                  update({ maxRelocate: e.target.value });
                }}
              />
            </Field>
          </div>
          <Field
            label="Group"
            htmlFor={ids.group}
            error={fieldError("group")}
            errorTestId="ha-group-error"
            hint="Optional, PVE 8 only. PVE 9 replaced HA groups by node affinity rules (Datacenter → HA → Affinity Rules) and refuses a group once the cluster's groups were migrated."
          >
            <input
              {...describedBy(ids.group, { error: fieldError("group"), hint: true })}
              data-testid="ha-group"
              className={inputClass}
              autoComplete="off"
              spellCheck={false}
              value={form.group}
              onChange={(e) => {
                touch("group");
                update({ group: e.target.value });
              }}
            />
          </Field>
          <Field label="Comment" htmlFor={ids.comment} error={fieldError("comment")}>
            <input
              {...describedBy(ids.comment, { error: fieldError("comment") })}
              data-testid="ha-comment"
              className={inputClass}
              autoComplete="off"
              value={form.comment}
              onChange={(e) => {
                touch("comment");
                update({ comment: e.target.value });
              }}
            />
          </Field>
        </div>
      )}
    </Dialog>
  );
}
