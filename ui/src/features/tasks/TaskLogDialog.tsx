// A task's log, followed live: the back end streams new lines over a channel as the task
// writes them; the view stays at the bottom unless the user scrolled up, and shows the exit
// status when the task ends. Closing the window ends only the local wait, never the task.
import { useMutation } from "@tanstack/react-query";
import { ScrollText } from "lucide-react";
import { useEffect, useRef, useState } from "react";
import { api, toAppError, type LogLine, type TaskEntry, type TaskLog } from "@/backend";
import { buttonClass } from "@/ui/button";
import { Dialog } from "@/ui/Dialog";
import { ErrorNotice } from "@/ui/ErrorNotice";
import { TaskStatus } from "./TaskStatus";
import { formatUnixTime } from "./queries";

/** How long to wait before following again after the stream failed. */
export const LOG_RETRY_MS = 3000;

interface LogState {
  lines: LogLine[];
  running: boolean;
  exitstatus: string | null;
  error: unknown;
}

const EMPTY: LogState = { lines: [], running: true, exitstatus: null, error: null };

/** Adds a streamed page to the log; a line already shown (after a restart) is not shown twice. */
export function addPage(s: LogState, page: TaskLog): LogState {
  const last = s.lines.at(-1)?.n ?? 0;
  const fresh = page.lines.filter((l) => l.n > last);
  return {
    lines: fresh.length ? [...s.lines, ...fresh] : s.lines,
    running: page.running,
    exitstatus: page.exitstatus ?? null,
    error: null,
  };
}

/** Follows the log from the start until the task ends or the window closes. */
function useTaskLog(task: TaskEntry, retryMs: number): LogState {
  const [state, setState] = useState<LogState>(EMPTY);
  useEffect(() => {
    let closed = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stop = () => {};
    const follow = () => {
      const stream = api.taskLogFollow(task.connectionId, task.node, task.upid, (page) => {
        if (!closed) setState((s) => addPage(s, page));
      });
      stop = stream.stop;
      stream.done.catch((error: unknown) => {
        if (closed) return;
        setState((s) => ({ ...s, error }));
        timer = setTimeout(follow, retryMs);
      });
    };
    follow();
    return () => {
      closed = true;
      clearTimeout(timer);
      stop();
    };
  }, [task.connectionId, task.node, task.upid, retryMs]);
  return state;
}

export function TaskLogDialog({
  task,
  onClose,
  retryMs = LOG_RETRY_MS,
}: {
  task: TaskEntry;
  onClose: () => void;
  retryMs?: number;
}) {
  const log = useTaskLog(task, retryMs);
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
          {log.running ? (
            <span data-testid="task-log-local" className="text-xs text-muted">
              Closing this window stops watching; the task goes on.
            </span>
          ) : null}
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
