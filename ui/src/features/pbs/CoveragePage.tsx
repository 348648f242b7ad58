// Backup coverage: PVE guests with no backup in the last N days where their own cluster writes
// backups (its `pbs` storages: server, datastore and namespace). N is the saved setting
// `backupCoverageDays`; another N typed here applies to this view and can be saved as the default.
import { useQuery } from "@tanstack/react-query";
import { AlertTriangle, CheckCircle2, Info, ShieldAlert } from "lucide-react";
import { useId, useState } from "react";
import type { CoverageRow } from "@/backend";
import { settingsQuery, useSaveSettings } from "@/features/admin/queries";
import { Breadcrumbs } from "@/ui/Breadcrumbs";
import { ErrorNotice } from "@/ui/ErrorNotice";
import { formatAge, formatDateTime } from "./format";
import { COVERAGE_DAYS_MAX, COVERAGE_DAYS_MIN, coverageQuery, DEFAULT_COVERAGE_DAYS } from "./queries";

function StatusCell({ row }: { row: CoverageRow }) {
  switch (row.status) {
    case "recent":
      return (
        <span className="inline-flex items-center gap-1 text-running">
          <CheckCircle2 aria-hidden className="size-3.5" /> covered
        </span>
      );
    case "noPbsStorage":
      return (
        <span className="inline-flex items-center gap-1 text-warning">
          <Info aria-hidden className="size-3.5" /> no PBS storage configured
        </span>
      );
    default:
      return (
        <span className="inline-flex items-center gap-1 text-error">
          <ShieldAlert aria-hidden className="size-3.5" /> {row.status === "never" ? "never backed up" : "no recent backup"}
        </span>
      );
  }
}

export function CoveragePage() {
  const daysId = useId();
  const settings = useQuery(settingsQuery);
  const saveSettings = useSaveSettings();
  const saved = settings.data?.backupCoverageDays ?? (settings.isError ? DEFAULT_COVERAGE_DAYS : null);
  // What the user typed here, for this view; `null` follows the saved setting.
  const [text, setText] = useState<string | null>(null);
  const [chosen, setChosen] = useState<number | null>(null);
  const days = chosen ?? saved;
  const [showAll, setShowAll] = useState(false);
  const coverage = useQuery({ ...coverageQuery(days ?? DEFAULT_COVERAGE_DAYS), enabled: days !== null });
  const rows: CoverageRow[] = coverage.data?.rows ?? [];
  const missing = rows.filter((r) => !r.backedUpWithin);
  const shown = showAll ? rows : missing;
  const notes = (coverage.data?.storages ?? []).filter((s) => s.note !== null);
  const canSave = settings.data !== undefined && days !== null && days !== settings.data.backupCoverageDays;
  return (
    <>
      <Breadcrumbs items={[{ label: "Datacenter", to: "/" }, { label: "Backup coverage" }]} />
      <div className="flex-1 overflow-auto px-4 py-3">
        <h1 className="text-lg font-semibold">Backup coverage</h1>
        <div className="my-3 flex flex-wrap items-center gap-3 text-sm">
          <label htmlFor={daysId}>Guests with no backup in the last</label>
          <input
            id={daysId}
            type="number"
            min={COVERAGE_DAYS_MIN}
            max={COVERAGE_DAYS_MAX}
            value={text ?? (days === null ? "" : String(days))}
            disabled={days === null}
            onChange={(e) => {
              setText(e.target.value);
              const n = Number(e.target.value.trim());
              if (Number.isInteger(n) && n >= COVERAGE_DAYS_MIN && n <= COVERAGE_DAYS_MAX) setChosen(n);
            }}
            className="h-7 w-20 rounded border border-line-strong bg-surface px-2 tabular-nums"
          />
          <span>{days === 1 ? "day" : "days"}</span>
          {canSave ? (
            <button
              type="button"
              data-testid="coverage-save-days"
              disabled={saveSettings.isPending}
              onClick={() => {
                if (settings.data && days !== null) saveSettings.mutate({ ...settings.data, backupCoverageDays: days });
              }}
              className="h-7 rounded border border-line-strong px-2 hover:bg-sunken"
            >
              Make {days} {days === 1 ? "day" : "days"} the default
            </button>
          ) : null}
          <label className="ml-4 inline-flex items-center gap-1.5">
            <input type="checkbox" checked={showAll} onChange={(e) => setShowAll(e.target.checked)} />
            Show covered guests too
          </label>
          {coverage.data ? (
            <span className="ml-auto text-muted" data-testid="coverage-summary">
              {missing.length} of {rows.length} guests without a recent backup
            </span>
          ) : null}
        </div>
        {saveSettings.isError ? <ErrorNotice error={saveSettings.error} title="Could not save the default window" /> : null}
        {coverage.error ? <ErrorNotice error={coverage.error} title="Backup coverage could not be computed" /> : null}
        {notes.length ? (
          <div role="status" data-testid="coverage-storage-notes" className="mb-3 flex gap-2 rounded border border-line bg-sunken px-3 py-2 text-sm">
            <Info aria-hidden className="mt-0.5 size-4 shrink-0 text-muted" />
            <div>
              <p className="font-medium">How the clusters' backup storages were matched to backup servers</p>
              <ul>
                {notes.map((s) => (
                  <li key={`${s.connectionId}-${s.storage}`}>
                    {s.connection} / {s.storage} ({s.server}:{s.port}, {s.datastore}
                    {s.namespace ? ` / ${s.namespace}` : ""}): {s.note}
                  </li>
                ))}
              </ul>
            </div>
          </div>
        ) : null}
        {coverage.data?.failed.length ? (
          <div role="status" className="mb-3 flex gap-2 rounded border border-warning/40 bg-warning-soft px-3 py-2 text-sm">
            <AlertTriangle aria-hidden className="mt-0.5 size-4 shrink-0 text-warning" />
            <div>
              <p className="font-medium">Some connections did not answer; guests may have backups there.</p>
              <ul>
                {coverage.data.failed.map((f) => (
                  <li key={f.connectionId}>
                    {f.connection}: {f.message}
                  </li>
                ))}
              </ul>
            </div>
          </div>
        ) : null}
        {coverage.isPending ? <p className="text-muted">Reading guests and backups…</p> : null}
        {coverage.data ? (
          <table data-testid="coverage-table" className="w-full border-collapse text-sm tabular-nums">
            <thead className="text-left text-muted">
              <tr>
                {["Cluster", "VMID", "Name", "Type", "Node", "Last backup", "Where", "Status"].map((c) => (
                  <th key={c} scope="col" className="border-b border-line px-2 py-1 font-medium">
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {shown.map((r) => (
                <tr
                  key={`${r.connectionId}-${r.vmid}`}
                  data-testid={`coverage-row-${r.connectionId}-${r.vmid}`}
                  className="border-b border-line/60"
                >
                  <td className="px-2 py-0.5">{r.connection}</td>
                  <td className="px-2 py-0.5">{r.vmid}</td>
                  <td className="px-2 py-0.5">{r.name ?? ""}</td>
                  <td className="px-2 py-0.5">{r.kind === "lxc" ? "CT" : "VM"}</td>
                  <td className="px-2 py-0.5">{r.node ?? ""}</td>
                  <td className="px-2 py-0.5">
                    {r.lastBackup !== null ? (
                      <>
                        {formatDateTime(r.lastBackup)} <span className="text-muted">({formatAge(r.lastBackup)})</span>
                      </>
                    ) : r.status === "noPbsStorage" ? (
                      <span className="text-muted">unknown</span>
                    ) : (
                      <span className="text-error">never</span>
                    )}
                  </td>
                  <td className="px-2 py-0.5 text-muted">{r.lastBackupOn ?? ""}</td>
                  <td className="px-2 py-0.5">
                    <StatusCell row={r} />
                  </td>
                </tr>
              ))}
              {shown.length === 0 ? (
                <tr>
                  <td colSpan={8} className="px-2 py-4 text-center text-muted">
                    Every guest has a backup from the last {days === 1 ? "day" : `${days ?? ""} days`}.
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        ) : null}
      </div>
    </>
  );
}
