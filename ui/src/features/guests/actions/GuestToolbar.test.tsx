// The guest toolbar: which power actions a guest has, why the others are disabled (status,
// template, lock, an unreachable cluster, a missing privilege), confirmation, and the task.
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api, AppErrorException, type Resource } from "@/backend";
import { makeConnection, resource } from "@/test/fixtures";
import { renderApp } from "@/test/renderApp";
import { powerBlocked, type PowerTarget } from "./power";

vi.mock("@/backend", async (importOriginal) => (await import("@/test/backendMock")).backendMock(importOriginal));
vi.mock("@/features/summary/UplotChart", () => ({ default: () => <div data-testid="uplot" /> }));

const vm = (partial: Partial<PowerTarget> = {}): PowerTarget => ({
  kind: "qemu",
  vmid: 110,
  name: "web1",
  status: "running",
  template: false,
  lock: null,
  ...partial,
});

describe("which power actions a guest has", () => {
  it("follows the guest's status", () => {
    expect(powerBlocked("start", vm({ status: "stopped" }))).toBeNull();
    expect(powerBlocked("start", vm())).toBe("The VM is running already");
    expect(powerBlocked("shutdown", vm({ status: "stopped" }))).toBe("The VM is not running");
    expect(powerBlocked("stop", vm())).toBeNull();
    expect(powerBlocked("suspend", vm({ status: "paused" }))).toBe("The VM is paused already");
    expect(powerBlocked("resume", vm({ status: "paused" }))).toBeNull();
    expect(powerBlocked("resume", vm())).toBe("The VM is not paused");
  });

  it("says why a template, a locked guest or a container's reset cannot", () => {
    expect(powerBlocked("start", vm({ template: true, status: "stopped" }))).toMatch(/clone it/);
    expect(powerBlocked("stop", vm({ lock: "backup" }))).toBe("The VM is locked (backup): wait for that operation to end");
    expect(powerBlocked("reset", vm({ kind: "lxc" }))).toMatch(/Containers have no reset/);
  });
});

const prod = makeConnection({ id: "demo-prod", name: "prod" });
const guest = (partial: Partial<Resource> = {}) =>
  resource({ id: "qemu/110", kind: "qemu", vmid: 110, name: "web1", node: "pve1", status: "running", ...partial });

function show(g: Resource) {
  vi.mocked(api.connectionResources).mockResolvedValue([g]);
  return renderApp("/c/demo-prod/guest/110");
}

/** The button once the privileges are known (the disabled one is a different element). */
async function enabled(testId: string) {
  await waitFor(() => expect(screen.getByTestId(testId)).toBeEnabled());
  return screen.getByTestId(testId);
}

const trackedTask = (action: string) => ({
  connectionId: "demo-prod",
  connectionName: "prod",
  node: "pve1",
  upid: `UPID:pve1:00000001:00000002:00000003:qm${action}:110:root@pam:`,
  description: `VM 110 - ${action[0]?.toUpperCase()}${action.slice(1)}`,
  target: "prod/qemu/110",
  running: true,
  exitstatus: null,
  durationMs: null,
});

beforeEach(() => {
  vi.mocked(api.settingsGet).mockRejectedValue(new AppErrorException({ code: "Internal", message: "not under test" }));
  vi.mocked(api.appInfo).mockRejectedValue(new AppErrorException({ code: "Internal", message: "not under test" }));
  vi.mocked(api.connectionsList).mockResolvedValue([prod]);
  vi.mocked(api.monitorGuestSummary).mockRejectedValue(new AppErrorException({ code: "Internal", message: "later" }));
  vi.mocked(api.monitorRrd).mockResolvedValue([]);
  vi.mocked(api.guestPower).mockImplementation((_c, _n, _k, _v, action) => Promise.resolve(trackedTask(action)));
});
afterEach(() => {
  vi.mocked(api.inventorySnapshot).mockReset();
  vi.mocked(api.permissionsOn).mockReset();
});

describe("the guest toolbar", () => {
  it("starts a stopped VM and says where to follow the task", async () => {
    const user = userEvent.setup();
    show(guest({ status: "stopped" }));
    const start = await enabled("guest-action-start");
    expect(screen.getByTestId("guest-action-shutdown")).toBeDisabled();
    expect(screen.getByTestId("guest-action-shutdown")).toHaveAttribute("data-disabled-reason", "The VM is not running");
    await user.click(start);
    expect(api.guestPower).toHaveBeenCalledWith("demo-prod", "pve1", "qemu", 110, "start");
    expect(await screen.findByTestId("guest-action-started")).toHaveTextContent(
      "VM 110 - Start started on pve1: follow it in the task bar",
    );
  });

  it("asks before stopping, and does nothing when cancelled", async () => {
    const user = userEvent.setup();
    show(guest());
    const stop = await enabled("guest-action-stop");
    await user.click(stop);
    const dialog = await screen.findByTestId("guest-action-confirm");
    expect(dialog).toHaveTextContent("Stop VM 110 (web1) now? This is like pulling the power plug");
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(api.guestPower).not.toHaveBeenCalled();

    await user.click(screen.getByTestId("guest-action-stop"));
    await user.click(await screen.findByTestId("guest-action-confirm-ok"));
    expect(api.guestPower).toHaveBeenCalledWith("demo-prod", "pve1", "qemu", 110, "stop");
  });

  it("shows the cluster's refusal where the action was", async () => {
    vi.mocked(api.guestPower).mockRejectedValue(
      new AppErrorException({ code: "Conflict", message: "110 cannot start: VM is locked (backup)." }),
    );
    const user = userEvent.setup();
    show(guest({ status: "stopped" }));
    const start = await enabled("guest-action-start");
    await user.click(start);
    const error = await screen.findByTestId("guest-action-error");
    expect(error).toHaveTextContent("Could not start VM 110 (web1)");
    expect(error).toHaveTextContent("VM is locked (backup)");
  });

  it("disables every action of a cluster that does not answer, saying so", async () => {
    vi.mocked(api.inventorySnapshot).mockResolvedValue([
      {
        connectionId: "demo-prod",
        resources: [guest({ status: "stopped" })],
        fetchedAt: new Date(Date.now() - 5.5 * 60_000).toISOString(),
        stale: true,
        error: "No node of prod answered.",
      },
    ]);
    renderApp("/c/demo-prod/guest/110");
    await waitFor(() =>
      expect(screen.getByTestId("guest-action-start")).toHaveAttribute(
        "data-disabled-reason",
        "prod is not answering (last seen 5 min ago): actions are disabled until it answers again",
      ),
    );
    expect(screen.getByTestId("guest-action-start")).toBeDisabled();
    expect(api.guestPower).not.toHaveBeenCalled();
  });

  it("says which privilege on which path the login lacks", async () => {
    vi.mocked(api.permissionsOn).mockResolvedValue(["VM.Audit", "VM.Console"]);
    show(guest({ status: "stopped" }));
    await waitFor(() =>
      expect(screen.getByTestId("guest-action-start")).toHaveAttribute("data-disabled-reason", "Needs VM.PowerMgmt on /vms/110 (this login lacks it)"),
    );
    expect(api.permissionsOn).toHaveBeenCalledWith("demo-prod", "/vms/110");
  });

  it("offers no reset for a container", async () => {
    const user = userEvent.setup();
    show(resource({ id: "lxc/110", kind: "lxc", vmid: 110, name: "ct", node: "pve1", status: "running" }));
    await user.click(await screen.findByTestId("guest-action-more"));
    expect(await screen.findByTestId("guest-action-suspend")).toBeInTheDocument();
    expect(screen.queryByTestId("guest-action-reset")).not.toBeInTheDocument();
  });

  it("lists Clone, Migrate, Manage HA and Remove under More, and a dialog gives the focus back to More", async () => {
    const user = userEvent.setup();
    show(guest({ status: "stopped" }));
    const more = await screen.findByTestId("guest-action-more");
    await user.click(more);
    await waitFor(() => expect(screen.getByTestId("guest-action-delete")).not.toHaveAttribute("data-disabled"));
    expect(screen.getByTestId("guest-action-clone")).toHaveTextContent("Clone…");
    expect(screen.getByTestId("guest-action-migrate")).toHaveTextContent("Migrate…");
    expect(screen.getByTestId("guest-action-ha")).toHaveTextContent("Manage HA…");
    // A VM that is not a template has no Clone button of its own.
    expect(screen.queryByTestId("guest-action-clone-primary")).not.toBeInTheDocument();
    await user.click(screen.getByTestId("guest-action-delete"));
    const dialog = await screen.findByTestId("delete-dialog");
    await waitFor(() => expect(within(dialog).getByTestId("delete-confirm")).toHaveFocus());
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByTestId("delete-dialog")).not.toBeInTheDocument());
    await waitFor(() => expect(screen.getByTestId("guest-action-more")).toHaveFocus());
    expect(api.guestDelete).not.toHaveBeenCalled();
  });
});
