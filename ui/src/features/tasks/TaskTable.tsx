// The task bar's table and the log dialog it opens, loaded after the frame: the bar's header
// shows at once, the rows follow. Only the rows in view are rendered: during a bulk action the
// list is read again several times a second, and 100 rendered rows (with a spinner each while
// running) held the page up for tens of milliseconds each time (BENCHMARKS.md).
import { useVirtualizer } from "@tanstack/react-virtual";
import { lazy, memo, Suspense, useRef, useState } from "react";
import type { TaskEntry } from "@/backend";
import { TaskStatus } from "./TaskStatus";
import { COLUMNS, TaskTableFrame } from "./TaskTableFrame";
import { formatUnixTime, isRunning } from "./queries";

// The log dialog is loaded on first use.
const TaskLogDialog = lazy(() => import("./TaskLogDialog").then((m) => ({ default: m.TaskLogDialog })));

/** Each row's height in pixels (fixed, so the rows out of view are spacers of a known height). */
export const TASK_ROW_HEIGHT = 25;

export function TaskTable({ id, tasks }: { id: string; tasks: TaskEntry[] }) {
  const [open, setOpen] = useState<TaskEntry | null>(null);
  const scroller = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: tasks.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => TASK_ROW_HEIGHT,
    overscan: 8,
    initialRect: { width: 1200, height: 400 },
  });
  const items = virtualizer.getVirtualItems();
  const before = items[0]?.start ?? 0;
  const after = virtualizer.getTotalSize() - (items[items.length - 1]?.end ?? 0);
  return (
    <>
      <TaskTableFrame id={id} scrollRef={scroller}>
        {before > 0 ? <Spacer height={before} /> : null}
        {items.map((item) => {
          const t = tasks[item.index];
          return t ? <TaskRow key={`${t.connectionId}:${t.upid}`} task={t} index={item.index} onOpen={setOpen} /> : null;
        })}
        {after > 0 ? <Spacer height={after} /> : null}
      </TaskTableFrame>
      {open ? (
        <Suspense fallback={null}>
          <TaskLogDialog task={open} onClose={() => setOpen(null)} />
        </Suspense>
      ) : null}
    </>
  );
}

function Spacer({ height }: { height: number }) {
  return (
    <tr aria-hidden style={{ height }}>
      <td colSpan={COLUMNS.length} className="p-0" />
    </tr>
  );
}

// A row renders again only when its task changed: the list keeps unchanged tasks' objects.
const TaskRow = memo(function TaskRow({
  task: t,
  index,
  onOpen,
}: {
  task: TaskEntry;
  index: number;
  onOpen: (task: TaskEntry) => void;
}) {
  return (
    <tr
      data-testid={`task-row-${t.connectionId}-${index}`}
      tabIndex={0}
      aria-label={`${t.description} on ${t.connectionName}: ${isRunning(t) ? "running" : t.status}. Press Enter for the log.`}
      onDoubleClick={() => onOpen(t)}
      onKeyDown={(e) => {
        if (e.key === "Enter") {
          e.preventDefault();
          onOpen(t);
        }
      }}
      style={{ height: TASK_ROW_HEIGHT }}
      className="cursor-default border-b border-line/60 hover:bg-raised focus-visible:bg-accent-soft focus-visible:outline-none"
    >
      <td className="truncate px-2.5 py-0">{formatUnixTime(t.starttime)}</td>
      <td className="truncate px-2.5 py-0">{t.connectionName}</td>
      <td className="truncate px-2.5 py-0">{t.node}</td>
      <td className="truncate px-2.5 py-0" title={t.user}>
        {t.user}
      </td>
      <td className="truncate px-2.5 py-0" title={t.upid}>
        {t.description}
      </td>
      <td className="px-2.5 py-0">
        <TaskStatus status={t.status} />
      </td>
    </tr>
  );
});
