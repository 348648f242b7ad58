// Recent tasks of all clusters, running ones first, then newest. Double-click or Enter on a
// row opens the task's live log.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { ChevronDown, ChevronUp, ListChecks } from "lucide-react";
import { lazy, Suspense, useEffect, useId, useMemo } from "react";
import { onTasksUpdated } from "@/backend";
import { NoTasks } from "./TaskTableFrame";
import { isRunning, sortTasks, tasksQuery } from "./queries";

// The table (status icons, the log dialog) loads after the frame; the header shows at once.
const TaskTable = lazy(() => import("./TaskTable").then((m) => ({ default: m.TaskTable })));

/** How long task events are gathered before the task list is read again. */
export const TASK_EVENTS_COALESCE_MS = 250;

export function TaskBar({ expanded, onToggle }: { expanded: boolean; onToggle: () => void }) {
  const bodyId = useId();
  const { data, error } = useQuery(tasksQuery);
  const queryClient = useQueryClient();
  // A task started from here shows at once, and its end too, without waiting for the poll.
  // A bulk action's updates come gathered (at most five lists a second), and the lists are
  // coalesced again into one re-read per TASK_EVENTS_COALESCE_MS.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unlisten = onTasksUpdated(() => {
      if (timer !== undefined) return;
      timer = setTimeout(() => {
        timer = undefined;
        void queryClient.invalidateQueries({ queryKey: tasksQuery.queryKey });
      }, TASK_EVENTS_COALESCE_MS);
    });
    return () => {
      clearTimeout(timer);
      unlisten();
    };
  }, [queryClient]);
  const tasks = useMemo(() => sortTasks(data?.tasks ?? []), [data]);
  const running = tasks.filter(isRunning).length;
  const failed = data?.failed ?? [];
  return (
    <section
      data-testid="task-bar"
      aria-label="Tasks"
      className="flex h-full min-h-0 flex-col border-t border-line bg-surface"
    >
      <div className="flex h-8 shrink-0 items-center gap-2 border-b border-line bg-raised px-2">
        <button
          type="button"
          onClick={onToggle}
          aria-expanded={expanded}
          aria-controls={bodyId}
          className="inline-flex h-6 items-center gap-1.5 rounded px-1.5 text-sm font-semibold hover:bg-sunken"
        >
          <ListChecks aria-hidden className="size-3.5 text-muted" />
          Tasks
          {expanded ? (
            <ChevronDown aria-hidden className="size-3.5 text-muted" />
          ) : (
            <ChevronUp aria-hidden className="size-3.5 text-muted" />
          )}
        </button>
        <span className="text-sm text-muted">{running} running</span>
        {failed.length > 0 ? (
          <span
            className="inline-flex min-w-0 items-center gap-1 truncate text-sm text-warning"
            title={failed.map((f) => `${f.connection}: ${f.message}`).join("\n")}
          >
            No tasks from {failed.map((f) => f.connection).join(", ")}
          </span>
        ) : null}
        {error ? <span className="truncate text-sm text-error">Tasks could not be read.</span> : null}
      </div>
      {expanded ? (
        tasks.length === 0 ? (
          <NoTasks id={bodyId} />
        ) : (
          <Suspense fallback={<div id={bodyId} className="min-h-0 flex-1" />}>
            <TaskTable id={bodyId} tasks={tasks} />
          </Suspense>
        )
      ) : null}
    </section>
  );
}
