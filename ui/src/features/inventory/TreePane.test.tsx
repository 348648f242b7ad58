import { act, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { api, AppErrorException, type Connection, type Resource } from "@/backend";
import { makeConnection, resource } from "@/test/fixtures";
import { renderApp } from "@/test/renderApp";

vi.mock("@/backend", async (importOriginal) => (await import("@/test/backendMock")).backendMock(importOriginal));

function connection(id: string, name: string, kind: Connection["kind"] = "pve"): Connection {
  return makeConnection({ id, name, kind, url: `https://${name}.demo:8006`, demo: true });
}

const DEMO: Connection[] = [
  connection("demo-prod", "prod"),
  connection("demo-lab", "lab"),
  connection("demo-pbs", "pbs-backup", "pbs"),
];

const node = (name: string, status: string) => resource({ id: `node/${name}`, kind: "node", node: name, status });
const guest = (kind: "qemu" | "lxc", vmid: number, nodeName: string, name: string, status: string, extra = {}) =>
  resource({ id: `${kind}/${vmid}`, kind, vmid, node: nodeName, name, status, ...extra });

const PROD: Resource[] = [
  node("pve2", "online"),
  guest("qemu", 9000, "pve2", "tmpl-debian", "stopped", { template: true }),
  guest("qemu", 101, "pve1", "db-01", "running"),
  node("pve3", "offline"),
  guest("lxc", 200, "pve1", "dns-01", "running"),
  guest("qemu", 104, "pve2", "web-01", "unknown", { lock: "backup" }),
  node("pve1", "online"),
  guest("qemu", 100, "pve1", "web-00", "stopped"),
  resource({ id: "storage/pve1/local", kind: "storage", node: "pve1", storage: "local", status: "available" }),
];

const LAB: Resource[] = [node("lab1", "online"), guest("qemu", 300, "lab1", "sandbox", "running")];

beforeEach(() => {
  vi.mocked(api.settingsGet).mockResolvedValue({
    theme: "system",
    healthIntervalSecs: 30,
    refreshVisibleSecs: 5,
    refreshHiddenSecs: 60,
    guestOrder: "vmid",
    backupCoverageDays: 1,
  });
  vi.mocked(api.appInfo).mockRejectedValue(
    new AppErrorException({ code: "Internal", message: "not under test", detail: null }),
  );
  vi.mocked(api.connectionsList).mockResolvedValue([]);
  vi.mocked(api.demoOpen).mockResolvedValue(DEMO);
  vi.mocked(api.demoClose).mockResolvedValue(null);
  vi.mocked(api.connectionResources).mockImplementation((id) =>
    Promise.resolve(id === "demo-prod" ? PROD : id === "demo-lab" ? LAB : []),
  );
});

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const guestIds = (prefix: string) =>
  screen
    .getAllByRole("treeitem")
    .map((el) => el.dataset.testid ?? "")
    .filter((id) => id.startsWith(prefix));

describe("resource tree", () => {
  it("opens the demo from the empty tree, busy while it starts, and shows its connections", async () => {
    const pending = deferred<Connection[]>();
    vi.mocked(api.demoOpen).mockReturnValue(pending.promise);
    const user = userEvent.setup();
    renderApp("/");

    const button = await screen.findByTestId("empty-open-demo");
    expect(button).toBeEnabled();
    await user.click(button);
    expect(api.demoOpen).toHaveBeenCalledTimes(1);
    expect(button).toBeDisabled();
    expect(button).toHaveAttribute("aria-busy", "true");
    expect(button).toHaveTextContent("Opening demo…");
    // The welcome page's button shows the same busy state.
    expect(screen.getByTestId("welcome-open-demo")).toBeDisabled();

    pending.resolve(DEMO);
    expect(await screen.findByTestId("tree-connection-prod")).toBeInTheDocument();
    expect(screen.getByTestId("tree-connection-lab")).toBeInTheDocument();
    expect(screen.getByTestId("tree-connection-pbs-backup")).toBeInTheDocument();
    expect(screen.queryByTestId("empty-open-demo")).not.toBeInTheDocument();
    expect(within(screen.getByTestId("tree-connection-prod")).getByText("demo")).toBeInTheDocument();
    // With clusters connected, the datacenter root shows their summary instead of the welcome.
    expect(await screen.findByTestId("summary-datacenter")).toBeInTheDocument();
    expect(screen.queryByTestId("welcome-open-demo")).not.toBeInTheDocument();
  });

  it("opens the demo from the welcome page too", async () => {
    const user = userEvent.setup();
    renderApp("/");
    await user.click(await screen.findByTestId("welcome-open-demo"));
    expect(api.demoOpen).toHaveBeenCalledTimes(1);
    expect(await screen.findByTestId("tree-connection-prod")).toBeInTheDocument();
  });

  it("groups guests under their node, sorted by vmid, with their status", async () => {
    vi.mocked(api.connectionsList).mockResolvedValue(DEMO);
    renderApp("/");

    expect(await screen.findByTestId("tree-guest-prod-100")).toBeInTheDocument();
    const order = screen.getAllByRole("treeitem").map((el) => el.dataset.testid);
    expect(order).toEqual([
      "tree-connection-prod",
      "tree-node-prod-pve1",
      "tree-guest-prod-100",
      "tree-guest-prod-101",
      "tree-guest-prod-200",
      "tree-node-prod-pve2",
      "tree-guest-prod-104",
      "tree-guest-prod-9000",
      "tree-node-prod-pve3",
      "tree-connection-lab",
      "tree-node-lab-lab1",
      "tree-guest-lab-300",
      "tree-connection-pbs-backup",
    ]);

    const web00 = screen.getByTestId("tree-guest-prod-100");
    expect(web00).toHaveTextContent("100 (web-00)");
    expect(web00).toHaveAttribute("data-status", "stopped");
    expect(web00).toHaveAttribute("aria-level", "3");
    expect(screen.getByTestId("tree-guest-prod-101")).toHaveAttribute("data-status", "running");
    expect(screen.getByTestId("tree-guest-prod-104")).toHaveAttribute("data-status", "unknown");
    expect(within(screen.getByTestId("tree-guest-prod-104")).getByTestId("guest-lock")).toHaveAttribute(
      "title",
      "Locked (backup)",
    );
    expect(screen.getByTestId("tree-guest-prod-9000")).toHaveAccessibleName(/template/);
    expect(screen.getByTestId("tree-node-prod-pve3")).toHaveAttribute("data-status", "offline");
    expect(screen.getByTestId("tree-node-prod-pve1")).toHaveAttribute("aria-level", "2");
    expect(screen.getByTestId("tree-connection-prod")).toHaveAttribute("aria-expanded", "true");
    // A Backup Server has no children yet, so nothing to expand; its resources are not asked for.
    expect(screen.getByTestId("tree-connection-pbs-backup")).not.toHaveAttribute("aria-expanded");
    expect(api.connectionResources).toHaveBeenCalledWith("demo-prod");
    expect(api.connectionResources).toHaveBeenCalledWith("demo-lab");
    expect(api.connectionResources).not.toHaveBeenCalledWith("demo-pbs");
    expect(guestIds("tree-guest-lab")).toEqual(["tree-guest-lab-300"]);
  });

  it("shows why the demo could not be opened", async () => {
    vi.mocked(api.demoOpen).mockRejectedValue(
      new AppErrorException({ code: "Internal", message: "The simulator could not start.", detail: "port in use" }),
    );
    const user = userEvent.setup();
    renderApp("/");
    await user.click(await screen.findByTestId("empty-open-demo"));

    const alert = await within(screen.getByTestId("tree-pane")).findByRole("alert");
    expect(alert).toHaveTextContent("Could not open the demo datacenter");
    expect(alert).toHaveTextContent("The simulator could not start.");
    expect(screen.getByTestId("empty-open-demo")).toBeEnabled();
    expect(screen.queryByRole("tree")).not.toBeInTheDocument();
  });

  it("closes the demo and returns to the empty state", async () => {
    const user = userEvent.setup();
    renderApp("/");
    await user.click(await screen.findByTestId("empty-open-demo"));
    const close = await screen.findByTestId("demo-close");
    expect(close).toHaveAttribute("title", "Close the demo datacenter");

    await user.click(close);
    expect(api.demoClose).toHaveBeenCalledTimes(1);
    expect(await screen.findByTestId("empty-open-demo")).toBeEnabled();
    expect(screen.queryByTestId("tree-connection-prod")).not.toBeInTheDocument();
    expect(screen.queryByTestId("demo-close")).not.toBeInTheDocument();
  });

  it("moves between rows with the arrow keys and folds with Left and Right", async () => {
    vi.mocked(api.connectionsList).mockResolvedValue(DEMO);
    const user = userEvent.setup();
    renderApp("/");
    await screen.findByTestId("tree-guest-prod-100");

    const prod = screen.getByTestId("tree-connection-prod");
    const pve1 = screen.getByTestId("tree-node-prod-pve1");
    // One tab stop for the whole tree.
    expect(prod).toHaveAttribute("tabindex", "0");
    expect(pve1).toHaveAttribute("tabindex", "-1");

    act(() => prod.focus());
    await user.keyboard("{ArrowDown}");
    expect(pve1).toHaveFocus();
    expect(pve1).toHaveAttribute("tabindex", "0");
    await user.keyboard("{ArrowDown}");
    expect(screen.getByTestId("tree-guest-prod-100")).toHaveFocus();
    await user.keyboard("{ArrowUp}{ArrowUp}");
    expect(prod).toHaveFocus();
    await user.keyboard("{ArrowUp}");
    expect(prod).toHaveFocus();

    // Left on a guest goes to its node; Left on an open node closes it.
    await user.keyboard("{ArrowDown}{ArrowDown}{ArrowLeft}");
    expect(pve1).toHaveFocus();
    await user.keyboard("{ArrowLeft}");
    expect(pve1).toHaveAttribute("aria-expanded", "false");
    expect(screen.queryByTestId("tree-guest-prod-100")).not.toBeInTheDocument();
    await user.keyboard("{ArrowDown}");
    expect(screen.getByTestId("tree-node-prod-pve2")).toHaveFocus();
    await user.keyboard("{ArrowUp}{ArrowRight}");
    expect(pve1).toHaveAttribute("aria-expanded", "true");
    await user.keyboard("{ArrowRight}");
    expect(screen.getByTestId("tree-guest-prod-100")).toHaveFocus();

    // The chevron folds too.
    await user.click(within(prod).getByTestId("tree-toggle"));
    expect(prod).toHaveAttribute("aria-expanded", "false");
    expect(screen.queryByTestId("tree-node-prod-pve1")).not.toBeInTheDocument();
    expect(prod).toHaveFocus();
    await user.keyboard("{End}");
    expect(screen.getByTestId("tree-connection-pbs-backup")).toHaveFocus();
  });
});
