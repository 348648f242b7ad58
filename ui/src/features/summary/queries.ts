// Query definitions for the summary pages. Status polls about as often as PVE's own
// summary does; RRD history only changes once a minute at the finest resolution.
import { queryOptions } from "@tanstack/react-query";
import { api, type GuestType, type RrdCf, type RrdTarget, type RrdTimeframe } from "@/backend";

export const STATUS_REFRESH_MS = 5000;
export const RRD_REFRESH_MS = 60_000;

export function clusterSummaryQuery(conn: string) {
  return queryOptions({
    queryKey: ["summary", "cluster", conn] as const,
    queryFn: () => api.monitorClusterSummary(conn),
    refetchInterval: STATUS_REFRESH_MS,
    retry: false,
  });
}

export function nodeStatusQuery(conn: string, node: string) {
  return queryOptions({
    queryKey: ["summary", "node", conn, node] as const,
    queryFn: () => api.monitorNodeStatus(conn, node),
    refetchInterval: STATUS_REFRESH_MS,
    retry: false,
  });
}

export function guestSummaryQuery(conn: string, node: string, kind: GuestType, vmid: number) {
  return queryOptions({
    queryKey: ["summary", "guest", conn, node, kind, vmid] as const,
    queryFn: () => api.monitorGuestSummary(conn, node, kind, vmid),
    refetchInterval: STATUS_REFRESH_MS,
    retry: false,
  });
}

export function storageStatusQuery(conn: string, node: string, storage: string) {
  return queryOptions({
    queryKey: ["summary", "storage", conn, node, storage] as const,
    queryFn: () => api.monitorStorageStatus(conn, node, storage),
    refetchInterval: STATUS_REFRESH_MS,
    retry: false,
  });
}

export function rrdQuery(conn: string, target: RrdTarget, timeframe: RrdTimeframe, cf: RrdCf) {
  return queryOptions({
    queryKey: ["summary", "rrd", conn, target, timeframe, cf] as const,
    queryFn: () => api.monitorRrd(conn, target, timeframe, cf),
    refetchInterval: RRD_REFRESH_MS,
    retry: false,
  });
}
