// The snapshot panel's dialogs: take one (name, description, RAM), roll back to one, remove one.
// Each keeps its form and shows the cluster's refusal in place; a started task closes it.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Camera, History, Trash2 } from "lucide-react";
import { useId, useState, type ReactNode } from "react";
import { api, toAppError, type GuestRef, type GuestSnapshot, type TrackedTask } from "@/backend";
import { tasksQuery } from "@/features/tasks/queries";
import { buttonClass } from "@/ui/button";
import { Dialog } from "@/ui/Dialog";
import { ErrorNotice } from "@/ui/ErrorNotice";
import { CheckboxField, checkboxClass, describedBy, Field, inputClass, textareaClass } from "@/ui/form";
import { snapshotNameError } from "./tree";

/** The field PVE names the snapshot's name with (`snapname`), as errors carry it. */
const NAME_FIELDS = ["snapname", "name"] as const;

function useStartedTask(onStarted: (task: TrackedTask) => void) {
  const queryClient = useQueryClient();
  return (task: TrackedTask) => {
    void queryClient.invalidateQueries({ queryKey: tasksQuery.queryKey });
    onStarted(task);
  };
}

export function TakeSnapshotDialog({
  guest,
  offerRam,
  existing,
  onClose,
  onStarted,
}: {
  guest: GuestRef;
  /** A running VM can save its RAM too. */
  offerRam: boolean;
  existing: readonly GuestSnapshot[];
  onClose: () => void;
  onStarted: (task: TrackedTask) => void;
}) {
  const id = useId();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [ram, setRam] = useState(true);
  const [tried, setTried] = useState(false);
  const started = useStartedTask(onStarted);
  const create = useMutation({
    mutationFn: () => api.guestSnapshotCreate(guest, { name: name.trim(), description, vmstate: offerRam && ram }),
    onSuccess: (task) => {
      started(task);
      onClose();
    },
  });
  const localError = tried ? snapshotNameError(name.trim(), existing) : null;
  const appError = create.isError ? toAppError(create.error) : null;
  const serverNameError = appError ? (NAME_FIELDS.map((f) => appError.fields[f]).find(Boolean) ?? null) : null;
  const nameError = localError ?? serverNameError;
  const submit = () => {
    setTried(true);
    if (create.isPending || snapshotNameError(name.trim(), existing) !== null) return;
    create.mutate();
  };
  return (
    <Dialog
      open
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      testId="snapshot-take"
      title="Take Snapshot"
      icon={<Camera aria-hidden className="size-4 text-muted" />}
      onSubmit={submit}
      footer={
        <>
          <span className="flex-1" />
          <button type="button" className={buttonClass("secondary", "h-8 px-3")} onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            data-testid="snapshot-take-ok"
            disabled={create.isPending}
            className={buttonClass("primary", "h-8 px-3")}
          >
            {create.isPending ? "Taking…" : "Take Snapshot"}
          </button>
        </>
      }
    >
      <div className="space-y-3">
        <Field
          label="Name"
          htmlFor={`${id}-name`}
          error={nameError}
          errorTestId="snapshot-name-error"
          hint={nameError ? undefined : "2–40 characters: a letter first, then letters, digits, - or _."}
        >
          <input
            {...describedBy(`${id}-name`, { error: nameError, hint: !nameError })}
            data-testid="snapshot-name"
            className={inputClass}
            value={name}
            autoComplete="off"
            spellCheck={false}
            maxLength={40}
            onChange={(e) => {
              setName(e.target.value);
              if (serverNameError) create.reset();
            }}
          />
        </Field>
        <Field label="Description" htmlFor={`${id}-description`}>
          <textarea
            id={`${id}-description`}
            data-testid="snapshot-description"
            className={textareaClass}
            rows={3}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
        </Field>
        {offerRam ? (
          <label className="flex items-start gap-2 text-sm">
            <input
              type="checkbox"
              data-testid="snapshot-ram"
              className={`${checkboxClass} mt-0.5`}
              checked={ram}
              onChange={(e) => setRam(e.target.checked)}
            />
            <span>
              Include RAM
              <span className="block text-xs text-muted">
                Saves the running VM’s memory too, so a rollback resumes it where it was.
              </span>
            </span>
          </label>
        ) : null}
        {appError && !serverNameError ? <ErrorNotice error={create.error} title="Could not take the snapshot" /> : null}
      </div>
    </Dialog>
  );
}

/**
 * A confirmation that starts a task: the question, an OK button that runs `run`, the
 * cluster's refusal in place. The started task closes it.
 */
function ConfirmTaskDialog({
  testId,
  tone,
  title,
  icon,
  okLabel,
  errorTitle,
  run,
  onClose,
  onStarted,
  children,
}: {
  testId: string;
  tone: "warning" | "danger";
  title: string;
  icon: ReactNode;
  okLabel: string;
  errorTitle: string;
  run: () => Promise<TrackedTask>;
  onClose: () => void;
  onStarted: (task: TrackedTask) => void;
  children: ReactNode;
}) {
  const started = useStartedTask(onStarted);
  const action = useMutation({
    mutationFn: run,
    onSuccess: (task) => {
      started(task);
      onClose();
    },
  });
  return (
    <Dialog
      open
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      testId={testId}
      tone={tone}
      title={title}
      icon={icon}
      onSubmit={() => {
        if (!action.isPending) action.mutate();
      }}
      footer={
        <>
          <span className="flex-1" />
          <button type="button" className={buttonClass("secondary", "h-8 px-3")} onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            data-testid={`${testId}-ok`}
            disabled={action.isPending}
            className={buttonClass("primary", "h-8 px-3")}
          >
            {okLabel}
          </button>
        </>
      }
    >
      <div className="space-y-3">
        {children}
        {action.isError ? <ErrorNotice error={action.error} title={errorTitle} /> : null}
      </div>
    </Dialog>
  );
}

export function RollbackDialog({
  guest,
  snapshot,
  offerStart,
  onClose,
  onStarted,
}: {
  guest: GuestRef;
  snapshot: string;
  /** The guest is stopped: it may be started once rolled back. */
  offerStart: boolean;
  onClose: () => void;
  onStarted: (task: TrackedTask) => void;
}) {
  const [start, setStart] = useState(false);
  return (
    <ConfirmTaskDialog
      testId="snapshot-rollback"
      tone="warning"
      title="Rollback"
      icon={<History aria-hidden className="size-4 text-warning" />}
      okLabel="Rollback"
      errorTitle="Could not roll back"
      run={() => api.guestSnapshotRollback(guest, snapshot, offerStart && start)}
      onClose={onClose}
      onStarted={onStarted}
    >
      <p data-testid="snapshot-rollback-text">
        Rollback to snapshot <strong>{snapshot}</strong>? {"This will revert the guest's state; changes since then are lost."}
      </p>
      {offerStart ? (
        <CheckboxField testId="snapshot-rollback-start" checked={start} onChange={setStart}>
          Start after rollback
        </CheckboxField>
      ) : null}
    </ConfirmTaskDialog>
  );
}

export function RemoveSnapshotDialog({
  guest,
  snapshot,
  onClose,
  onStarted,
}: {
  guest: GuestRef;
  snapshot: string;
  onClose: () => void;
  onStarted: (task: TrackedTask) => void;
}) {
  return (
    <ConfirmTaskDialog
      testId="snapshot-remove"
      tone="danger"
      title="Remove snapshot"
      icon={<Trash2 aria-hidden className="size-4 text-error" />}
      okLabel="Remove"
      errorTitle="Could not remove the snapshot"
      run={() => api.guestSnapshotDelete(guest, snapshot)}
      onClose={onClose}
      onStarted={onStarted}
    >
      <p data-testid="snapshot-remove-text">
        Remove snapshot <strong>{snapshot}</strong>? Its saved state is deleted; the guest as it is now stays.
      </p>
    </ConfirmTaskDialog>
  );
}
