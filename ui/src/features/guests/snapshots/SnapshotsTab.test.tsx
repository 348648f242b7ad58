// The Snapshots tab: PVE's tree with NOW under its parent, taking (with RAM for a running VM),
// rolling back (with a start for a stopped guest), removing, errors in place, and a fresh list
// once the started task ends.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api, AppErrorException, onTasksUpdated, type GuestSnapshot, type TrackedTask } from "@/backend";
import { TooltipProvider } from "@/ui/Tooltip";
import type { GuestTabProps } from "../tabs";
import { SnapshotsTab } from "./SnapshotsTab";
import { snapshotNameError, snapshotTree } from "./tree";

vi.mock("@/backend", async (importOriginal) => (await import("@/test/backendMock")).backendMock(importOriginal));

const snap = (name: string, parent: string | null, snaptime: number | null, extra: Partial<GuestSnapshot> = {}) => ({
  name,
  parent,
  description: `${name} notes`,
  snaptime,
  vmstate: false,
  current: false,
  ...extra,
});

// As PVE lists them: unordered, `current` last.
const SNAPSHOTS: GuestSnapshot[] = [
  snap("upgrade", "base", 2_000, { vmstate: true }),
  snap("base", null, 1_000),
  snap("experiment", "base", 3_000),
  snap("patched", "upgrade", 4_000),
  snap("current", "upgrade", null, { description: "You are here!", current: true }),
];

const GUEST = { connectionId: "c-prod", node: "pve1", kind: "qemu" as const, vmid: 110 };

function task(upid: string, running = true, exitstatus: string | null = null): TrackedTask {
  return {
    connectionId: "c-prod",
    connectionName: "prod",
    node: "pve1",
    upid,
    description: "VM 110 - Snapshot",
    target: "prod/qemu/110",
    running,
    exitstatus,
    durationMs: null,
  };
}

function show(props: Partial<GuestTabProps> = {}) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <TooltipProvider>
        <SnapshotsTab guest={GUEST} name="web1" status="running" template={false} blockedReason={null} {...props} />
      </TooltipProvider>
    </QueryClientProvider>,
  );
}

/** The button once the privileges are known. */
async function enabled(testId: string) {
  await waitFor(() => expect(screen.getByTestId(testId)).toBeEnabled());
  return screen.getByTestId(testId);
}

const order = () =>
  within(screen.getByTestId("snapshot-tree"))
    .getAllByRole("row")
    .slice(1)
    .map((r) => `${r.dataset.depth}:${r.dataset.testid?.replace("snapshot-row-", "")}`);

beforeEach(() => {
  vi.mocked(api.guestSnapshots).mockResolvedValue(SNAPSHOTS);
});
afterEach(() => {
  vi.mocked(api.guestSnapshots).mockReset();
  vi.mocked(api.guestSnapshotCreate).mockReset();
  vi.mocked(api.guestSnapshotRollback).mockReset();
  vi.mocked(api.guestSnapshotDelete).mockReset();
  vi.mocked(api.permissionsOn).mockReset();
});

describe("snapshot tree", () => {
  it("puts each snapshot under its parent, oldest first, and NOW under the snapshot it came from", () => {
    expect(snapshotTree(SNAPSHOTS).map((r) => `${r.depth}:${r.snapshot.name}`)).toEqual([
      "0:base",
      "1:upgrade",
      "2:patched",
      "2:current",
      "1:experiment",
    ]);
  });

  it("checks names by PVE's rule", () => {
    expect(snapshotNameError("a", [])).toMatch(/2 to 40/);
    expect(snapshotNameError("1abc", [])).toMatch(/starts with a letter/);
    expect(snapshotNameError("ab c", [])).toMatch(/letters, digits/);
    expect(snapshotNameError("a".repeat(41), [])).toMatch(/2 to 40/);
    expect(snapshotNameError("base", SNAPSHOTS)).toMatch(/exists already/);
    expect(snapshotNameError("pre-Upgrade_2", SNAPSHOTS)).toBeNull();
  });

  it("shows the tree with dates, the RAM marker and NOW — You are here!", async () => {
    show();
    await screen.findByTestId("snapshot-tree");
    expect(order()).toEqual(["0:base", "1:upgrade", "2:patched", "2:current", "1:experiment"]);
    const now = screen.getByTestId("snapshot-row-current");
    expect(now).toHaveTextContent("NOW");
    expect(now).toHaveTextContent("You are here!");
    expect(within(screen.getByTestId("snapshot-row-upgrade")).getByTestId("snapshot-ram-marker")).toBeInTheDocument();
    expect(within(screen.getByTestId("snapshot-row-base")).queryByTestId("snapshot-ram-marker")).toBeNull();
    expect(screen.getByTestId("snapshot-row-base")).toHaveTextContent(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
    expect(screen.getByTestId("snapshot-row-base")).toHaveTextContent("base notes");
  });
});

describe("snapshot actions", () => {
  it("takes a snapshot of a running VM with its RAM", async () => {
    vi.mocked(api.guestSnapshotCreate).mockResolvedValue(task("UPID:take"));
    const user = userEvent.setup();
    show();
    await user.click(await enabled("snapshot-take-open"));
    const dialog = await screen.findByTestId("snapshot-take");
    expect(within(dialog).getByTestId("snapshot-ram")).toBeChecked();
    await user.type(within(dialog).getByTestId("snapshot-name"), "pre-upgrade");
    await user.type(within(dialog).getByTestId("snapshot-description"), "before apt");
    await user.click(within(dialog).getByTestId("snapshot-take-ok"));
    expect(api.guestSnapshotCreate).toHaveBeenCalledWith(GUEST, {
      name: "pre-upgrade",
      description: "before apt",
      vmstate: true,
    });
    await waitFor(() => expect(screen.queryByTestId("snapshot-take")).not.toBeInTheDocument());
    expect(screen.getByTestId("snapshot-task-running")).toBeInTheDocument();
  });

  it("offers no RAM option for a stopped VM", async () => {
    vi.mocked(api.guestSnapshotCreate).mockResolvedValue(task("UPID:take"));
    const user = userEvent.setup();
    show({ status: "stopped" });
    await user.click(await enabled("snapshot-take-open"));
    const dialog = await screen.findByTestId("snapshot-take");
    expect(within(dialog).queryByTestId("snapshot-ram")).toBeNull();
    await user.type(within(dialog).getByTestId("snapshot-name"), "cold");
    await user.click(within(dialog).getByTestId("snapshot-take-ok"));
    expect(api.guestSnapshotCreate).toHaveBeenCalledWith(GUEST, { name: "cold", description: "", vmstate: false });
  });

  it("shows a refused name under the field and keeps the form", async () => {
    vi.mocked(api.guestSnapshotCreate).mockRejectedValue(
      new AppErrorException({
        code: "Invalid",
        message: "The snapshot could not be taken.",
        fields: { snapname: "invalid format - invalid configuration ID" },
      }),
    );
    const user = userEvent.setup();
    show();
    await user.click(await enabled("snapshot-take-open"));
    const dialog = await screen.findByTestId("snapshot-take");
    const name = within(dialog).getByTestId("snapshot-name");

    // PVE's rule is checked before anything is sent.
    await user.type(name, "1st");
    await user.type(within(dialog).getByTestId("snapshot-description"), "keep me");
    await user.click(within(dialog).getByTestId("snapshot-take-ok"));
    expect(within(dialog).getByTestId("snapshot-name-error")).toHaveTextContent("starts with a letter");
    expect(name).toHaveAttribute("aria-invalid", "true");
    expect(api.guestSnapshotCreate).not.toHaveBeenCalled();

    // The cluster's refusal lands under the same field; the form stays as typed.
    await user.clear(name);
    await user.type(name, "first");
    await user.click(within(dialog).getByTestId("snapshot-take-ok"));
    expect(await within(dialog).findByTestId("snapshot-name-error")).toHaveTextContent("invalid configuration ID");
    expect(screen.getByTestId("snapshot-take")).toBeInTheDocument();
    expect(name).toHaveValue("first");
    expect(within(dialog).getByTestId("snapshot-description")).toHaveValue("keep me");
  });

  it("rolls back after confirming, starting a stopped guest when asked", async () => {
    vi.mocked(api.guestSnapshotRollback).mockResolvedValue(task("UPID:rollback"));
    const user = userEvent.setup();
    show({ status: "stopped" });
    await screen.findByTestId("snapshot-tree");
    // Nothing chosen yet, then NOW: neither can be rolled back to.
    expect(screen.getByTestId("snapshot-rollback-open")).toBeDisabled();
    await user.click(screen.getByTestId("snapshot-row-current"));
    expect(screen.getByTestId("snapshot-rollback-open")).toHaveAttribute("data-disabled-reason", "Select a snapshot first");
    await user.click(screen.getByTestId("snapshot-row-upgrade"));
    await user.click(await enabled("snapshot-rollback-open"));
    const dialog = await screen.findByTestId("snapshot-rollback");
    expect(within(dialog).getByTestId("snapshot-rollback-text")).toHaveTextContent(
      "Rollback to snapshot upgrade? This will revert the guest's state; changes since then are lost",
    );
    await user.click(within(dialog).getByTestId("snapshot-rollback-start"));
    await user.click(within(dialog).getByTestId("snapshot-rollback-ok"));
    expect(api.guestSnapshotRollback).toHaveBeenCalledWith(GUEST, "upgrade", true);
  });

  it("offers no start when the guest runs", async () => {
    vi.mocked(api.guestSnapshotRollback).mockResolvedValue(task("UPID:rollback"));
    const user = userEvent.setup();
    show();
    await user.click(await screen.findByTestId("snapshot-row-base"));
    await user.click(await enabled("snapshot-rollback-open"));
    const dialog = await screen.findByTestId("snapshot-rollback");
    expect(within(dialog).queryByTestId("snapshot-rollback-start")).toBeNull();
    await user.click(within(dialog).getByTestId("snapshot-rollback-ok"));
    expect(api.guestSnapshotRollback).toHaveBeenCalledWith(GUEST, "base", false);
  });

  it("removes a snapshot only once confirmed", async () => {
    vi.mocked(api.guestSnapshotDelete).mockResolvedValue(task("UPID:delete"));
    const user = userEvent.setup();
    show();
    await user.click(await screen.findByTestId("snapshot-row-experiment"));
    await user.click(await enabled("snapshot-remove-open"));
    let dialog = await screen.findByTestId("snapshot-remove");
    expect(dialog).toHaveTextContent("Remove snapshot experiment?");
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(api.guestSnapshotDelete).not.toHaveBeenCalled();
    await user.click(await enabled("snapshot-remove-open"));
    dialog = await screen.findByTestId("snapshot-remove");
    await user.click(within(dialog).getByTestId("snapshot-remove-ok"));
    expect(api.guestSnapshotDelete).toHaveBeenCalledWith(GUEST, "experiment");
  });

  it("reads the list again when the started task ends", async () => {
    vi.mocked(api.guestSnapshotDelete).mockResolvedValue(task("UPID:delete"));
    const user = userEvent.setup();
    show();
    await user.click(await screen.findByTestId("snapshot-row-experiment"));
    await user.click(await enabled("snapshot-remove-open"));
    await user.click(within(await screen.findByTestId("snapshot-remove")).getByTestId("snapshot-remove-ok"));
    await waitFor(() => expect(screen.queryByTestId("snapshot-remove")).not.toBeInTheDocument());
    expect(api.guestSnapshots).toHaveBeenCalledTimes(1);
    // While it runs, the other actions wait.
    expect(screen.getByTestId("snapshot-take-open")).toHaveAttribute(
      "data-disabled-reason",
      "A snapshot task is running: wait for it to end",
    );

    const emit = vi.mocked(onTasksUpdated).mock.calls.at(-1)?.[0];
    expect(emit).toBeDefined();
    vi.mocked(api.guestSnapshots).mockResolvedValue(SNAPSHOTS.filter((s) => s.name !== "experiment"));
    // Another task's end, and this one's progress, change nothing.
    act(() => emit?.([task("UPID:other", false, "OK")]));
    act(() => emit?.([task("UPID:delete", true), task("UPID:other2", true)]));
    expect(api.guestSnapshots).toHaveBeenCalledTimes(1);
    act(() => emit?.([task("UPID:other3", false, "OK"), task("UPID:delete", false, "OK")]));
    await waitFor(() => expect(screen.queryByTestId("snapshot-row-experiment")).not.toBeInTheDocument());
    expect(api.guestSnapshots).toHaveBeenCalledTimes(2);
    expect(await enabled("snapshot-take-open")).toBeEnabled();
  });

  it("disables every action with the reason when the cluster is offline or the login may not", async () => {
    vi.mocked(api.permissionsOn).mockResolvedValue(["VM.Audit"]);
    show({ blockedReason: "prod is not answering (last seen 5 min ago): actions are disabled until it answers again" });
    await screen.findByTestId("snapshot-tree");
    for (const id of ["snapshot-take-open", "snapshot-rollback-open", "snapshot-remove-open"]) {
      expect(screen.getByTestId(id)).toHaveAttribute("data-disabled-reason", expect.stringMatching(/not answering/));
    }
  });

  it("says which privilege is missing", async () => {
    vi.mocked(api.permissionsOn).mockResolvedValue(["VM.Audit"]);
    show();
    await screen.findByTestId("snapshot-tree");
    await waitFor(() =>
      expect(screen.getByTestId("snapshot-take-open")).toHaveAttribute(
        "data-disabled-reason",
        expect.stringMatching(/VM\.Snapshot/),
      ),
    );
  });
});
