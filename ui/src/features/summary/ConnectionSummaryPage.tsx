// `/c/$conn`: a connection's summary — for a PVE cluster its members, quorum, guests and
// resource use, as PVE's Datacenter > Summary shows them.
import { useQuery } from "@tanstack/react-query";
import { getRouteApi, Link } from "@tanstack/react-router";
import type { ClusterSummary, Connection } from "@/backend";
import { connectionsQuery } from "@/features/connections/queries";
import { Breadcrumbs } from "@/ui/Breadcrumbs";
import { useFreshness } from "@/features/inventory/freshness";
import { formatBytes } from "./format";
import { Fetched, OfflineBanner } from "./Offline";
import { KeyValues, Panel, SummaryBody, UsageBar } from "./Panel";
import { clusterSummaryQuery } from "./queries";

const route = getRouteApi("/c/$conn");

export function ClusterFigures({ summary }: { summary: ClusterSummary }) {
  return (
    <div className="grid gap-4 md:grid-cols-2">
      <Panel title="Health">
        <KeyValues
          rows={[
            ["Cluster", summary.name ?? "Standalone node"],
            [
              "Quorum",
              <span key="q" className={summary.quorate ? "text-running" : "text-error"}>
                {summary.quorate ? "Quorate" : "No quorum"}
              </span>,
            ],
            ["Nodes online", `${summary.nodesOnline} of ${summary.nodes.length}`],
            ["Guests running", `${summary.guestsRunning} of ${summary.guestsTotal}`],
          ]}
        />
        <ul className="mt-3 flex flex-wrap gap-1.5" aria-label="Nodes">
          {summary.nodes.map((n) => (
            <li
              key={n.name}
              className="inline-flex items-center gap-1.5 rounded border border-line px-1.5 py-0.5 text-sm"
            >
              <span
                aria-hidden
                className={`size-2 rounded-full ${n.online ? "bg-running" : "bg-error"}`}
              />
              {n.name}
              <span className="sr-only">{n.online ? "online" : "offline"}</span>
            </li>
          ))}
        </ul>
      </Panel>
      <Panel title="Resources">
        <div className="space-y-3">
          <UsageBar label="CPU" used={summary.cpu.used} total={summary.cpu.total} format={(v) => `${v.toFixed(1)} CPUs`} />
          <UsageBar label="Memory" used={summary.memory.used} total={summary.memory.total} format={formatBytes} />
          <UsageBar label="Storage" used={summary.storage.used} total={summary.storage.total} format={formatBytes} />
        </div>
      </Panel>
    </div>
  );
}

function ConnectionBody({ conn, connection }: { conn: string; connection: Connection | undefined }) {
  const pve = connection === undefined || connection.kind === "pve";
  const summary = useQuery({ ...clusterSummaryQuery(conn), enabled: pve });
  const freshness = useFreshness(conn);
  if (!pve) {
    return (
      <Panel title="Backup server">
        <p className="text-muted">
          {connection.name} is a Proxmox Backup Server.{" "}
          <Link to="/pbs/$conn" params={{ conn }} className="text-accent underline" data-testid="open-pbs">
            Open its datastores
          </Link>{" "}
          or the{" "}
          <Link to="/backups/coverage" className="text-accent underline">
            backup coverage
          </Link>
          .
        </p>
      </Panel>
    );
  }
  return (
    <Fetched query={summary} freshness={freshness} what="the cluster summary" errorTitle="Could not load the cluster summary">
      {(data) => <ClusterFigures summary={data} />}
    </Fetched>
  );
}

export function ConnectionSummaryPage() {
  const { conn } = route.useParams();
  const connections = useQuery(connectionsQuery);
  const connection = connections.data?.find((c) => c.id === conn);
  const name = connection?.name ?? conn;
  return (
    <>
      <Breadcrumbs items={[{ label: "Datacenter", to: "/" }, { label: name }]} />
      <SummaryBody testId="summary-connection">
        <h1 className="text-xl font-semibold">{name}</h1>
        {connection?.pool ? (
          <p data-testid="connection-pool" className="text-sm text-muted">
            Bound to pool <span className="font-medium text-fg">{connection.pool}</span>: only its guests are shown and
            acted on.
          </p>
        ) : null}
        <OfflineBanner conn={conn} />
        <ConnectionBody conn={conn} connection={connection} />
      </SummaryBody>
    </>
  );
}
