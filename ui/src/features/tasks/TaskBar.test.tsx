import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { ReactNode } from "react";
import { describe, expect, it, vi } from "vitest";
import { api, type TaskEntry, type TaskLog } from "@/backend";
import { TaskBar } from "./TaskBar";
import { TaskLogDialog } from "./TaskLogDialog";
import { sortTasks } from "./queries";

vi.mock("@/backend", async (importOriginal) => (await import("@/test/backendMock")).backendMock(importOriginal));

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
    vi.mocked(api.taskLog).mockResolvedValue({
      lines: [{ n: 1, t: "starting" }, { n: 2, t: "TASK OK" }],
      running: false,
      exitstatus: "OK",
      nextStart: 2,
    });
    render(wrap(<TaskBar expanded onToggle={() => {}} />));
    const row = await screen.findByTestId("task-row-demo-prod-3");
    row.focus();
    await user.keyboard("{Enter}");
    const dialog = await screen.findByTestId("task-log");
    await waitFor(() => expect(within(dialog).getAllByTestId("task-log-line")).toHaveLength(2));
    expect(api.taskLog).toHaveBeenCalledWith("demo-prod", "pve1", "a", 0);
    await user.click(within(dialog).getByRole("button", { name: "Close" }));
    await waitFor(() => expect(screen.queryByTestId("task-log")).not.toBeInTheDocument());
    await user.dblClick(screen.getByTestId("task-row-demo-lab-1"));
    expect(await screen.findByTestId("task-log")).toBeInTheDocument();
    expect(api.taskLog).toHaveBeenCalledWith("demo-lab", "pve1", "b", 0);
  });
});

describe("task log dialog", () => {
  it("polls the log while the task runs and stops when it is done", async () => {
    const pages: TaskLog[] = [
      { lines: [{ n: 1, t: "starting VM" }], running: true, exitstatus: null, nextStart: 1 },
      { lines: [], running: true, exitstatus: null, nextStart: 1 },
      { lines: [{ n: 2, t: "booted" }], running: true, exitstatus: null, nextStart: 2 },
      { lines: [{ n: 3, t: "TASK ERROR: no disk" }], running: false, exitstatus: "no disk", nextStart: 3 },
      { lines: [], running: false, exitstatus: "no disk", nextStart: 3 },
    ];
    let call = 0;
    vi.mocked(api.taskLog).mockImplementation(() => Promise.resolve(pages[Math.min(call++, pages.length - 1)]!));
    const t = task({ upid: "UPID:x", starttime: 1, status: "running" });
    render(wrap(<TaskLogDialog task={t} onClose={() => {}} pollMs={10} />));
    const dialog = await screen.findByTestId("task-log");
    await waitFor(() => expect(within(dialog).getAllByTestId("task-log-line")).toHaveLength(3));
    expect(within(dialog).getAllByTestId("task-log-line").map((l) => l.textContent)).toEqual([
      "starting VM",
      "booted",
      "TASK ERROR: no disk",
    ]);
    await waitFor(() => expect(screen.getByTestId("task-log-status")).toHaveTextContent("no disk"));
    expect(vi.mocked(api.taskLog).mock.calls.map((c) => c[3])).toEqual([0, 1, 1, 2]);
    // Done: no more reads.
    const calls = vi.mocked(api.taskLog).mock.calls.length;
    await new Promise((r) => setTimeout(r, 60));
    expect(vi.mocked(api.taskLog).mock.calls.length).toBe(calls);
  });
});

describe("stopping a task", () => {
  it("stops a running task on the cluster after a second click, and not when cancelled", async () => {
    vi.mocked(api.taskLog).mockResolvedValue({ lines: [{ n: 1, t: "starting" }], running: true, exitstatus: null, nextStart: 1 });
    vi.mocked(api.taskStop).mockResolvedValue(null);
    const user = userEvent.setup();
    render(wrap(<TaskLogDialog task={task({ upid: "r", starttime: 100, status: "running" })} onClose={() => {}} pollMs={60_000} />));
    await user.click(await screen.findByTestId("task-stop"));
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(api.taskStop).not.toHaveBeenCalled();
    await user.click(screen.getByTestId("task-stop"));
    await user.click(screen.getByTestId("task-stop-confirm"));
    expect(api.taskStop).toHaveBeenCalledWith("demo-prod", "pve1", "r");
    expect(await screen.findByTestId("task-stop-sent")).toHaveTextContent("the task ends as interrupted");
  });

  it("offers no stop for a task that ended", async () => {
    vi.mocked(api.taskLog).mockResolvedValue({ lines: [{ n: 1, t: "TASK OK" }], running: false, exitstatus: "OK", nextStart: 1 });
    render(wrap(<TaskLogDialog task={task({ upid: "o", starttime: 100, status: "OK" })} onClose={() => {}} />));
    await waitFor(() => expect(screen.getByTestId("task-log-status")).toHaveTextContent("OK"));
    expect(screen.queryByTestId("task-stop")).not.toBeInTheDocument();
  });
});
