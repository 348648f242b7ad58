// The connections in the tree: health dots kept current by events, the context menu, enable /
// disable, check now and remove.
import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import {
  api,
  AppErrorException,
  onConnectionsChanged,
  onHealthChanged,
  type Connection,
  type HealthChange,
  type Resource,
} from "@/backend";
import { health, makeConnection, resource } from "@/test/fixtures";
import { renderApp } from "@/test/renderApp";

vi.mock("@/backend", async (importOriginal) => (await import("@/test/backendMock")).backendMock(importOriginal));

function today(hours: number, minutes: number): string {
  const at = new Date();
  at.setHours(hours, minutes, 0, 0);
  return at.toISOString();
}

const PROD = makeConnection({
  id: "c-prod",
  name: "prod",
  access: "apiToken",
  username: "proxdeck@pve",
  tokenId: "proxdeck@pve!proxdeck",
  nodeOrder: ["pve2"],
  health: health({ state: "apiOnly", since: today(14, 2), message: "SSH not configured" }),
});
const LAB = makeConnection({
  id: "c-lab",
  name: "lab",
  enabled: false,
  health: health({ state: "disabled" }),
});

const node = (name: string): Resource => resource({ id: `node/${name}`, kind: "node", node: name, status: "online" });

let stored: Connection[] = [];

beforeEach(() => {
  stored = [PROD, LAB];
  vi.mocked(api.settingsGet).mockResolvedValue({ theme: "system", healthIntervalSecs: 30, refreshVisibleSecs: 5, refreshHiddenSecs: 60, guestOrder: "vmid", backupCoverageDays: 1 });
  vi.mocked(api.appInfo).mockRejectedValue(
    new AppErrorException({ code: "Internal", message: "not under test", detail: null }),
  );
  vi.mocked(api.connectionsList).mockImplementation(() => Promise.resolve(stored));
  vi.mocked(api.connectionResources).mockResolvedValue([node("pve1"), node("pve3"), node("pve2")]);
});

/** The callback the app registered for an event (the last one, after re-subscriptions). */
function listener<T>(mock: { mock: { calls: [T, ...unknown[]][] } }): T {
  const calls = mock.mock.calls;
  const last = calls[calls.length - 1];
  if (!last) throw new Error("the app did not subscribe");
  return last[0];
}

describe("connections in the tree", () => {
  it("shows each connection's health as a dot, and updates it on a healthChanged event", async () => {
    renderApp("/");
    const dot = await screen.findByTestId("health-prod");
    expect(dot).toHaveAttribute("data-state", "apiOnly");
    expect(dot).toHaveAttribute("title", "API only since 14:02 — SSH not configured");
    expect(screen.getByTestId("tree-connection-prod")).toHaveAccessibleName(/API only since 14:02 — SSH not configured/);

    const change: HealthChange = {
      connectionId: "c-prod",
      name: "prod",
      from: "apiOnly",
      to: "disconnected",
      since: today(14, 7),
      previousSince: today(14, 2),
      message: "no node answered within 1000 ms",
    };
    act(() => listener(vi.mocked(onHealthChanged))(change));
    await waitFor(() => expect(screen.getByTestId("health-prod")).toHaveAttribute("data-state", "disconnected"));
    expect(screen.getByTestId("health-prod")).toHaveAttribute(
      "title",
      "Disconnected since 14:07 — no node answered within 1000 ms",
    );
    // The event changed the cache; nothing was fetched again for it.
    expect(api.connectionsList).toHaveBeenCalledTimes(1);
  });

  it("refetches the list on a connectionsChanged event", async () => {
    renderApp("/");
    await screen.findByTestId("tree-connection-prod");
    stored = [PROD];
    act(() => listener(vi.mocked(onConnectionsChanged))());
    await waitFor(() => expect(screen.queryByTestId("tree-connection-lab")).not.toBeInTheDocument());
    expect(api.connectionsList).toHaveBeenCalledTimes(2);
  });

  it("greys a disabled connection and does not fetch its resources", async () => {
    renderApp("/");
    const lab = await screen.findByTestId("tree-connection-lab");
    expect(lab).toHaveAttribute("data-enabled", "false");
    expect(lab).not.toHaveAttribute("aria-expanded");
    expect(lab).toHaveTextContent("disabled");
    expect(screen.getByTestId("health-lab")).toHaveAttribute("data-state", "disabled");
    await screen.findByTestId("tree-node-prod-pve1");
    expect(api.connectionResources).toHaveBeenCalledWith("c-prod");
    expect(api.connectionResources).not.toHaveBeenCalledWith("c-lab");
  });

  it("lists the nodes in the connection's order, then alphabetically", async () => {
    renderApp("/");
    await screen.findByTestId("tree-node-prod-pve1");
    const nodes = screen
      .getAllByRole("treeitem")
      .map((el) => el.dataset.testid)
      .filter((id) => id?.startsWith("tree-node-prod"));
    expect(nodes).toEqual(["tree-node-prod-pve2", "tree-node-prod-pve1", "tree-node-prod-pve3"]);
  });

  it("enables a disabled connection from its context menu", async () => {
    vi.mocked(api.connectionSetEnabled).mockImplementation((id, enabled) =>
      Promise.resolve({ ...LAB, id, enabled, health: health({ state: "unknown" }) }),
    );
    const user = userEvent.setup();
    renderApp("/");
    await user.pointer({ keys: "[MouseRight]", target: await screen.findByTestId("tree-connection-lab") });
    const toggle = await screen.findByTestId("conn-menu-toggle");
    expect(toggle).toHaveTextContent("Enable");
    // Checking a disabled connection makes no sense, and the menu says so.
    expect(screen.getByTestId("conn-menu-check")).toHaveAttribute("data-disabled");
    await user.click(toggle);
    expect(api.connectionSetEnabled).toHaveBeenCalledWith("c-lab", true);
    await waitFor(() => expect(screen.getByTestId("tree-connection-lab")).toHaveAttribute("data-enabled", "true"));
    // The engine is asked to fetch the newly enabled cluster now.
    await waitFor(() => expect(api.inventoryRefreshNow).toHaveBeenCalled());
  });

  it("opens the menu from the keyboard, checks now, and gives the focus back to the row", async () => {
    vi.mocked(api.connectionCheck).mockResolvedValue(health({ state: "connected", since: today(15, 0) }));
    const user = userEvent.setup();
    renderApp("/");
    const row = await screen.findByTestId("tree-connection-prod");
    act(() => row.focus());
    await user.keyboard("{Shift>}{F10}{/Shift}");
    const menu = await screen.findByTestId("connection-menu");
    expect(menu).toHaveAccessibleName("Connection prod");
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByTestId("connection-menu")).not.toBeInTheDocument());
    await waitFor(() => expect(row).toHaveFocus());

    await user.keyboard("{Shift>}{F10}{/Shift}");
    await user.click(await screen.findByTestId("conn-menu-check"));
    expect(api.connectionCheck).toHaveBeenCalledWith("c-prod");
    await waitFor(() => expect(screen.getByTestId("health-prod")).toHaveAttribute("data-state", "connected"));
    expect(screen.getByTestId("health-prod")).toHaveAttribute("title", "Connected since 15:00");
  });

  it("shows why a menu action failed", async () => {
    vi.mocked(api.connectionSetEnabled).mockRejectedValue(
      new AppErrorException({ code: "Storage", message: "The database is locked.", detail: null }),
    );
    const user = userEvent.setup();
    renderApp("/");
    await user.pointer({ keys: "[MouseRight]", target: await screen.findByTestId("tree-connection-prod") });
    await user.click(await screen.findByTestId("conn-menu-toggle"));
    const alert = await screen.findByTestId("connection-menu-error");
    expect(alert).toHaveTextContent("Could not change the connection");
    expect(alert).toHaveTextContent("The database is locked.");
    await user.click(within(alert).getByRole("button", { name: "Dismiss" }));
    expect(screen.queryByTestId("connection-menu-error")).not.toBeInTheDocument();
  });

  it("keeps the demo's connections out of editing and removal", async () => {
    stored = [makeConnection({ id: "demo-prod", name: "demo", demo: true })];
    const user = userEvent.setup();
    renderApp("/");
    await user.pointer({ keys: "[MouseRight]", target: await screen.findByTestId("tree-connection-demo") });
    for (const id of ["conn-menu-edit", "conn-menu-toggle", "conn-menu-remove"]) {
      expect(await screen.findByTestId(id)).toHaveAttribute("data-disabled");
    }
    expect(screen.getByTestId("conn-menu-edit")).toHaveTextContent("close the demo");
    expect(screen.getByTestId("conn-menu-check")).not.toHaveAttribute("data-disabled");
  });

  it("switches a demo cluster off and on again from its menu, and only a demo one", async () => {
    const demo = makeConnection({ id: "demo-prod", name: "demo", demo: true, health: health({ state: "apiOnly" }) });
    stored = [PROD, demo];
    const down = { ...demo, health: health({ state: "disconnected", message: "demo is switched off" }) };
    vi.mocked(api.demoOutage).mockImplementation((_id, isDown) => {
      stored = [PROD, isDown ? down : demo];
      return Promise.resolve(isDown ? down : demo);
    });
    const user = userEvent.setup();
    renderApp("/");
    await user.pointer({ keys: "[MouseRight]", target: await screen.findByTestId("tree-connection-prod") });
    await screen.findByTestId("conn-menu-check");
    expect(screen.queryByTestId("conn-menu-outage")).not.toBeInTheDocument();
    await user.keyboard("{Escape}");

    await user.pointer({ keys: "[MouseRight]", target: await screen.findByTestId("tree-connection-demo") });
    const item = await screen.findByTestId("conn-menu-outage");
    expect(item).toHaveTextContent("Simulate an outage");
    expect(item).not.toHaveAttribute("data-disabled");
    await user.click(item);
    expect(api.demoOutage).toHaveBeenCalledWith("demo-prod", true);
    await waitFor(() => expect(screen.getByTestId("health-demo")).toHaveAttribute("data-state", "disconnected"));
    // The engine is asked to refresh at once, so the stale marking shows without waiting.
    expect(api.inventoryRefreshNow).toHaveBeenCalled();

    await user.pointer({ keys: "[MouseRight]", target: screen.getByTestId("tree-connection-demo") });
    const back = await screen.findByTestId("conn-menu-outage");
    expect(back).toHaveTextContent("End the outage");
    await user.click(back);
    expect(api.demoOutage).toHaveBeenLastCalledWith("demo-prod", false);
    await waitFor(() => expect(screen.getByTestId("health-demo")).toHaveAttribute("data-state", "apiOnly"));
  });
});

describe("removing a connection", () => {
  it("needs the typed name, can delete the token on the cluster, and reports what happened", async () => {
    vi.mocked(api.connectionRemove).mockImplementation((id) => {
      stored = stored.filter((c) => c.id !== id);
      return Promise.resolve({ secretsDeleted: 1, tokenDeleted: false, tokenError: "the cluster did not answer" });
    });
    const user = userEvent.setup();
    renderApp("/");
    await user.pointer({ keys: "[MouseRight]", target: await screen.findByTestId("tree-connection-prod") });
    await user.click(await screen.findByTestId("conn-menu-remove"));
    const dialog = await screen.findByRole("dialog", { name: "Remove prod?" });

    const confirm = within(dialog).getByTestId("remove-confirm");
    expect(confirm).toBeDisabled();
    expect(confirm).toHaveAccessibleDescription("Type the connection's name to confirm");
    const name = within(dialog).getByTestId("remove-confirm-name");
    expect(name).toHaveFocus();
    await user.type(name, "pro{Enter}");
    expect(api.connectionRemove).not.toHaveBeenCalled();
    await user.type(name, "d");
    expect(within(dialog).getByTestId("remove-confirm")).toBeEnabled();
    const deleteToken = within(dialog).getByTestId("remove-delete-token");
    expect(deleteToken).not.toBeChecked();
    expect(deleteToken).toHaveAccessibleName(/Also delete the API token proxdeck@pve!proxdeck on the cluster/);
    await user.click(deleteToken);
    await user.click(within(dialog).getByTestId("remove-confirm"));
    expect(api.connectionRemove).toHaveBeenCalledWith("c-prod", true);

    const report = await within(dialog).findByTestId("remove-report");
    expect(report).toHaveTextContent("Removed prod.");
    expect(report).toHaveTextContent("Deleted 1 secret from the keychain.");
    expect(within(report).getByTestId("remove-token-error")).toHaveTextContent("the cluster did not answer");
    expect(screen.queryByTestId("tree-connection-prod")).not.toBeInTheDocument();
    await user.click(within(dialog).getByTestId("remove-done"));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
  });

  it("offers no token deletion for a credential login", async () => {
    stored = [makeConnection({ id: "c-pbs", name: "backup", kind: "pbs" })];
    vi.mocked(api.connectionRemove).mockResolvedValue({ secretsDeleted: 1, tokenDeleted: false, tokenError: null });
    const user = userEvent.setup();
    renderApp("/");
    await user.pointer({ keys: "[MouseRight]", target: await screen.findByTestId("tree-connection-backup") });
    await user.click(await screen.findByTestId("conn-menu-remove"));
    const dialog = await screen.findByRole("dialog", { name: "Remove backup?" });
    expect(within(dialog).queryByTestId("remove-delete-token")).not.toBeInTheDocument();
    await user.type(within(dialog).getByTestId("remove-confirm-name"), "backup{Enter}");
    expect(api.connectionRemove).toHaveBeenCalledWith("c-pbs", false);
    expect(await within(dialog).findByTestId("remove-report")).toHaveTextContent("Nothing was changed on the server.");
  });
});

describe("the connections list in the settings", () => {
  it("lists every connection with its health and offers the same actions", async () => {
    vi.mocked(api.appInfo).mockReturnValue(new Promise(() => {}));
    vi.mocked(api.connectionSetEnabled).mockImplementation((id, enabled) =>
      Promise.resolve({ ...PROD, id, enabled, health: health({ state: "disabled" }) }),
    );
    const user = userEvent.setup();
    renderApp("/settings");
    const section = await screen.findByTestId("admin-connections");
    const prod = await within(section).findByTestId("admin-connection-prod");
    expect(prod).toHaveTextContent("proxdeck@pve!proxdeck");
    expect(prod).toHaveTextContent("API only");
    expect(prod).toHaveTextContent("SSH not configured");
    expect(within(section).getByTestId("admin-conn-enabled-lab")).not.toBeChecked();

    await user.click(within(section).getByTestId("admin-conn-enabled-prod"));
    expect(api.connectionSetEnabled).toHaveBeenCalledWith("c-prod", false);
    await waitFor(() => expect(within(section).getByTestId("admin-conn-enabled-prod")).not.toBeChecked());

    await user.click(within(section).getByTestId("admin-conn-edit-lab"));
    expect(await screen.findByRole("dialog", { name: "Edit lab" })).toBeInTheDocument();
    await user.keyboard("{Escape}");
    await waitFor(() => expect(within(section).getByTestId("admin-conn-edit-lab")).toHaveFocus());

    await user.click(within(section).getByTestId("admin-conn-remove-lab"));
    expect(await screen.findByRole("dialog", { name: "Remove lab?" })).toBeInTheDocument();
    await user.click(screen.getByTestId("remove-cancel"));

    await user.click(within(section).getByTestId("admin-conn-add"));
    expect(await screen.findByRole("dialog", { name: "Add a connection" })).toBeInTheDocument();
  });
});
