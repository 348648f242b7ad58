// Removing a connection is destructive: the name must be typed. An API token connection can
// also delete its token on the cluster; what happened is reported before the dialog closes.
import { useQueryClient } from "@tanstack/react-query";
import { Check, LoaderCircle, Trash2, TriangleAlert } from "lucide-react";
import { useId, useState } from "react";
import { api, toAppError, type AppError, type Connection, type RemoveReport } from "@/backend";
import { buttonClass } from "@/ui/button";
import { Dialog } from "@/ui/Dialog";
import { ErrorNotice } from "@/ui/ErrorNotice";
import { checkboxClass, describedBy, Field, inputClass } from "@/ui/form";
import { DisabledReason } from "@/ui/Tooltip";
import { connectionsQuery, dropConnection } from "./queries";

const dangerButton = buttonClass("primary", "h-7 px-3 bg-error enabled:hover:bg-error/85");

function Report({ connection, report, deleteToken }: { connection: Connection; report: RemoveReport; deleteToken: boolean }) {
  return (
    <div data-testid="remove-report" className="space-y-2 text-sm">
      <p className="flex items-center gap-1.5 font-medium">
        <Check aria-hidden className="size-4 text-running" />
        Removed {connection.name}.
      </p>
      <ul className="space-y-0.5 pl-6 text-muted">
        <li>
          {report.secretsDeleted === 0
            ? "No secrets were in the keychain."
            : `Deleted ${report.secretsDeleted} ${report.secretsDeleted === 1 ? "secret" : "secrets"} from the keychain.`}
        </li>
        {report.tokenDeleted ? <li>Deleted the API token {connection.tokenId} on the cluster.</li> : null}
        {deleteToken || report.tokenDeleted ? null : <li>Nothing was changed on the server.</li>}
      </ul>
      {report.tokenError ? (
        <div
          role="alert"
          data-testid="remove-token-error"
          className="flex gap-2 rounded border border-warning/50 bg-warning-soft px-3 py-2"
        >
          <TriangleAlert aria-hidden className="mt-0.5 size-4 shrink-0 text-warning" />
          <div>
            <p className="font-medium">The API token {connection.tokenId} is still on the cluster.</p>
            <p>{report.tokenError}</p>
            <p className="mt-0.5 text-muted">Delete it there: Datacenter → Permissions → API Tokens.</p>
          </div>
        </div>
      ) : null}
    </div>
  );
}

export function RemoveDialog({
  connection,
  returnFocus = null,
  onClose,
}: {
  connection: Connection;
  returnFocus?: HTMLElement | null;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const id = useId();
  const [typed, setTyped] = useState("");
  const [deleteToken, setDeleteToken] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const [report, setReport] = useState<RemoveReport | null>(null);
  const isToken = connection.access === "apiToken" && connection.tokenId !== null;
  const matches = typed.trim() === connection.name;

  const remove = async () => {
    if (!matches || busy) return;
    setBusy(true);
    setError(null);
    try {
      const result = await api.connectionRemove(connection.id, isToken && deleteToken);
      dropConnection(queryClient, connection.id);
      void queryClient.invalidateQueries({ queryKey: connectionsQuery.queryKey });
      setReport(result);
    } catch (e) {
      setError(toAppError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      testId="remove-dialog"
      returnFocus={returnFocus}
      tone="danger"
      width="max-w-md"
      icon={<Trash2 aria-hidden className="size-5 text-error" />}
      title={`Remove ${connection.name}?`}
      onSubmit={report ? onClose : () => void remove()}
      footer={
        report ? (
          <>
            <span className="flex-1" />
            <button type="submit" data-testid="remove-done" className={buttonClass("primary", "h-7 px-3")}>
              Done
            </button>
          </>
        ) : (
          <>
            <span className="flex-1" />
            <button
              type="button"
              data-testid="remove-cancel"
              className={buttonClass("secondary", "h-7 px-3")}
              onClick={onClose}
            >
              Cancel
            </button>
            <DisabledReason reason={matches ? null : "Type the connection's name to confirm"}>
              <button
                type="submit"
                data-testid="remove-confirm"
                className={dangerButton}
                disabled={busy}
                aria-busy={busy}
              >
                {busy ? <LoaderCircle aria-hidden className="size-3.5 animate-spin" /> : null}
                Remove
              </button>
            </DisabledReason>
          </>
        )
      }
    >
      {report ? (
        <Report connection={connection} report={report} deleteToken={isToken && deleteToken} />
      ) : (
        <div className="space-y-3 text-sm">
          {error ? <ErrorNotice title="Could not remove the connection" error={error} /> : null}
          <p>
            Proxdeck forgets this connection: its settings, its cached inventory and its secrets in the keychain.
            {isToken ? "" : " Nothing changes on the server."}
          </p>
          <Field
            label={
              <>
                Type <span className="font-mono">{connection.name}</span> to confirm
              </>
            }
            htmlFor={`${id}-name`}
          >
            <input
              {...describedBy(`${id}-name`, {})}
              data-testid="remove-confirm-name"
              className={inputClass}
              autoComplete="off"
              spellCheck={false}
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
            />
          </Field>
          {isToken ? (
            <div className="flex items-start gap-2">
              <input
                id={`${id}-token`}
                type="checkbox"
                data-testid="remove-delete-token"
                className={`${checkboxClass} mt-0.5`}
                checked={deleteToken}
                onChange={(e) => setDeleteToken(e.target.checked)}
              />
              <label htmlFor={`${id}-token`}>
                Also delete the API token <span className="font-mono">{connection.tokenId}</span> on the cluster
                <span className="block text-xs text-muted">
                  Whatever else uses this token stops working. If the cluster cannot be reached, the connection is
                  removed anyway and you are told.
                </span>
              </label>
            </div>
          ) : null}
        </div>
      )}
    </Dialog>
  );
}
