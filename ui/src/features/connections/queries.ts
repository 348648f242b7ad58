// Query definitions for connections, their cluster resources and the demo datacenter.
import { queryOptions, useIsMutating, useMutation, useQueryClient } from "@tanstack/react-query";
import { api, type Connection } from "@/backend";

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
