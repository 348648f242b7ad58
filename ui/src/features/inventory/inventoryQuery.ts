// The inventory as the Rust refresh engine pushes it: one snapshot at start (painted from the
// SQLite cache before any cluster answers), then deltas applied in place as events arrive.
import { queryOptions, type QueryClient } from "@tanstack/react-query";
import { api, type ConnectionInventory, type InventoryDelta, type Resource } from "@/backend";

export const inventoryQuery = queryOptions({
  queryKey: ["inventory"] as const,
  queryFn: api.inventorySnapshot,
  // Kept current by events, not by refetching.
  staleTime: Infinity,
  retry: false,
});

/** `snapshot` with `delta` applied: resources matched by id, added, changed or removed. */
export function applyDelta(
  snapshot: ConnectionInventory[] | undefined,
  delta: InventoryDelta,
): ConnectionInventory[] {
  const list = snapshot ?? [];
  const current = list.find((c) => c.connectionId === delta.connectionId);
  const byId = new Map<string, Resource>((current?.resources ?? []).map((r) => [r.id, r]));
  for (const id of delta.removed) byId.delete(id);
  for (const r of [...delta.added, ...delta.changed]) byId.set(r.id, r);
  const next: ConnectionInventory = {
    connectionId: delta.connectionId,
    resources: [...byId.values()],
    fetchedAt: delta.fetchedAt,
    stale: delta.stale,
    error: delta.error,
  };
  return current
    ? list.map((c) => (c.connectionId === delta.connectionId ? next : c))
    : [...list, next];
}

/** Asks the engine for a refresh now (a connection was added or the demo opened) and reloads. */
export function refreshInventory(queryClient: QueryClient): void {
  api.inventoryRefreshNow().then(
    () => queryClient.invalidateQueries({ queryKey: inventoryQuery.queryKey }),
    () => queryClient.invalidateQueries({ queryKey: inventoryQuery.queryKey }),
  );
}
