// A Backup Server: its datastores with usage, estimated full date and garbage collection, and
// the backup groups of the selected datastore.
import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "@tanstack/react-router";
import { CheckCircle2, Database, ShieldCheck, XCircle } from "lucide-react";
import { useState } from "react";
import type { Datastore, GcInfo } from "@/backend";
import { connectionsQuery } from "@/features/connections/queries";
import { Breadcrumbs } from "@/ui/Breadcrumbs";
import { ErrorNotice } from "@/ui/ErrorNotice";
import { formatAge, formatBytes, formatDate, formatDateTime } from "./format";
import { datastoresQuery, groupsQuery } from "./queries";

export function PbsPage() {
  const { conn = "" } = useParams({ strict: false });
  const connections = useQuery(connectionsQuery);
  const name = connections.data?.find((c) => c.id === conn)?.name ?? conn;
  const stores = useQuery(datastoresQuery(conn));
  const [picked, setPicked] = useState<string | null>(null);
  const selected = picked ?? stores.data?.[0]?.name ?? null;
  return (
    <>
      <Breadcrumbs items={[{ label: "Datacenter", to: "/" }, { label: name }]} />
      <div className="flex-1 overflow-auto px-4 py-3">
        <div className="mb-3 flex items-center gap-3">
          <h1 className="text-lg font-semibold">Datastores of {name}</h1>
          <Link to="/backups/coverage" className="text-sm text-accent hover:underline">
            Backup coverage
          </Link>
        </div>
        {stores.error ? <ErrorNotice error={stores.error} title="The datastores could not be read" /> : null}
        {stores.isPending ? <p className="text-muted">Reading datastores…</p> : null}
        {stores.data && stores.data.length === 0 ? (
          <p className="text-muted">This backup server has no datastore this login may see.</p>
        ) : null}
        <div className="grid grid-cols-[repeat(auto-fill,minmax(20rem,1fr))] gap-3">
          {stores.data?.map((d) => (
            <DatastoreCard key={d.name} store={d} selected={d.name === selected} onSelect={() => setPicked(d.name)} />
          ))}
        </div>
        {selected ? <GroupsTable connectionId={conn} store={selected} /> : null}
      </div>
    </>
  );
}

function UsageBar({ used, total }: { used: number; total: number }) {
  const pct = total > 0 ? Math.min(100, (used / total) * 100) : 0;
  const color = pct >= 90 ? "bg-error" : pct >= 75 ? "bg-warning" : "bg-accent";
  return (
    <div
      role="meter"
      aria-label="Usage"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(pct)}
      className="h-2 overflow-hidden rounded bg-sunken"
    >
      <div className={`h-full ${color}`} style={{ width: `${pct}%` }} />
    </div>
  );
}

function DatastoreCard({ store, selected, onSelect }: { store: Datastore; selected: boolean; onSelect: () => void }) {
  const { total, used } = store;
  const pct = total && used !== null ? Math.round((used / total) * 100) : null;
  return (
    <button
      type="button"
      data-testid={`pbs-datastore-${store.name}`}
      aria-pressed={selected}
      onClick={onSelect}
      className={
        "flex flex-col gap-2 rounded border bg-surface p-3 text-left text-sm " +
        (selected ? "border-accent ring-1 ring-accent" : "border-line hover:border-line-strong")
      }
    >
      <span className="flex items-center gap-2 font-semibold">
        <Database aria-hidden className="size-4 text-muted" />
        {store.name}
        {pct !== null ? <span className="ml-auto font-normal text-muted tabular-nums">{pct} %</span> : null}
      </span>
      {total !== null && used !== null ? (
        <>
          <UsageBar used={used} total={total} />
          <span className="tabular-nums text-muted">
            {formatBytes(used)} of {formatBytes(total)} used, {formatBytes(store.avail)} free
          </span>
        </>
      ) : (
        <span className="text-muted">{store.error ?? "Usage is not visible to this login."}</span>
      )}
      <span>
        <span className="text-muted">Estimated full: </span>
        {store.estimatedFullDate !== null ? formatDate(store.estimatedFullDate) : "not growing"}
      </span>
      <GcLine gc={store.gc} />
    </button>
  );
}

function GcLine({ gc }: { gc: GcInfo | null }) {
  if (!gc) return <span className="text-muted">Garbage collection: unknown</span>;
  const ok = gc.lastRunState === "ok";
  return (
    <span className="flex flex-col gap-0.5">
      <span className="flex items-center gap-1">
        <span className="text-muted">Garbage collection: </span>
        {gc.lastRunState === null ? (
          "never ran"
        ) : (
          <>
            {ok ? (
              <CheckCircle2 aria-hidden className="size-3.5 text-running" />
            ) : (
              <XCircle aria-hidden className="size-3.5 text-error" />
            )}
            {ok ? "OK" : gc.lastRunState}
            {gc.lastRunEndtime !== null ? `, ${formatAge(gc.lastRunEndtime)}` : ""}
          </>
        )}
      </span>
      <span className="text-muted tabular-nums">
        {gc.removedBytes !== null ? `removed ${formatBytes(gc.removedBytes)}` : ""}
        {gc.pendingBytes ? `, pending ${formatBytes(gc.pendingBytes)}` : ""}
        {gc.nextRun !== null ? ` · next ${formatDateTime(gc.nextRun)}` : ""}
      </span>
    </span>
  );
}

function GroupsTable({ connectionId, store }: { connectionId: string; store: string }) {
  const groups = useQuery(groupsQuery(connectionId, store));
  return (
    <section className="mt-4" aria-label={`Backup groups of ${store}`}>
      <h2 className="mb-2 text-base font-semibold">Backup groups of {store}</h2>
      {groups.error ? <ErrorNotice error={groups.error} title="The backup groups could not be read" /> : null}
      <table data-testid="pbs-groups" className="w-full border-collapse text-sm tabular-nums">
        <thead className="text-left text-muted">
          <tr>
            {["Namespace", "Type", "ID", "Last backup", "Snapshots", "Verified", "Size (last)", "Owner"].map((c) => (
              <th key={c} scope="col" className="border-b border-line px-2 py-1 font-medium">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {groups.data?.map((g) => {
            const last = g.snapshots[0];
            return (
              <tr key={`${g.ns}:${g.backupType}/${g.backupId}`} className="border-b border-line/60">
                <td className="px-2 py-0.5 text-muted">{g.ns || "(root)"}</td>
                <td className="px-2 py-0.5">{g.backupType}</td>
                <td className="px-2 py-0.5">{g.backupId}</td>
                <td className="px-2 py-0.5">
                  {formatDateTime(g.lastBackup)} <span className="text-muted">({formatAge(g.lastBackup)})</span>
                </td>
                <td className="px-2 py-0.5">{g.count}</td>
                <td className="px-2 py-0.5">
                  {last?.verification === "ok" ? (
                    <ShieldCheck aria-label="verified" className="size-3.5 text-running" />
                  ) : (
                    (last?.verification ?? <span className="text-muted">not yet</span>)
                  )}
                </td>
                <td className="px-2 py-0.5">{formatBytes(last?.size)}</td>
                <td className="px-2 py-0.5 text-muted">{g.owner ?? ""}</td>
              </tr>
            );
          })}
          {groups.data?.length === 0 ? (
            <tr>
              <td colSpan={8} className="px-2 py-3 text-center text-muted">
                No backups in this datastore.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </section>
  );
}
