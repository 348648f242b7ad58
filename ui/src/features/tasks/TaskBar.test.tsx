import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { ReactNode } from "react";
import { describe, expect, it, vi } from "vitest";
import { api, onTasksUpdated, type TaskEntry, type TaskLog, type TrackedTask } from "@/backend";
import { TASK_EVENTS_COALESCE_MS, TaskBar } from "./TaskBar";
import { TaskLogDialog } from "./TaskLogDialog";
import { sortTasks } from "./queries";
import { giveScrollBoxesASize } from "@/test/layout";

vi.mock("@/backend", async (importOriginal) => (await import("@/test/backendMock")).backendMock(importOriginal));

giveScrollBoxesASize("task-table");

function task(partial: Partial<TaskEntry> & Pick<TaskEntry, "upid" | "starttime" | "status">): TaskEntry {
  return {
    connectionId: "demo-prod",
    connectionName: "prod",
    node: "pve1",
    kind: "qmstart",
    id: "100",
    user: "root@pam",
    endtime: partial.status === "running" ? null : partial.starttime,
    description: `VM 100 - Start ${partial.upid}`,
    ...partial,
  };
}

/** Makes the log stream deliver `pages` in turn; `open` keeps it running (as for a running task). */
function streamLog(pages: TaskLog[], open = false) {
  const stop = vi.fn();
  vi.mocked(api.taskLogFollow).mockImplementation((_c, _n, _u, onPage) => {
    let i = 0;
    const next = () => {
      if (i < pages.length) {
        onPage(pages[i++]!);
        setTimeout(next, 5);
      }
    };
    setTimeout(next, 0);
    return { done: open ? new Promise<null>(() => {}) : new Promise<null>((r) => setTimeout(() => r(null), 50)), stop };
  });
  return { stop };
}

function wrap(children: ReactNode) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}

const TASKS: TaskEntry[] = [
  task({ upid: "a", starttime: 300, status: "OK" }),
  task({ upid: "b", starttime: 100, status: "running", connectionId: "demo-lab", connectionName: "lab" }),
  task({ upid: "c", starttime: 400, status: "VM 101 not running" }),
  task({ upid: "d", starttime: 200, status: "running" }),
];

describe("task bar", () => {
  it("orders running tasks first, then newest first", () => {
    expect(sortTasks(TASKS).map((t) => t.upid)).toEqual(["d", "b", "c", "a"]);
  });

  it("lists recent tasks of all clusters with status, and reports clusters that failed", async () => {
    vi.mocked(api.tasksRecent).mockResolvedValue({
      tasks: TASKS,
      failed: [{ connectionId: "demo-x", connection: "x", message: "unreachable" }],
    });
    render(wrap(<TaskBar expanded onToggle={() => {}} />));
    const first = await screen.findByTestId("task-row-demo-prod-0");
    expect(first).toHaveTextContent("VM 100 - Start d");
    expect(first).toHaveTextContent("Running");
    expect(screen.getByTestId("task-row-demo-lab-1")).toHaveTextContent("lab");
    expect(screen.getByTestId("task-row-demo-prod-2")).toHaveTextContent("VM 101 not running");
    expect(screen.getByTestId("task-row-demo-prod-3")).toHaveTextContent("OK");
    const bar = screen.getByTestId("task-bar");
    expect(within(bar).getByText("2 running")).toBeInTheDocument();
    expect(within(bar).getByText(/No tasks from x/)).toBeInTheDocument();
  });

  it("opens the log of a task on Enter and on double-click", async () => {
    const user = userEvent.setup();
    vi.mocked(api.tasksRecent).mockResolvedValue({ tasks: TASKS, failed: [] });
    streamLog([{ lines: [{ n: 1, t: "starting" }, { n: 2, t: "TASK OK" }], running: false, exitstatus: "OK", nextStart: 2 }]);
    render(wrap(<TaskBar expanded onToggle={() => {}} />));
    const row = await screen.findByTestId("task-row-demo-prod-3");
    row.focus();
    await user.keyboard("{Enter}");
    const dialog = await screen.findByTestId("task-log");
    await waitFor(() => expect(within(dialog).getAllByTestId("task-log-line")).toHaveLength(2));
    expect(api.taskLogFollow).toHaveBeenCalledWith("demo-prod", "pve1", "a", expect.any(Function));
    await user.click(within(dialog).getByRole("button", { name: "Close" }));
    await waitFor(() => expect(screen.queryByTestId("task-log")).not.toBeInTheDocument());
    await user.dblClick(screen.getByTestId("task-row-demo-lab-1"));
    expect(await screen.findByTestId("task-log")).toBeInTheDocument();
    expect(api.taskLogFollow).toHaveBeenCalledWith("demo-lab", "pve1", "b", expect.any(Function));
  });

  it("renders only the rows in view of a long list, and the rest as they scroll in", async () => {
    const many = Array.from({ length: 100 }, (_, i) =>
      task({ upid: `u${String(i).padStart(3, "0")}`, starttime: 10_000 - i, status: i < 50 ? "running" : "OK" }),
    );
    vi.mocked(api.tasksRecent).mockResolvedValue({ tasks: many, failed: [] });
    render(wrap(<TaskBar expanded onToggle={() => {}} />));
    await screen.findByTestId("task-row-demo-prod-0");
    const shown = () => screen.queryAllByTestId(/^task-row-/).length;
    // 600 px of 25 px rows, and a few beyond.
    expect(shown()).toBeGreaterThanOrEqual(24);
    expect(shown()).toBeLessThan(40);
    expect(screen.queryByTestId("task-row-demo-prod-99")).not.toBeInTheDocument();
    // What is not rendered still takes its room, so the scroll bar tells the list's length.
    const box = screen.getByTestId("task-table");
    const spacer = box.querySelector<HTMLElement>("tbody tr[aria-hidden]:last-child");
    expect(spacer?.style.height).toBe(`${(100 - shown()) * 25}px`);
    box.scrollTop = 75 * 25;
    fireEvent.scroll(box);
    expect(await screen.findByTestId("task-row-demo-prod-99")).toHaveTextContent("VM 100 - Start u099");
    expect(screen.queryByTestId("task-row-demo-prod-0")).not.toBeInTheDocument();
  });
});

describe("task events", () => {
  it("re-reads the task list once for a burst of task lists, not once per list", async () => {
    vi.mocked(api.tasksRecent).mockResolvedValue({ tasks: TASKS, failed: [] });
    render(wrap(<TaskBar expanded onToggle={() => {}} />));
    await screen.findByTestId("task-row-demo-prod-3");
    const emit = vi.mocked(onTasksUpdated).mock.calls.at(-1)?.[0];
    expect(emit).toBeDefined();
    const before = vi.mocked(api.tasksRecent).mock.calls.length;
    const tracked: TrackedTask = {
      connectionId: "demo-prod",
      connectionName: "prod",
      node: "pve1",
      upid: "UPID:pve1:1:1:1:qmstart:100:root@pam:",
      description: "VM 100 - Start",
      target: "prod/qemu/100",
      running: true,
      exitstatus: null,
      durationMs: null,
    };
    // A bulk start of 500 guests: their starts and ends within a moment, in lists of 50.
    for (let i = 0; i < 20; i++) emit!(Array.from({ length: 50 }, () => ({ ...tracked, running: i < 10 })));
    await waitFor(() => expect(vi.mocked(api.tasksRecent).mock.calls.length).toBe(before + 1));
    await new Promise((r) => setTimeout(r, TASK_EVENTS_COALESCE_MS * 2));
    expect(vi.mocked(api.tasksRecent).mock.calls.length).toBe(before + 1);
    // A later event is read again.
    emit!([{ ...tracked, running: false, exitstatus: "OK" }]);
    await waitFor(() => expect(vi.mocked(api.tasksRecent).mock.calls.length).toBe(before + 2));
  });
});

describe("task log dialog", () => {
  it("shows the streamed lines as they come, once each, and the end", async () => {
    const pages: TaskLog[] = [
      { lines: [{ n: 1, t: "starting VM" }], running: true, exitstatus: null, nextStart: 1 },
      { lines: [], running: true, exitstatus: null, nextStart: 1 },
      { lines: [{ n: 1, t: "starting VM" }, { n: 2, t: "booted" }], running: true, exitstatus: null, nextStart: 2 },
      { lines: [{ n: 3, t: "TASK ERROR: no disk" }], running: false, exitstatus: "no disk", nextStart: 3 },
    ];
    const stream = streamLog(pages);
    const t = task({ upid: "UPID:x", starttime: 1, status: "running" });
    render(wrap(<TaskLogDialog task={t} onClose={() => {}} />));
    const dialog = await screen.findByTestId("task-log");
    await waitFor(() => expect(within(dialog).getAllByTestId("task-log-line")).toHaveLength(3));
    expect(within(dialog).getAllByTestId("task-log-line").map((l) => l.textContent)).toEqual([
      "starting VM",
      "booted",
      "TASK ERROR: no disk",
    ]);
    await waitFor(() => expect(screen.getByTestId("task-log-status")).toHaveTextContent("no disk"));
    expect(api.taskLogFollow).toHaveBeenCalledTimes(1);
    expect(stream.stop).not.toHaveBeenCalled();
  });

  it("closing the window stops only the local wait, and says so", async () => {
    const stream = streamLog([{ lines: [{ n: 1, t: "migrating" }], running: true, exitstatus: null, nextStart: 1 }], true);
    const user = userEvent.setup();
    const onClose = vi.fn();
    const { unmount } = render(wrap(<TaskLogDialog task={task({ upid: "m", starttime: 1, status: "running" })} onClose={onClose} />));
    expect(await screen.findByTestId("task-log-local")).toHaveTextContent("Closing this window stops watching; the task goes on.");
    await user.click(screen.getByRole("button", { name: "Close" }));
    expect(onClose).toHaveBeenCalled();
    unmount();
    expect(stream.stop).toHaveBeenCalledTimes(1);
    expect(api.taskStop).not.toHaveBeenCalled();
  });

  it("follows again after the stream failed, without repeating lines", async () => {
    let round = 0;
    vi.mocked(api.taskLogFollow).mockImplementation((_c, _n, _u, onPage) => {
      round += 1;
      if (round === 1) {
        onPage({ lines: [{ n: 1, t: "one" }], running: true, exitstatus: null, nextStart: 1 });
        return { done: Promise.reject(new Error("node away")), stop: vi.fn() };
      }
      onPage({ lines: [{ n: 1, t: "one" }, { n: 2, t: "TASK OK" }], running: false, exitstatus: "OK", nextStart: 2 });
      return { done: Promise.resolve(null), stop: vi.fn() };
    });
    render(wrap(<TaskLogDialog task={task({ upid: "f", starttime: 1, status: "running" })} onClose={() => {}} retryMs={10} />));
    const dialog = await screen.findByTestId("task-log");
    await waitFor(() => expect(screen.getByTestId("task-log-status")).toHaveTextContent("OK"));
    expect(within(dialog).getAllByTestId("task-log-line").map((l) => l.textContent)).toEqual(["one", "TASK OK"]);
    expect(round).toBe(2);
  });
});

describe("stopping a task", () => {
  it("stops a running task on the cluster after a second click, and not when cancelled", async () => {
    streamLog([{ lines: [{ n: 1, t: "starting" }], running: true, exitstatus: null, nextStart: 1 }], true);
    vi.mocked(api.taskStop).mockResolvedValue(null);
    const user = userEvent.setup();
    render(wrap(<TaskLogDialog task={task({ upid: "r", starttime: 100, status: "running" })} onClose={() => {}} />));
    await user.click(await screen.findByTestId("task-stop"));
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(api.taskStop).not.toHaveBeenCalled();
    await user.click(screen.getByTestId("task-stop"));
    await user.click(screen.getByTestId("task-stop-confirm"));
    expect(api.taskStop).toHaveBeenCalledWith("demo-prod", "pve1", "r");
    expect(await screen.findByTestId("task-stop-sent")).toHaveTextContent("the task ends as interrupted");
  });

  it("offers no stop for a task that ended", async () => {
    streamLog([{ lines: [{ n: 1, t: "TASK OK" }], running: false, exitstatus: "OK", nextStart: 1 }]);
    render(wrap(<TaskLogDialog task={task({ upid: "o", starttime: 100, status: "OK" })} onClose={() => {}} />));
    await waitFor(() => expect(screen.getByTestId("task-log-status")).toHaveTextContent("OK"));
    expect(screen.queryByTestId("task-stop")).not.toBeInTheDocument();
  });
});
