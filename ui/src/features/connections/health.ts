// A connection's health in words and colours: the same everywhere (tree, admin list).
import type { Connection, Health, HealthChange, HealthState } from "@/backend";
import { formatRecent } from "@/ui/time";

export type HealthTone = "running" | "warning" | "error" | "stopped";

/** Green when all is well, amber when only the API answers, red when down, grey otherwise. */
export const HEALTH_TONE: Record<HealthState, HealthTone> = {
  connected: "running",
  apiOnly: "warning",
  disconnected: "error",
  disabled: "stopped",
  unknown: "stopped",
};

export const HEALTH_LABEL: Record<HealthState, string> = {
  connected: "Connected",
  apiOnly: "API only",
  disconnected: "Disconnected",
  disabled: "Disabled",
  unknown: "Not checked yet",
};

/** "API only since 14:02 — SSH not configured". */
export function healthText(health: Health, now?: Date): string {
  if (health.state === "disabled") return "Disabled — not checked";
  let text = HEALTH_LABEL[health.state];
  if (health.since && health.state !== "unknown") text += ` since ${formatRecent(health.since, now)}`;
  if (health.message) text += ` — ${health.message}`;
  return text;
}

/** The cached list with one connection's health replaced by what an event says. */
export function applyHealthChange(connections: Connection[] | undefined, change: HealthChange) {
  return connections?.map((c) =>
    c.id === change.connectionId
      ? { ...c, health: { state: change.to, since: change.since, checkedAt: change.since, message: change.message } }
      : c,
  );
}
