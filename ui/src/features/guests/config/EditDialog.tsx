// The one edit flow of the configuration tabs: a dialog whose form was filled from a config
// with a digest. Saving sends that digest; when the config changed elsewhere meanwhile
// (`Conflict`) the form keeps the user's values and offers to reload the config, which shows
// the other change and takes its digest, so a second save applies the user's values over it.
// PVE's 400s (`Invalid`) show under their fields. Nothing typed is lost on any error.
import { AlertTriangle, RefreshCw } from "lucide-react";
import { useState, type ReactNode } from "react";
import { toAppError, type AppError } from "@/backend";
import { buttonClass } from "@/ui/button";
import { Dialog } from "@/ui/Dialog";
import { ErrorNotice } from "@/ui/ErrorNotice";

export type FieldErrors = Record<string, string>;

export function EditDialog({
  title,
  testId,
  fields,
  save,
  reload,
  onClose,
  children,
  saveLabel = "Save",
  width,
}: {
  title: ReactNode;
  testId: string;
  /** The field names (PVE's) the form shows errors for; others are shown above the buttons. */
  fields: readonly string[];
  /** Sends the edit; throws the back end's error. */
  save: () => Promise<void>;
  /** Re-reads what the form was filled from (after a conflict); returns what changed, in words. */
  reload: () => Promise<ReactNode>;
  onClose: () => void;
  children: (errors: FieldErrors) => ReactNode;
  saveLabel?: string;
  width?: string;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const [reloaded, setReloaded] = useState<ReactNode>(null);
  const [reloading, setReloading] = useState(false);

  const submit = async () => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await save();
      setBusy(false);
      onClose();
    } catch (e) {
      setBusy(false);
      setError(toAppError(e));
      setReloaded(null);
    }
  };

  const doReload = async () => {
    setReloading(true);
    try {
      const note = await reload();
      setError(null);
      setReloaded(note ?? "Reloaded: your values are kept. Save to apply them over the other change.");
    } catch (e) {
      setError(toAppError(e));
    } finally {
      setReloading(false);
    }
  };

  const fieldErrors: FieldErrors = error?.code === "Invalid" ? error.fields : {};
  const shown = new Set(fields);
  const others = Object.entries(fieldErrors).filter(([k]) => !shown.has(k));

  return (
    <Dialog
      open
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      title={title}
      testId={testId}
      width={width}
      onSubmit={() => void submit()}
      footer={
        <>
          <span className="flex-1" />
          <button type="button" className={buttonClass("secondary", "h-7 px-3")} onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            data-testid="edit-save"
            disabled={busy}
            className={buttonClass("primary", "h-7 px-3")}
          >
            {busy ? "Saving…" : saveLabel}
          </button>
        </>
      }
    >
      <div className="space-y-3">
        {children(fieldErrors)}
        {error?.code === "Conflict" ? (
          <div
            role="alert"
            data-testid="edit-conflict"
            className="flex items-start gap-2 rounded border border-warning/50 bg-warning-soft px-3 py-2 text-sm"
          >
            <AlertTriangle aria-hidden className="mt-0.5 size-4 shrink-0 text-warning" />
            <div className="min-w-0 flex-1 space-y-1.5">
              <p>{error.message}</p>
              <p className="text-muted">Your values are kept. Reload to see the other change, then save again.</p>
              <button
                type="button"
                data-testid="edit-reload"
                disabled={reloading}
                className={buttonClass("secondary", "h-7 px-2.5")}
                onClick={() => void doReload()}
              >
                <RefreshCw aria-hidden className="size-3.5" />
                {reloading ? "Reloading…" : "Reload"}
              </button>
            </div>
          </div>
        ) : error && (error.code !== "Invalid" || others.length > 0 || Object.keys(fieldErrors).length === 0) ? (
          <div data-testid="edit-error">
            <ErrorNotice
              error={error}
              title={others.length > 0 ? others.map(([k, m]) => `${k}: ${m}`).join("; ") : "The change was not saved"}
            />
          </div>
        ) : null}
        {reloaded ? (
          <div role="status" data-testid="edit-reloaded" className="rounded border border-line bg-raised px-3 py-2 text-sm">
            {reloaded}
          </div>
        ) : null}
      </div>
    </Dialog>
  );
}
