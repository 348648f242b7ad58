// The tree's pool and tag views, the guest order setting, type-ahead, opening rows, the
// "All guests" link and stale connections.
import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { api, AppErrorException, onInventoryChanged, type Resource, type Settings } from "@/backend";
import { makeConnection } from "@/test/fixtures";
import { renderApp } from "@/test/renderApp";
import { recordOpened, resource } from "@/features/inventory/testSupport";

vi.mock("@/backend", async (importOriginal) => (await import("@/test/backendMock")).backendMock(importOriginal));

const node = (name: string) => resource({ id: `node/${name}`, kind: "node", node: name, status: "online" });
const guest = (vmid: number, nodeName: string, name: string, extra: Partial<Resource> = {}) =>
  resource({ id: `qemu/${vmid}`, kind: "qemu", vmid, node: nodeName, name, status: "running", ...extra });

const PROD = makeConnection({ id: "c-prod", name: "prod" });
const RESOURCES: Resource[] = [
  node("pve1"),
  guest(101, "pve1", "zeta", { pool: "db", tags: "prod", hastate: "started" }),
  guest(102, "pve1", "alpha", { tags: "prod;web", status: "paused" }),
  guest(103, "pve1", "mid"),
];

function settings(guestOrder: "vmid" | "name"): Settings {
  return { theme: "system", healthIntervalSecs: 30, refreshVisibleSecs: 5, refreshHiddenSecs: 60, guestOrder, backupCoverageDays: 1 };
}

beforeEach(() => {
  vi.mocked(api.settingsGet).mockResolvedValue(settings("vmid"));
  vi.mocked(api.appInfo).mockRejectedValue(
    new AppErrorException({ code: "Internal", message: "not under test", detail: null }),
  );
  vi.mocked(api.connectionsList).mockResolvedValue([PROD]);
  vi.mocked(api.connectionResources).mockResolvedValue(RESOURCES);
});

const treeIds = () => screen.getAllByRole("treeitem").map((el) => el.dataset.testid);

describe("tree views", () => {
  it("sorts guests by name when the setting says so", async () => {
    vi.mocked(api.settingsGet).mockResolvedValue(settings("name"));
    renderApp("/");
    await screen.findByTestId("tree-guest-prod-101");
    await waitFor(() =>
      expect(treeIds()).toEqual([
        "tree-connection-prod",
        "tree-node-prod-pve1",
        "tree-guest-prod-102",
        "tree-guest-prod-103",
        "tree-guest-prod-101",
      ]),
    );
    expect(screen.getByTestId("tree-guest-prod-101")).toHaveAccessibleName(/HA started/);
    expect(within(screen.getByTestId("tree-guest-prod-101")).getByTestId("guest-ha")).toHaveAttribute(
      "title",
      "HA: started",
    );
    expect(screen.getByTestId("tree-guest-prod-102")).toHaveAttribute("data-status", "paused");
  });

  it("switches to the pool and tag views", async () => {
    const user = userEvent.setup();
    renderApp("/");
    await screen.findByTestId("tree-guest-prod-101");
    await user.selectOptions(screen.getByLabelText("View:"), "pools");
    expect(screen.getByRole("tree")).toHaveAccessibleName("Pools");
    expect(treeIds()).toEqual([
      "tree-connection-prod",
      "tree-pool-prod-db",
      "tree-guest-prod-101",
      "tree-pool-prod-none",
      "tree-guest-prod-102",
      "tree-guest-prod-103",
    ]);
    await user.selectOptions(screen.getByLabelText("View:"), "tags");
    expect(treeIds()).toEqual([
      "tree-connection-prod",
      "tree-tag-prod-prod",
      "tree-guest-prod-101",
      "tree-guest-prod-102",
      "tree-tag-prod-web",
      "tree-guest-prod-102",
      "tree-tag-prod-none",
      "tree-guest-prod-103",
    ]);
  });

  it("jumps by type-ahead and opens the row with Enter", async () => {
    const user = userEvent.setup();
    const { router } = renderApp("/");
    const opened = recordOpened(router);
    const prod = await screen.findByTestId("tree-connection-prod");
    await screen.findByTestId("tree-guest-prod-101");
    act(() => prod.focus());
    await user.keyboard("m");
    expect(screen.getByTestId("tree-guest-prod-103")).toHaveFocus();
    await user.keyboard("{Enter}");
    await waitFor(() => expect(opened).toEqual(["/c/c-prod/guest/103"]));

    await user.click(screen.getByTestId("tree-node-prod-pve1"));
    await waitFor(() => expect(opened.at(-1)).toBe("/c/c-prod/node/pve1"));

    await user.click(screen.getByTestId("tree-all-guests"));
    await waitFor(() => expect(router.state.location.pathname).toBe("/guests"));
    expect(await screen.findByTestId("guest-table")).toBeInTheDocument();
  });

  it("greys a connection whose refresh failed and says when it was last seen", async () => {
    vi.mocked(api.connectionResources).mockResolvedValue(RESOURCES);
    renderApp("/");
    await screen.findByTestId("tree-guest-prod-101");
    // The engine says the last refresh failed: the last known state stays, marked stale.
    const subscribed = vi.mocked(onInventoryChanged).mock.calls.at(-1)?.[0];
    if (!subscribed) throw new Error("the app did not subscribe to inventory changes");
    act(() =>
      subscribed({
        connectionId: "c-prod",
        fetchedAt: new Date().toISOString(),
        stale: true,
        error: "No node answered.",
        added: [],
        changed: [],
        removed: [],
      }),
    );
    const stale = await screen.findByTestId("tree-stale-prod");
    expect(stale).toHaveTextContent("last seen just now");
    expect(screen.getByTestId("tree-connection-prod")).toHaveAttribute("data-stale", "true");
    expect(screen.getByTestId("tree-connection-prod")).toHaveAccessibleName(/Not refreshed: No node answered\./);
    expect(screen.getByTestId("tree-guest-prod-101")).toHaveAttribute("data-stale", "true");
  });
});
