// The connection's login's privileges on one ACL path, as the back end reports them.
import { queryOptions } from "@tanstack/react-query";
import { api } from "@/backend";

/** How long an answer is fresh: the back end caches for as long, so asking sooner is free. */
export const PRIVILEGES_STALE_MS = 60_000;

export function privilegesQuery(conn: string, path: string) {
  return queryOptions({
    queryKey: ["privileges", conn, path] as const,
    queryFn: () => api.permissionsOn(conn, path),
    staleTime: PRIVILEGES_STALE_MS,
    retry: false,
  });
}
