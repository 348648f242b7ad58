// The task bar's table and the log dialog it opens, loaded after the frame: the bar's header
// shows at once, the rows follow.
import { lazy, Suspense, useState } from "react";
import type { TaskEntry } from "@/backend";
import { TaskStatus } from "./TaskStatus";
import { TaskTableFrame } from "./TaskTableFrame";
import { formatUnixTime, isRunning } from "./queries";

// The log dialog is loaded on first use.
const TaskLogDialog = lazy(() => import("./TaskLogDialog").then((m) => ({ default: m.TaskLogDialog })));

export function TaskTable({ id, tasks }: { id: string; tasks: TaskEntry[] }) {
  const [open, setOpen] = useState<TaskEntry | null>(null);
  return (
    <>
      <TaskTableFrame id={id}>
        {tasks.map((t, i) => (
          <tr
            key={`${t.connectionId}:${t.upid}`}
            data-testid={`task-row-${t.connectionId}-${i}`}
            tabIndex={0}
            aria-label={`${t.description} on ${t.connectionName}: ${isRunning(t) ? "running" : t.status}. Press Enter for the log.`}
            onDoubleClick={() => setOpen(t)}
            onKeyDown={(e) => {
              if (e.key === "Enter") {
                e.preventDefault();
                setOpen(t);
              }
            }}
            className="cursor-default border-b border-line/60 hover:bg-raised focus-visible:bg-accent-soft focus-visible:outline-none"
          >
            <td className="truncate px-2.5 py-0.5">{formatUnixTime(t.starttime)}</td>
            <td className="truncate px-2.5 py-0.5">{t.connectionName}</td>
            <td className="truncate px-2.5 py-0.5">{t.node}</td>
            <td className="truncate px-2.5 py-0.5" title={t.user}>
              {t.user}
            </td>
            <td className="truncate px-2.5 py-0.5" title={t.upid}>
              {t.description}
            </td>
            <td className="px-2.5 py-0.5">
              <TaskStatus status={t.status} />
            </td>
          </tr>
        ))}
      </TaskTableFrame>
      {open ? (
        <Suspense fallback={null}>
          <TaskLogDialog task={open} onClose={() => setOpen(null)} />
        </Suspense>
      ) : null}
    </>
  );
}
