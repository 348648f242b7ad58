// Backup Server queries: datastores, their backup groups, and coverage of PVE guests.
import { queryOptions } from "@tanstack/react-query";
import { api } from "@/backend";

export function datastoresQuery(connectionId: string) {
  return queryOptions({
    queryKey: ["pbs-datastores", connectionId] as const,
    queryFn: () => api.pbsDatastores(connectionId),
    refetchInterval: 60_000,
    retry: false,
  });
}

export function groupsQuery(connectionId: string, store: string) {
  return queryOptions({
    queryKey: ["pbs-groups", connectionId, store] as const,
    queryFn: () => api.pbsSnapshots(connectionId, store),
    refetchInterval: 60_000,
    retry: false,
  });
}

/** The coverage window's default (the setting `backupCoverageDays`): a backup within the last day. */
export const DEFAULT_COVERAGE_DAYS = 1;
/** The range the back end accepts for the setting. */
export const COVERAGE_DAYS_MIN = 1;
export const COVERAGE_DAYS_MAX = 365;

export function coverageQuery(days: number) {
  return queryOptions({
    queryKey: ["backup-coverage", days] as const,
    queryFn: () => api.backupCoverage(days),
    refetchInterval: 5 * 60_000,
    retry: false,
  });
}
