// Migrating a guest from its toolbar: the mode, the nodes it may go to (the others shown with
// their reason), local disks, the call, a refusal under the target field, and the gate.
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api, AppErrorException, type MigrateOptions } from "@/backend";
import { migrateMode } from "./MigrateDialog";
import { actionTask, mockGuestPage, openFromMore, resetMocks, show, source, vm, type User } from "./testSupport";

vi.mock("@/backend", async (importOriginal) => (await import("@/test/backendMock")).backendMock(importOriginal));
vi.mock("@/features/summary/UplotChart", () => ({ default: () => <div data-testid="uplot" /> }));

const options = (partial: Partial<MigrateOptions> = {}): MigrateOptions => ({
  running: true,
  online: true,
  targets: [
    { node: "pve2", reason: "Node pve2 is offline" },
    { node: "pve3", reason: null },
    { node: "pve4", reason: null },
  ],
  localDisks: ["local-lvm:vm-110-disk-0"],
  localResources: [],
  ...partial,
});

const task = actionTask("qmigrate", "VM 110 - Migrate");

const openMigrate = (user: User) => openFromMore(user, "guest-action-migrate", "migrate-dialog");

beforeEach(() => {
  mockGuestPage();
  vi.mocked(api.guestMigrateOptions).mockResolvedValue(options());
  vi.mocked(api.guestMigrate).mockResolvedValue(task);
});
afterEach(() => resetMocks(api.guestMigrateOptions, api.guestMigrate));

describe("the migrate mode", () => {
  it("is online for a running VM, restart for a running container, offline otherwise", () => {
    expect(migrateMode({ running: true, online: true }, "qemu").label).toBe("Online");
    expect(migrateMode({ running: true, online: false }, "lxc").label).toBe("Restart mode");
    expect(migrateMode({ running: false, online: false }, "qemu").label).toBe("Offline");
    expect(migrateMode({ running: false, online: false }, "lxc").label).toBe("Offline");
  });
});

describe("the migrate dialog", () => {
  it("offers only the nodes that can take the guest and sends the chosen one", async () => {
    const user = userEvent.setup();
    show(vm());
    const dialog = await openMigrate(user);
    const select = await within(dialog).findByTestId("migrate-target");
    expect(api.guestMigrateOptions).toHaveBeenCalledWith(source);
    expect(within(dialog).getByTestId("migrate-mode-label")).toHaveTextContent("Online");
    expect(select).toHaveValue("pve3");
    expect(within(select).getByRole("option", { name: "pve2 — Node pve2 is offline" })).toBeDisabled();
    expect(within(select).getByRole("option", { name: "pve4" })).toBeEnabled();
    expect(within(dialog).getByTestId("migrate-local-disks")).toHaveTextContent("copied with the migration");
    expect(within(dialog).getByTestId("migrate-local-disks")).toHaveTextContent("local-lvm:vm-110-disk-0");

    await user.selectOptions(select, "pve4");
    await user.click(within(dialog).getByTestId("migrate-submit"));
    expect(api.guestMigrate).toHaveBeenCalledWith(source, "pve4");
    await waitFor(() => expect(screen.queryByTestId("migrate-dialog")).not.toBeInTheDocument());
  });

  it("says a running container is restarted", async () => {
    vi.mocked(api.guestMigrateOptions).mockResolvedValue(options({ online: false, localDisks: [] }));
    const user = userEvent.setup();
    show(vm({ id: "lxc/110", kind: "lxc", name: "ct" }));
    const dialog = await openMigrate(user);
    expect(await within(dialog).findByTestId("migrate-mode-label")).toHaveTextContent("Restart mode");
    expect(within(dialog).queryByTestId("migrate-local-disks")).not.toBeInTheDocument();
  });

  it("shows a refusal under the target node and keeps the choice", async () => {
    vi.mocked(api.guestMigrate).mockRejectedValue(
      new AppErrorException({
        code: "Invalid",
        message: "The migration was refused.",
        fields: { target: "pve4 lacks the storage local-zfs" },
      }),
    );
    const user = userEvent.setup();
    show(vm({ status: "stopped" }));
    const dialog = await openMigrate(user);
    await user.selectOptions(await within(dialog).findByTestId("migrate-target"), "pve4");
    await user.click(within(dialog).getByTestId("migrate-submit"));
    expect(await within(dialog).findByTestId("migrate-target-error")).toHaveTextContent(
      "pve4 lacks the storage local-zfs",
    );
    expect(within(dialog).getByTestId("migrate-error")).toHaveTextContent("The migration was refused.");
    expect(within(dialog).getByTestId("migrate-target")).toHaveValue("pve4");
  });

  it("cannot be sent when no node can take the guest", async () => {
    vi.mocked(api.guestMigrateOptions).mockResolvedValue(
      options({ running: false, online: false, targets: [{ node: "pve2", reason: "Node pve2 is offline" }] }),
    );
    const user = userEvent.setup();
    show(vm({ status: "stopped" }));
    const dialog = await openMigrate(user);
    expect(await within(dialog).findByTestId("migrate-mode-label")).toHaveTextContent("Offline");
    expect(within(dialog).getByTestId("migrate-submit")).toBeDisabled();
    expect(within(dialog).getByTestId("migrate-submit")).toHaveAttribute(
      "data-disabled-reason",
      "No other node can take this guest now",
    );
  });

  it("is disabled with the missing privilege as the reason", async () => {
    vi.mocked(api.permissionsOn).mockResolvedValue(["VM.Audit", "VM.PowerMgmt"]);
    const user = userEvent.setup();
    show(vm());
    await user.click(await screen.findByTestId("guest-action-more"));
    await waitFor(() =>
      expect(screen.getByTestId("guest-action-migrate")).toHaveAttribute(
        "data-disabled-reason",
        "Needs VM.Migrate on /vms/110 (this login lacks it)",
      ),
    );
  });
});
