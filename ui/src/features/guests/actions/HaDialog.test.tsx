// A guest's HA from its toolbar: adding a guest HA does not manage yet, editing and removing
// one it does, a refusal under the group field with the form kept, and the Sys.Console gate.
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api, AppErrorException, type HaResource } from "@/backend";
import { enabledMoreItem, mockGuestPage, resetMocks, show, source, type User } from "./testSupport";

vi.mock("@/backend", async (importOriginal) => (await import("@/test/backendMock")).backendMock(importOriginal));
vi.mock("@/features/summary/UplotChart", () => ({ default: () => <div data-testid="uplot" /> }));

const managed: HaResource = {
  sid: "vm:110",
  settings: { state: "started", group: "edge", maxRestart: 2, maxRelocate: 3, comment: "front end" },
  digest: "abc",
};

async function openHa(user: User) {
  const item = await enabledMoreItem(user, "guest-action-ha");
  expect(item).toHaveTextContent("Manage HA…");
  await user.click(item);
  return screen.findByTestId("ha-dialog");
}

beforeEach(() => {
  mockGuestPage();
  vi.mocked(api.guestHa).mockResolvedValue(null);
  vi.mocked(api.guestHaSet).mockImplementation((_g, settings) => Promise.resolve({ sid: "vm:110", settings, digest: "d2" }));
  vi.mocked(api.guestHaRemove).mockResolvedValue(null);
});
afterEach(() => resetMocks(api.guestHa, api.guestHaSet, api.guestHaRemove));

describe("the HA dialog", () => {
  it("adds a guest HA does not manage, with PVE's defaults", async () => {
    const user = userEvent.setup();
    show();
    const dialog = await openHa(user);
    expect(await within(dialog).findByTestId("ha-unmanaged")).toBeInTheDocument();
    expect(api.guestHa).toHaveBeenCalledWith(source);
    expect(dialog).toHaveTextContent("Add VM 110 (web1) to HA");
    expect(within(dialog).getByTestId("ha-state")).toHaveValue("started");
    expect(within(dialog).getByTestId("ha-max-restart")).toHaveValue("1");
    expect(within(dialog).getByTestId("ha-max-relocate")).toHaveValue("1");
    expect(dialog).toHaveTextContent("PVE 9 replaced HA groups by node affinity rules");
    expect(within(dialog).queryByTestId("ha-remove")).not.toBeInTheDocument();

    await user.type(within(dialog).getByTestId("ha-comment"), "important");
    expect(within(dialog).getByTestId("ha-submit")).toHaveTextContent("Add to HA");
    await user.click(within(dialog).getByTestId("ha-submit"));
    expect(api.guestHaSet).toHaveBeenCalledWith(source, {
      state: "started",
      group: null,
      maxRestart: 1,
      maxRelocate: 1,
      comment: "important",
    });
    await waitFor(() => expect(screen.queryByTestId("ha-dialog")).not.toBeInTheDocument());
  });

  it("edits the settings of a managed guest", async () => {
    vi.mocked(api.guestHa).mockResolvedValue(managed);
    const user = userEvent.setup();
    show();
    const dialog = await openHa(user);
    const state = await within(dialog).findByTestId("ha-state");
    expect(dialog).toHaveTextContent("HA of VM 110 (web1)");
    expect(within(dialog).getByTestId("ha-group")).toHaveValue("edge");
    expect(within(dialog).getByTestId("ha-comment")).toHaveValue("front end");
    await user.selectOptions(state, "disabled");
    await user.clear(within(dialog).getByTestId("ha-max-restart"));
    await user.type(within(dialog).getByTestId("ha-max-restart"), "0");
    await user.clear(within(dialog).getByTestId("ha-group"));
    await user.click(within(dialog).getByTestId("ha-submit"));
    expect(api.guestHaSet).toHaveBeenCalledWith(source, {
      state: "disabled",
      group: null,
      maxRestart: 0,
      maxRelocate: 3,
      comment: "front end",
    });
  });

  it("removes a guest from HA after asking", async () => {
    vi.mocked(api.guestHa).mockResolvedValue(managed);
    const user = userEvent.setup();
    show();
    const dialog = await openHa(user);
    await user.click(await within(dialog).findByTestId("ha-remove"));
    expect(dialog).toHaveTextContent("Remove VM 110 (web1) from HA?");
    expect(api.guestHaRemove).not.toHaveBeenCalled();
    await user.click(within(dialog).getByTestId("ha-remove-confirm"));
    expect(api.guestHaRemove).toHaveBeenCalledWith(source);
    expect(api.guestHaSet).not.toHaveBeenCalled();
    await waitFor(() => expect(screen.queryByTestId("ha-dialog")).not.toBeInTheDocument());
  });

  it("shows a refused group under the field and keeps the form", async () => {
    vi.mocked(api.guestHaSet).mockRejectedValue(
      new AppErrorException({
        code: "Invalid",
        message: "The HA settings were refused.",
        fields: { group: "HA groups were migrated to rules: leave the group empty" },
      }),
    );
    const user = userEvent.setup();
    show();
    const dialog = await openHa(user);
    await user.type(await within(dialog).findByTestId("ha-group"), "edge");
    await user.selectOptions(within(dialog).getByTestId("ha-state"), "stopped");
    await user.click(within(dialog).getByTestId("ha-submit"));
    expect(await within(dialog).findByTestId("ha-group-error")).toHaveTextContent(
      "HA groups were migrated to rules: leave the group empty",
    );
    expect(within(dialog).getByTestId("ha-error")).toHaveTextContent("The HA settings were refused.");
    expect(within(dialog).getByTestId("ha-group")).toHaveValue("edge");
    expect(within(dialog).getByTestId("ha-state")).toHaveValue("stopped");
  });

  it("says a restart count must be a small number, without asking the cluster", async () => {
    const user = userEvent.setup();
    show();
    const dialog = await openHa(user);
    const restart = await within(dialog).findByTestId("ha-max-restart");
    await user.clear(restart);
    await user.type(restart, "many");
    await user.click(within(dialog).getByTestId("ha-submit"));
    expect(within(dialog).getByTestId("ha-max-restart-error")).toHaveTextContent("A whole number from 0 to 10");
    expect(api.guestHaSet).not.toHaveBeenCalled();
  });

  it("is disabled without Sys.Console on /", async () => {
    vi.mocked(api.permissionsOn).mockImplementation((_c, path) =>
      Promise.resolve(path === "/" ? ["Sys.Audit"] : ["VM.Audit", "VM.Allocate", "VM.Migrate"]),
    );
    const user = userEvent.setup();
    show();
    await user.click(await screen.findByTestId("guest-action-more"));
    await waitFor(() =>
      expect(screen.getByTestId("guest-action-ha")).toHaveAttribute(
        "data-disabled-reason",
        "Needs Sys.Console on / (this login lacks it)",
      ),
    );
    expect(api.permissionsOn).toHaveBeenCalledWith("demo-prod", "/");
  });
});
