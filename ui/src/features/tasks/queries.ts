// Recent tasks of all clusters, refreshed every few seconds, and how the task bar orders them.
import { queryOptions } from "@tanstack/react-query";
import { api, type TaskEntry } from "@/backend";

/** How often the task bar asks for recent tasks (PVE's own task list polls about as often). */
export const TASKS_REFRESH_MS = 5000;

/** How many recent tasks the task bar shows. */
export const TASKS_LIMIT = 100;

export const tasksQuery = queryOptions({
  queryKey: ["tasks-recent"] as const,
  queryFn: () => api.tasksRecent(TASKS_LIMIT),
  refetchInterval: TASKS_REFRESH_MS,
  retry: false,
});

export function isRunning(task: Pick<TaskEntry, "status">): boolean {
  return task.status === "running";
}

/** Running tasks first, then newest first; ties by UPID so the order is stable. */
export function sortTasks(tasks: readonly TaskEntry[]): TaskEntry[] {
  return [...tasks].sort(
    (a, b) =>
      Number(isRunning(b)) - Number(isRunning(a)) ||
      (b.starttime ?? 0) - (a.starttime ?? 0) ||
      a.upid.localeCompare(b.upid),
  );
}

export type TaskOutcome = "running" | "ok" | "warning" | "error";

/** PVE's exit statuses: `OK`, `WARNINGS: n`, or the error text. */
export function taskOutcome(status: string): TaskOutcome {
  if (status === "running") return "running";
  if (status === "OK") return "ok";
  if (status.startsWith("WARNINGS")) return "warning";
  return "error";
}

/** Unix seconds as local `HH:MM:SS` today, else `YYYY-MM-DD HH:MM:SS`. */
export function formatUnixTime(seconds: number | null, now: Date = new Date()): string {
  if (seconds === null) return "—";
  const at = new Date(seconds * 1000);
  const pad = (n: number) => String(n).padStart(2, "0");
  const time = `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
  const sameDay =
    at.getFullYear() === now.getFullYear() && at.getMonth() === now.getMonth() && at.getDate() === now.getDate();
  return sameDay ? time : `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${time}`;
}
