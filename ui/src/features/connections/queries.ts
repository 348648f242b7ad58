// Query definitions for connections, their cluster resources and the demo datacenter, and
// the back end events that keep them current.
import { queryOptions, useIsMutating, useMutation, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import {
  api,
  onConnectionsChanged,
  onHealthChanged,
  onInventoryChanged,
  type AccessType,
  type Connection,
  type ConnectionKind,
  type InventoryDelta,
} from "@/backend";
import { applyDelta, inventoryQuery, refreshInventory } from "@/features/inventory/inventoryQuery";
import { applyHealthChange } from "./health";

/** How long inventory deltas are gathered before they are applied together. */
export const DELTA_BATCH_MS = 150;

export const connectionsQuery = queryOptions({
  queryKey: ["connections"] as const,
  queryFn: api.connectionsList,
  staleTime: Infinity,
  retry: false,
});

/** How often the tree refreshes a cluster's resources (PVE's own UI polls about as often). */
export const RESOURCES_REFRESH_MS = 5000;

export function resourcesQuery(connectionId: string) {
  return queryOptions({
    queryKey: ["connection-resources", connectionId] as const,
    queryFn: () => api.connectionResources(connectionId),
    refetchInterval: RESOURCES_REFRESH_MS,
    retry: false,
  });
}

const DEMO_OPEN_KEY = ["demo-open"] as const;

/** Adds `added` to the cached list, replacing entries with the same id and keeping the order. */
function mergeConnections(existing: Connection[] | undefined, added: Connection[]): Connection[] {
  const ids = new Set(added.map((c) => c.id));
  return [...(existing ?? []).filter((c) => !ids.has(c.id)), ...added];
}

/** Starts the demo datacenter; its connections go into the cache at once. */
export function useOpenDemo() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationKey: DEMO_OPEN_KEY,
    mutationFn: () => api.demoOpen(),
    onSuccess: (opened) => {
      queryClient.setQueryData(connectionsQuery.queryKey, (existing) => mergeConnections(existing, opened));
      refreshInventory(queryClient);
    },
  });
}

/** True while the demo datacenter is being opened from anywhere in the window. */
export function useIsOpeningDemo(): boolean {
  return useIsMutating({ mutationKey: DEMO_OPEN_KEY }) > 0;
}

/** Stops the demo datacenter; its connections and their cached resources are dropped. */
export function useCloseDemo() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationKey: ["demo-close"] as const,
    mutationFn: () => api.demoClose(),
    onSuccess: async () => {
      const closed = (queryClient.getQueryData(connectionsQuery.queryKey) ?? []).filter((c) => c.demo);
      queryClient.setQueryData(connectionsQuery.queryKey, (existing) => (existing ?? []).filter((c) => !c.demo));
      for (const connection of closed) {
        queryClient.removeQueries({ queryKey: resourcesQuery(connection.id).queryKey });
      }
      await queryClient.invalidateQueries({ queryKey: connectionsQuery.queryKey });
    },
  });
}

/** What each feature needs from an access type; pure in the back end, so cached for good. */
export function featuresQuery(kind: ConnectionKind, access: AccessType, username: string, version: string | null) {
  return queryOptions({
    queryKey: ["connection-features", kind, access, username, version] as const,
    queryFn: () => api.connectionFeatures(kind, access, username, version),
    staleTime: Infinity,
    retry: false,
  });
}

/** Puts a saved connection into the cached list (replacing the one with its id). */
export function putConnection(queryClient: QueryClient, connection: Connection) {
  queryClient.setQueryData(connectionsQuery.queryKey, (existing) => {
    const list = existing ?? [];
    return list.some((c) => c.id === connection.id)
      ? list.map((c) => (c.id === connection.id ? connection : c))
      : [...list, connection];
  });
  if (!connection.enabled) queryClient.removeQueries({ queryKey: resourcesQuery(connection.id).queryKey });
  // A new or newly enabled cluster: have the engine fetch it now rather than at its next tick.
  refreshInventory(queryClient);
}

/** Drops a removed connection and its cached resources. */
export function dropConnection(queryClient: QueryClient, id: string) {
  queryClient.setQueryData(connectionsQuery.queryKey, (existing) => existing?.filter((c) => c.id !== id));
  queryClient.removeQueries({ queryKey: resourcesQuery(id).queryKey });
}

/** Enables or disables a connection; a disabled one is neither checked nor queried. */
export function useSetConnectionEnabled() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, enabled }: { id: string; enabled: boolean }) => api.connectionSetEnabled(id, enabled),
    onSuccess: (connection) => putConnection(queryClient, connection),
  });
}

/** Marks "Check now" calls, so the tree can show which connections are being checked. */
export const CHECK_CONNECTION_KEY = ["connection-check"] as const;

/** Switches a demo cluster off or on again, to see what an outage looks like. */
export function useDemoOutage() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, down }: { id: string; down: boolean }) => api.demoOutage(id, down),
    onSuccess: (connection) => putConnection(queryClient, connection),
  });
}

/** Checks a connection's health now; the answer goes into the cached list at once. */
export function useCheckConnection() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationKey: CHECK_CONNECTION_KEY,
    mutationFn: (id: string) => api.connectionCheck(id),
    onSuccess: (health, id) => {
      queryClient.setQueryData(connectionsQuery.queryKey, (existing) =>
        existing?.map((c) => (c.id === id ? { ...c, health } : c)),
      );
    },
  });
}

/** The query clients whose inventory follows the engine's deltas already. */
const synced = new WeakSet<QueryClient>();

/**
 * Applies the engine's inventory deltas to the cached snapshot, once per query client. Called
 * at start before the snapshot is asked for (so no delta of the first refresh is missed), and
 * by the window's event hook (tests render without that start). A refresh sends one delta per
 * cluster within a few hundred milliseconds; they are applied together, so the guest rows are
 * re-derived (and re-sorted) once, not once per cluster. Deltas that arrive before the
 * snapshot itself wait for it: applied to nothing, the snapshot's arrival would drop them.
 */
export function syncInventory(queryClient: QueryClient): () => void {
  if (synced.has(queryClient)) return () => {};
  synced.add(queryClient);
  let pending: InventoryDelta[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    timer = null;
    if (queryClient.getQueryData(inventoryQuery.queryKey) === undefined) {
      timer = setTimeout(flush, DELTA_BATCH_MS);
      return;
    }
    const batch = pending;
    pending = [];
    queryClient.setQueryData(inventoryQuery.queryKey, (existing) => batch.reduce(applyDelta, existing));
  };
  const stop = onInventoryChanged((delta) => {
    pending.push(delta);
    timer ??= setTimeout(flush, DELTA_BATCH_MS);
  });
  return () => {
    if (timer !== null) clearTimeout(timer);
    stop();
    synced.delete(queryClient);
  };
}

/**
 * Keeps the connection list current while the window is open: a health change updates the
 * cached list in place, any other change makes it refetch.
 */
export function useConnectionEvents() {
  const queryClient = useQueryClient();
  useEffect(() => {
    const stopChanged = onConnectionsChanged(() => {
      void queryClient.invalidateQueries({ queryKey: connectionsQuery.queryKey });
      refreshInventory(queryClient);
    });
    const stopInventory = syncInventory(queryClient);
    // The engine refreshes every 5 s while the window is visible and every 60 s when not.
    const visibility = () => {
      api.windowVisibility(!document.hidden).catch(() => {});
    };
    document.addEventListener("visibilitychange", visibility);
    const stopHealth = onHealthChanged((change) => {
      queryClient.setQueryData(connectionsQuery.queryKey, (existing) => applyHealthChange(existing, change));
    });
    return () => {
      stopChanged();
      stopHealth();
      stopInventory();
      document.removeEventListener("visibilitychange", visibility);
    };
  }, [queryClient]);
}
