// How fresh a cluster's inventory is, in words, and whether actions on it may run. A cluster
// whose latest refresh failed is shown from its last-known state: greyed, with its age, and
// every action on it is disabled with the reason (offline is a state, not an error page).
import { useEffect, useState } from "react";
import { useInventory } from "./useInventory";

/** "just now", "5 min ago", "3 h ago", "2 d ago". */
export function ageText(iso: string, now: number): string {
  const minutes = Math.floor((now - new Date(iso).getTime()) / 60_000);
  if (!(minutes >= 1)) return "just now";
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} d ago`;
}

/** The current time, updated every half minute (for "last seen N min ago"). */
export function useNow(intervalMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), intervalMs);
    return () => window.clearInterval(timer);
  }, [intervalMs]);
  return now;
}

export interface Freshness {
  /** The connection's name (its id while the list loads). */
  name: string;
  /** The shown state is the last-known one: the latest refresh failed. */
  stale: boolean;
  /** When the shown state was fetched (ISO 8601), if ever. */
  fetchedAt: string | null;
  /** Why the latest refresh failed. */
  error: string | null;
  /**
   * Why actions on this cluster are disabled now, in words for a tooltip or a banner;
   * `null` when they may run.
   */
  actionsBlocked: string | null;
}

/** Why actions on a cluster are disabled, or `null` when they may run. */
export function actionsBlockedReason(
  name: string,
  state: { stale: boolean; fetchedAt: string | null; error: string | null; disabled?: boolean },
  now: number,
): string | null {
  if (state.disabled) return `${name} is disabled: enable the connection to act on it`;
  if (!state.stale && state.error === null) return null;
  const seen = state.fetchedAt ? `last seen ${ageText(state.fetchedAt, now)}` : "never reached since Proxdeck started";
  return `${name} is not answering (${seen}): actions are disabled until it answers again`;
}

/** The freshness of one connection's inventory, kept current by the refresh engine's events. */
export function useFreshness(connectionId: string): Freshness {
  const { connections, resourcesByConnection } = useInventory();
  const now = useNow();
  const connection = connections.find((c) => c.id === connectionId);
  const name = connection?.name ?? connectionId;
  const r = resourcesByConnection.get(connectionId);
  const state = {
    stale: r?.stale ?? false,
    fetchedAt: r?.fetchedAt ?? null,
    error: r?.error?.message ?? null,
    disabled: connection ? !connection.enabled : false,
  };
  return { name, ...state, actionsBlocked: actionsBlockedReason(name, state, now) };
}
