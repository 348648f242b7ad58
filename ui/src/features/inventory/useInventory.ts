// The one door to the inventory for the tree, the guest table and the search: the connections
// and, per enabled PVE connection, its last known resources. Today it polls through TanStack
// Query; its insides can change (a push-based engine) without touching its users.
import { useQueries, useQuery } from "@tanstack/react-query";
import { toAppError, type AppError, type Connection, type Resource } from "@/backend";
import { connectionsQuery, resourcesQuery } from "@/features/connections/queries";

/** What is known of one connection's resources. */
export interface ConnectionResources {
  /** The last known resources (empty until the first answer). */
  resources: Resource[];
  /** True when `resources` are the last known ones but the latest refresh failed. */
  stale: boolean;
  /** When `resources` were fetched (ISO 8601); `null` before the first answer. */
  fetchedAt: string | null;
  /** Why the latest fetch failed, if it did. */
  error: AppError | null;
}

export interface Inventory {
  /** All connections, in their saved order (empty while loading). */
  connections: Connection[];
  /** One entry per connection whose resources are fetched (enabled PVE connections). */
  resourcesByConnection: Map<string, ConnectionResources>;
  /** The connection list itself: still loading, or failed. */
  pending: boolean;
  error: AppError | null;
}

/** Whether a connection's resources are fetched at all (disabled ones and PBS are not). */
export const hasResources = (c: Connection) => c.kind === "pve" && c.enabled;

/** A connection whose resources are not loaded yet: nothing fetched and nothing failed. */
export const isLoading = (r: ConnectionResources | undefined) =>
  r !== undefined && r.fetchedAt === null && r.error === null;

export function useInventory(): Inventory {
  const list = useQuery(connectionsQuery);
  const connections = list.data ?? EMPTY;
  const clusters = connections.filter(hasResources);
  const results = useQueries({ queries: clusters.map((c) => resourcesQuery(c.id)) });

  const resourcesByConnection = new Map<string, ConnectionResources>();
  clusters.forEach((c, i) => {
    const q = results[i];
    if (!q) return;
    const hasData = q.data !== undefined;
    resourcesByConnection.set(c.id, {
      resources: q.data ?? EMPTY_RESOURCES,
      stale: hasData && q.isError,
      fetchedAt: hasData && q.dataUpdatedAt > 0 ? new Date(q.dataUpdatedAt).toISOString() : null,
      error: q.isError ? toAppError(q.error) : null,
    });
  });
  return {
    connections,
    resourcesByConnection,
    pending: list.isPending,
    error: list.isError ? toAppError(list.error) : null,
  };
}

const EMPTY: Connection[] = [];
const EMPTY_RESOURCES: Resource[] = [];
