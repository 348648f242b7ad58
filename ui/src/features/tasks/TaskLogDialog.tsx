// A task's log, followed live: polls for new lines while the task runs, keeps the view at the
// bottom unless the user scrolled up, and shows the exit status when the task ends.
import { useMutation } from "@tanstack/react-query";
import { ScrollText } from "lucide-react";
import { useEffect, useRef, useState } from "react";
import { api, toAppError, type LogLine, type TaskEntry } from "@/backend";
import { buttonClass } from "@/ui/button";
import { Dialog } from "@/ui/Dialog";
import { ErrorNotice } from "@/ui/ErrorNotice";
import { TaskStatus } from "./TaskStatus";
import { formatUnixTime } from "./queries";

/** How often a running task's log is read again. */
export const LOG_POLL_MS = 1000;

/** The most lines one read returns (the back end's page size). */
const LOG_PAGE = 500;

interface LogState {
  lines: LogLine[];
  running: boolean;
  exitstatus: string | null;
  error: unknown;
}

const EMPTY: LogState = { lines: [], running: true, exitstatus: null, error: null };

/** Reads the log from the start and then every `pollMs` while the task runs. */
function useTaskLog(task: TaskEntry, pollMs: number): LogState {
  const [state, setState] = useState<LogState>(EMPTY);
  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let next = 0;
    const read = async () => {
      try {
        const page = await api.taskLog(task.connectionId, task.node, task.upid, next);
        if (cancelled) return;
        next = Math.max(next, page.nextStart);
        setState((s) => {
          // A line already shown (a repeated read) is not shown twice.
          const last = s.lines.at(-1)?.n ?? 0;
          const fresh = page.lines.filter((l) => l.n > last);
          return {
            lines: fresh.length ? [...s.lines, ...fresh] : s.lines,
            running: page.running,
            exitstatus: page.exitstatus ?? null,
            error: null,
          };
        });
        // A finished task's log may still be longer than one page.
        if (page.running) timer = setTimeout(() => void read(), pollMs);
        else if (page.lines.length >= LOG_PAGE) timer = setTimeout(() => void read(), 0);
      } catch (error) {
        if (cancelled) return;
        setState((s) => ({ ...s, error }));
        timer = setTimeout(() => void read(), pollMs * 3);
      }
    };
    void read();
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [task.connectionId, task.node, task.upid, pollMs]);
  return state;
}

export function TaskLogDialog({
  task,
  onClose,
  pollMs = LOG_POLL_MS,
}: {
  task: TaskEntry;
  onClose: () => void;
  pollMs?: number;
}) {
  const log = useTaskLog(task, pollMs);
  const box = useRef<HTMLOListElement>(null);
  const atBottom = useRef(true);
  useEffect(() => {
    const el = box.current;
    if (el && atBottom.current) el.scrollTop = el.scrollHeight;
  }, [log.lines.length]);
  const status = log.running ? "running" : (log.exitstatus ?? task.status);
  return (
    <Dialog
      open
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      testId="task-log"
      width="max-w-4xl"
      icon={<ScrollText aria-hidden className="size-4 text-muted" />}
      title={task.description}
      description={`${task.connectionName} / ${task.node} · ${task.user} · started ${formatUnixTime(task.starttime)}`}
      footer={
        <>
          <span data-testid="task-log-status" className="min-w-0 flex-1 text-sm">
            <TaskStatus status={status} />
          </span>
          {log.running ? <StopTask task={task} /> : null}
        </>
      }
    >
      {log.error ? <ErrorNotice error={log.error} title="The task log could not be read" /> : null}
      <ol
        ref={box}
        aria-label="Task log"
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 8;
        }}
        className="h-[50vh] overflow-auto rounded border border-line bg-sunken p-2 font-mono text-xs leading-5"
      >
        {log.lines.map((l) => (
          <li key={l.n} data-testid="task-log-line" className="whitespace-pre-wrap break-all">
            {l.t}
          </li>
        ))}
        {log.lines.length === 0 && !log.error ? <li className="text-muted">Reading the log…</li> : null}
      </ol>
    </Dialog>
  );
}

/**
 * Stops the task on the cluster (PVE's task stop), after a second click to confirm. Closing
 * this window only stops watching; the task goes on.
 */
function StopTask({ task }: { task: TaskEntry }) {
  const [asking, setAsking] = useState(false);
  const stop = useMutation({ mutationFn: () => api.taskStop(task.connectionId, task.node, task.upid) });
  if (stop.isError) {
    return (
      <span data-testid="task-stop-error" className="text-sm text-error">
        Could not stop it: {toAppError(stop.error).message}
      </span>
    );
  }
  if (stop.isSuccess) {
    return (
      <span data-testid="task-stop-sent" className="text-sm text-muted">
        Stop requested; the task ends as interrupted.
      </span>
    );
  }
  if (!asking) {
    return (
      <button
        type="button"
        data-testid="task-stop"
        className={buttonClass("secondary", "h-8 px-3")}
        title="Closing this window only stops watching; this stops the task on the cluster"
        onClick={() => setAsking(true)}
      >
        Stop task…
      </button>
    );
  }
  return (
    <span className="flex items-center gap-2 text-sm">
      Stop it on {task.node}? Its work stays half done.
      <button type="button" className={buttonClass("ghost", "h-8 px-3")} onClick={() => setAsking(false)}>
        Cancel
      </button>
      <button
        type="button"
        data-testid="task-stop-confirm"
        disabled={stop.isPending}
        className={buttonClass("primary", "h-8 px-3")}
        onClick={() => stop.mutate()}
      >
        Stop task
      </button>
    </span>
  );
}
