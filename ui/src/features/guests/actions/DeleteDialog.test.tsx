// Removing a guest from its toolbar: only a stopped guest, only after its exact name (or VMID)
// is typed, with purge on and unreferenced disks off by default; a refusal shown in place.
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api, AppErrorException, type Resource } from "@/backend";
import { actionTask, mockGuestPage, openFromMore, resetMocks, show, source, vm, type User } from "./testSupport";

vi.mock("@/backend", async (importOriginal) => (await import("@/test/backendMock")).backendMock(importOriginal));
vi.mock("@/features/summary/UplotChart", () => ({ default: () => <div data-testid="uplot" /> }));

// Only a stopped guest can be removed.
const stopped = (partial: Partial<Resource> = {}) => vm({ status: "stopped", ...partial });

const task = actionTask("qmdestroy", "VM 110 - Destroy");

const openDelete = (user: User) => openFromMore(user, "guest-action-delete", "delete-dialog");

beforeEach(() => {
  mockGuestPage();
  vi.mocked(api.guestDelete).mockResolvedValue(task);
});
afterEach(() => resetMocks(api.guestDelete));

describe("the remove dialog", () => {
  it("stays disabled until the exact name is typed, then removes with purge on", async () => {
    const user = userEvent.setup();
    show(stopped());
    const dialog = await openDelete(user);
    expect(dialog).toHaveTextContent("Remove VM 110 (web1)?");
    const submit = within(dialog).getByTestId("delete-submit");
    expect(submit).toBeDisabled();
    expect(submit).toHaveAttribute("data-disabled-reason", "Type the VM's name to confirm");
    expect(within(dialog).getByTestId("delete-purge")).toBeChecked();
    expect(within(dialog).getByTestId("delete-unreferenced")).not.toBeChecked();
    expect(dialog).toHaveTextContent("backup and replication jobs, from HA and from its pool");

    const input = within(dialog).getByTestId("delete-confirm");
    await user.type(input, "web");
    expect(within(dialog).getByTestId("delete-submit")).toBeDisabled();
    await user.type(input, "1 ");
    expect(within(dialog).getByTestId("delete-submit")).toBeDisabled();
    await user.type(input, "{Backspace}");
    expect(within(dialog).getByTestId("delete-submit")).toBeEnabled();
    await user.click(within(dialog).getByTestId("delete-unreferenced"));
    await user.click(within(dialog).getByTestId("delete-submit"));
    expect(api.guestDelete).toHaveBeenCalledWith(source, {
      confirm: "web1",
      purge: true,
      destroyUnreferencedDisks: true,
    });
    await waitFor(() => expect(screen.queryByTestId("delete-dialog")).not.toBeInTheDocument());
  });

  it("asks for the VMID of a guest without a name, and Enter does nothing before it matches", async () => {
    const user = userEvent.setup();
    show(stopped({ name: null }));
    const dialog = await openDelete(user);
    const input = within(dialog).getByTestId("delete-confirm");
    await user.type(input, "11{Enter}");
    expect(api.guestDelete).not.toHaveBeenCalled();
    await user.type(input, "0");
    await user.click(within(dialog).getByTestId("delete-purge"));
    await user.type(input, "{Enter}");
    expect(api.guestDelete).toHaveBeenCalledWith(source, { confirm: "110", purge: false, destroyUnreferencedDisks: false });
  });

  it("shows a refusal in place and keeps the form", async () => {
    vi.mocked(api.guestDelete).mockRejectedValue(
      new AppErrorException({ code: "Invalid", message: "The removal was refused.", fields: { confirm: "Does not match web1" } }),
    );
    const user = userEvent.setup();
    show(stopped());
    const dialog = await openDelete(user);
    await user.type(within(dialog).getByTestId("delete-confirm"), "web1");
    await user.click(within(dialog).getByTestId("delete-unreferenced"));
    await user.click(within(dialog).getByTestId("delete-submit"));
    expect(await within(dialog).findByTestId("delete-confirm-error")).toHaveTextContent("Does not match web1");
    expect(within(dialog).getByTestId("delete-error")).toHaveTextContent("The removal was refused.");
    expect(within(dialog).getByTestId("delete-confirm")).toHaveValue("web1");
    expect(within(dialog).getByTestId("delete-unreferenced")).toBeChecked();
    expect(within(dialog).getByTestId("delete-purge")).toBeChecked();
  });

  it("is disabled on a running guest: stop it first", async () => {
    const user = userEvent.setup();
    show(vm());
    await user.click(await screen.findByTestId("guest-action-more"));
    await waitFor(() =>
      expect(screen.getByTestId("guest-action-delete")).toHaveAttribute("data-disabled-reason", "Stop the guest first"),
    );
    expect(screen.getByTestId("guest-action-delete")).toHaveTextContent("Remove…");
  });

  it("is disabled with the missing privilege as the reason", async () => {
    vi.mocked(api.permissionsOn).mockResolvedValue(["VM.Audit", "VM.PowerMgmt"]);
    const user = userEvent.setup();
    show(stopped());
    await user.click(await screen.findByTestId("guest-action-more"));
    await waitFor(() =>
      expect(screen.getByTestId("guest-action-delete")).toHaveAttribute(
        "data-disabled-reason",
        "Needs VM.Allocate on /vms/110 (this login lacks it)",
      ),
    );
  });
});
