// A guest's context menu in the tree: its power actions with their reasons, confirmation,
// and the call that follows.
import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api, AppErrorException } from "@/backend";
import { makeConnection, resource } from "@/test/fixtures";
import { renderApp } from "@/test/renderApp";

vi.mock("@/backend", async (importOriginal) => (await import("@/test/backendMock")).backendMock(importOriginal));

const prod = makeConnection({ id: "c-prod", name: "prod" });

beforeEach(() => {
  vi.mocked(api.settingsGet).mockRejectedValue(new AppErrorException({ code: "Internal", message: "not under test" }));
  vi.mocked(api.appInfo).mockRejectedValue(new AppErrorException({ code: "Internal", message: "not under test" }));
  vi.mocked(api.connectionsList).mockResolvedValue([prod]);
  vi.mocked(api.connectionResources).mockResolvedValue([
    resource({ id: "node/pve1", kind: "node", node: "pve1", status: "online" }),
    resource({ id: "qemu/101", kind: "qemu", vmid: 101, name: "web", node: "pve1", status: "running" }),
    resource({ id: "lxc/102", kind: "lxc", vmid: 102, name: "dns", node: "pve1", status: "stopped", lock: "backup" }),
  ]);
  vi.mocked(api.guestPower).mockRejectedValue(
    new AppErrorException({ code: "MissingPrivilege", message: "this login lacks VM.PowerMgmt on /vms/101." }),
  );
});

afterEach(() => {
  vi.mocked(api.guestMigrateOptions).mockReset();
  vi.mocked(api.guestDelete).mockReset();
});

describe("a guest's context menu", () => {
  it("offers the actions its state allows and asks before shutting down", async () => {
    const user = userEvent.setup();
    renderApp("/");
    await user.pointer({ keys: "[MouseRight]", target: await screen.findByTestId("tree-guest-prod-101") });
    const menu = await screen.findByTestId("guest-menu");
    expect(menu).toHaveTextContent("VM 101 (web) · prod");
    await waitFor(() =>
      expect(within(menu).getByTestId("guest-action-start")).toHaveAttribute(
        "data-disabled-reason",
        "The VM is running already",
      ),
    );
    await waitFor(() => expect(within(menu).getByTestId("guest-action-shutdown")).not.toHaveAttribute("data-disabled"));
    await user.click(within(menu).getByTestId("guest-action-shutdown"));
    await user.click(await screen.findByTestId("guest-action-confirm-ok"));
    expect(api.guestPower).toHaveBeenCalledWith("c-prod", "pve1", "qemu", 101, "shutdown");
    // The cluster's refusal stays on screen after the menu closed.
    expect(await screen.findByTestId("guest-menu-error")).toHaveTextContent("lacks VM.PowerMgmt on /vms/101");
  });

  it("says a locked container cannot act, and opens its summary", async () => {
    const user = userEvent.setup();
    const { router } = renderApp("/");
    await user.pointer({ keys: "[MouseRight]", target: await screen.findByTestId("tree-guest-prod-102") });
    const menu = await screen.findByTestId("guest-menu");
    await waitFor(() =>
      expect(within(menu).getByTestId("guest-action-start")).toHaveAttribute(
        "data-disabled-reason",
        "The container is locked (backup): wait for that operation to end",
      ),
    );
    expect(within(menu).queryByTestId("guest-action-reset")).not.toBeInTheDocument();
    await user.click(within(menu).getByTestId("guest-menu-open"));
    await waitFor(() => expect(router.state.location.pathname).toBe("/c/c-prod/guest/102"));
  });

  it("offers Clone, Migrate, Manage HA and Remove, Remove only for a stopped guest", async () => {
    const user = userEvent.setup();
    renderApp("/");
    await user.pointer({ keys: "[MouseRight]", target: await screen.findByTestId("tree-guest-prod-101") });
    const menu = await screen.findByTestId("guest-menu");
    await waitFor(() => expect(within(menu).getByTestId("guest-action-clone")).not.toHaveAttribute("data-disabled"));
    expect(within(menu).getByTestId("guest-action-clone")).toHaveTextContent("Clone…");
    expect(within(menu).getByTestId("guest-action-migrate")).toHaveTextContent("Migrate…");
    expect(within(menu).getByTestId("guest-action-ha")).toHaveTextContent("Manage HA…");
    expect(within(menu).getByTestId("guest-action-ha")).not.toHaveAttribute("data-disabled");
    expect(within(menu).getByTestId("guest-action-delete")).toHaveTextContent("Remove…");
    expect(within(menu).getByTestId("guest-action-delete")).toHaveAttribute("data-disabled-reason", "Stop the guest first");
  });

  it("says a locked guest cannot be cloned, migrated or removed", async () => {
    const user = userEvent.setup();
    renderApp("/");
    await user.pointer({ keys: "[MouseRight]", target: await screen.findByTestId("tree-guest-prod-102") });
    const menu = await screen.findByTestId("guest-menu");
    const locked = "The container is locked (backup): wait for that operation to end";
    await waitFor(() => expect(within(menu).getByTestId("guest-action-clone")).toHaveAttribute("data-disabled-reason", locked));
    expect(within(menu).getByTestId("guest-action-migrate")).toHaveAttribute("data-disabled-reason", locked);
    expect(within(menu).getByTestId("guest-action-delete")).toHaveAttribute("data-disabled-reason", locked);
  });

  it("opens Migrate from the keyboard, and gives the focus back to the tree when it closes", async () => {
    vi.mocked(api.guestMigrateOptions).mockResolvedValue({
      running: true,
      online: true,
      targets: [{ node: "pve2", reason: null }],
      localDisks: [],
      localResources: [],
    });
    const user = userEvent.setup();
    renderApp("/");
    // Shift+F10 on the focused guest row opens its menu, as a right-click does.
    const row = await screen.findByTestId("tree-guest-prod-101");
    act(() => row.focus());
    await user.keyboard("{Shift>}{F10}{/Shift}");
    const menu = await screen.findByTestId("guest-menu");
    await waitFor(() => expect(within(menu).getByTestId("guest-action-migrate")).not.toHaveAttribute("data-disabled"));
    act(() => within(menu).getByTestId("guest-action-migrate").focus());
    await user.keyboard("{Enter}");
    const dialog = await screen.findByTestId("migrate-dialog");
    await within(dialog).findByTestId("migrate-target");
    expect(api.guestMigrateOptions).toHaveBeenCalledWith({ connectionId: "c-prod", node: "pve1", kind: "qemu", vmid: 101 });
    expect(dialog).toContainElement(document.activeElement as HTMLElement);
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByTestId("migrate-dialog")).not.toBeInTheDocument());
    await waitFor(() => expect(screen.getByTestId("tree-guest-prod-101")).toHaveFocus());
  });
});
