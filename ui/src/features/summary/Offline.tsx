// Summaries of a cluster that does not answer: a banner with its age and why actions are
// disabled, and the last-known details where they were loaded before (react-query keeps a
// query's data when a later fetch fails), instead of an error page.
import type { UseQueryResult } from "@tanstack/react-query";
import { WifiOff } from "lucide-react";
import type { ReactNode } from "react";
import { ageText, useFreshness, useNow, type Freshness } from "@/features/inventory/freshness";
import { ErrorNotice } from "@/ui/ErrorNotice";
import { Loading } from "./Panel";

/** Shown on top of a summary while its cluster's latest refresh failed. */
export function OfflineBanner({ conn }: { conn: string }) {
  const f = useFreshness(conn);
  const now = useNow();
  if (!f.stale && f.error === null) return null;
  return (
    <div
      role="status"
      data-testid="offline-banner"
      className="flex items-start gap-2 rounded-md border border-warning/50 bg-warning-soft px-3 py-2 text-sm"
    >
      <WifiOff aria-hidden className="mt-0.5 size-4 shrink-0 text-warning" />
      <div>
        <p className="font-medium">
          {f.name} is not answering
          {f.fetchedAt ? ` — last seen ${ageText(f.fetchedAt, now)}` : ""}. You see its last-known state.
        </p>
        <p className="text-muted">Actions on it are disabled until it answers again.</p>
        {f.error ? <p className="mt-1 text-xs text-muted">{f.error}</p> : null}
      </div>
    </div>
  );
}

/**
 * A query's data when there is some (even if a later fetch failed while the cluster is
 * offline), a quiet note when the cluster is offline and nothing was loaded, the error when
 * it is online, and "Loading…" meanwhile.
 */
export function Fetched<T>({
  query,
  freshness,
  what,
  errorTitle,
  children,
}: {
  query: UseQueryResult<T>;
  freshness: Freshness;
  what: string;
  errorTitle: string;
  children: (data: T) => ReactNode;
}) {
  if (query.data !== undefined) return <>{children(query.data)}</>;
  if (query.isError) {
    if (freshness.stale || freshness.error !== null) {
      return (
        <p data-testid="offline-unavailable" className="text-muted">
          {capitalize(what)} was not loaded before {freshness.name} stopped answering; it shows again once the
          cluster answers.
        </p>
      );
    }
    return <ErrorNotice error={query.error} title={errorTitle} />;
  }
  return <Loading what={what} />;
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
