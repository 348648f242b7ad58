// The one door to the inventory for the tree, the guest table and the search: the connections
// and, per enabled PVE connection, its last known resources, from the Rust refresh engine
// (a snapshot painted from the cache, then deltas; see inventoryQuery.ts).
import { useQuery } from "@tanstack/react-query";
import { toAppError, type AppError, type Connection, type ConnectionInventory, type Resource } from "@/backend";
import { connectionsQuery } from "@/features/connections/queries";
import { inventoryQuery } from "./inventoryQuery";

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
  const snapshot = useQuery(inventoryQuery);
  const connections = list.data ?? EMPTY;
  const known = new Map<string, ConnectionInventory>((snapshot.data ?? []).map((c) => [c.connectionId, c]));
  const failed = snapshot.isError ? toAppError(snapshot.error) : null;

  const resourcesByConnection = new Map<string, ConnectionResources>();
  for (const c of connections.filter(hasResources)) {
    const inv = known.get(c.id);
    resourcesByConnection.set(c.id, {
      resources: inv?.resources ?? EMPTY_RESOURCES,
      stale: inv !== undefined && inv.stale && inv.fetchedAt !== null,
      fetchedAt: inv?.fetchedAt ?? null,
      error: inv?.error ? unreachable(inv.error) : failed,
    });
  }
  return {
    connections,
    resourcesByConnection,
    pending: list.isPending,
    error: list.isError ? toAppError(list.error) : null,
  };
}

/** The engine's reason for a failed refresh, as the error the tree and table show. */
function unreachable(message: string): AppError {
  return { code: "Unreachable", message, detail: null, fields: {} };
}

const EMPTY: Connection[] = [];
const EMPTY_RESOURCES: Resource[] = [];
