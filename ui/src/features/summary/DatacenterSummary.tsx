// The datacenter root's summary: one card per enabled PVE cluster with its health and use.
// The lead mounts it on `/` once connections exist.
import { useQuery } from "@tanstack/react-query";
import type { Connection } from "@/backend";
import { connectionsQuery } from "@/features/connections/queries";
import { ErrorNotice } from "@/ui/ErrorNotice";
import { ClusterFigures } from "./ConnectionSummaryPage";
import { Loading } from "./Panel";
import { clusterSummaryQuery } from "./queries";

function ClusterCard({ connection }: { connection: Connection }) {
  const summary = useQuery(clusterSummaryQuery(connection.id));
  return (
    <section aria-label={connection.name} data-testid={`datacenter-cluster-${connection.id}`} className="space-y-2">
      <h2 className="text-lg font-semibold">{connection.name}</h2>
      {summary.isError ? (
        <ErrorNotice error={summary.error} title={`Could not load the summary of ${connection.name}`} />
      ) : summary.data ? (
        <ClusterFigures summary={summary.data} />
      ) : (
        <Loading what={`the summary of ${connection.name}`} />
      )}
    </section>
  );
}

export function DatacenterSummary() {
  const connections = useQuery(connectionsQuery);
  if (connections.isError) return <ErrorNotice error={connections.error} title="Could not list the connections" />;
  if (!connections.data) return <Loading what="connections" />;
  const clusters = connections.data.filter((c) => c.kind === "pve" && c.enabled);
  return (
    <div data-testid="summary-datacenter" className="space-y-6">
      {clusters.length === 0 ? <p className="text-muted">No enabled cluster connections.</p> : null}
      {clusters.map((c) => (
        <ClusterCard key={c.id} connection={c} />
      ))}
    </div>
  );
}
