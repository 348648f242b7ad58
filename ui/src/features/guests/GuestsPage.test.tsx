// The all-guests page: rows from every cluster, text and facet filters, sorting, opening.
import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api, AppErrorException, type GuestIps, type Resource } from "@/backend";
import { makeConnection } from "@/test/fixtures";
import { renderApp } from "@/test/renderApp";
import { recordOpened, resource } from "@/features/inventory/testSupport";
import { giveScrollBoxesASize } from "@/test/layout";

vi.mock("@/backend", async (importOriginal) => (await import("@/test/backendMock")).backendMock(importOriginal));

const guest = (vmid: number, node: string, name: string, extra: Partial<Resource> = {}) =>
  resource({ id: `qemu/${vmid}`, kind: "qemu", vmid, node, name, status: "running", ...extra });

const CONNECTIONS = [makeConnection({ id: "c-prod", name: "prod" }), makeConnection({ id: "c-lab", name: "lab" })];

giveScrollBoxesASize("guest-table");

beforeEach(() => {
  vi.mocked(api.settingsGet).mockRejectedValue(
    new AppErrorException({ code: "Internal", message: "not under test", detail: null }),
  );
  vi.mocked(api.appInfo).mockRejectedValue(
    new AppErrorException({ code: "Internal", message: "not under test", detail: null }),
  );
  vi.mocked(api.connectionsList).mockResolvedValue(CONNECTIONS);
  vi.mocked(api.connectionResources).mockImplementation((id) =>
    Promise.resolve(
      id === "c-prod"
        ? [
            guest(101, "pve1", "db-01", { tags: "prod;sql", cpu: 0.25, maxcpu: 4, mem: 2 * 1024 ** 3, maxmem: 4 * 1024 ** 3 }),
            guest(100, "pve1", "web-01", { tags: "prod;web", uptime: 90_000, hastate: "started" }),
            guest(102, "pve2", "web-02", { tags: "web", status: "stopped", lock: "backup" }),
            resource({ id: "lxc/200", kind: "lxc", vmid: 200, node: "pve2", name: "dns", status: "running", pool: "infra" }),
          ]
        : [guest(300, "lab1", "sandbox")],
    ),
  );
});

afterEach(() => {
  vi.mocked(api.guestIpsKnown).mockReset();
});

const known = (connectionId: string, vmid: number, addresses: string[]): GuestIps => ({
  connectionId,
  node: "pve1",
  vmid,
  state: addresses.length > 0 ? "answered" : "agentNotRunning",
  addresses,
  interfaces: [],
  detail: null,
  checkedAt: "2026-01-01T00:00:00Z",
});

const rowIds = () =>
  within(screen.getByTestId("guest-table"))
    .getAllByRole("row")
    .map((el) => el.dataset.testid)
    .filter((id): id is string => id !== undefined);

describe("all guests", () => {
  it("lists the guests of every cluster, filters by text and facets, and sorts", async () => {
    const user = userEvent.setup();
    renderApp("/guests");
    await waitFor(() => expect(rowIds()).toHaveLength(5), { timeout: 5000 });
    expect(rowIds()).toEqual([
      "guest-row-prod-100",
      "guest-row-prod-101",
      "guest-row-prod-102",
      "guest-row-prod-200",
      "guest-row-lab-300",
    ]);
    const db = screen.getByTestId("guest-row-prod-101");
    expect(db).toHaveTextContent("db-01");
    expect(db).toHaveTextContent("25.0%");
    expect(db).toHaveTextContent("2.0 GiB / 4.0 GiB");
    expect(screen.getByTestId("guest-row-prod-100")).toHaveTextContent("1d 01h");
    expect(screen.getByTestId("guest-row-prod-102")).toHaveAttribute("data-status", "stopped");
    expect(screen.getByTestId("guest-count")).toHaveTextContent("5 guests");

    await user.type(screen.getByTestId("guest-filter"), "web");
    expect(rowIds()).toEqual(["guest-row-prod-100", "guest-row-prod-102"]);
    expect(screen.getByTestId("guest-count")).toHaveTextContent("2 of 5 guests");

    await user.clear(screen.getByTestId("guest-filter"));
    await user.click(screen.getByTestId("facet-cluster"));
    const lab = await screen.findByTestId("facet-cluster-lab");
    expect(lab).toHaveTextContent("1");
    expect(screen.getByTestId("facet-cluster-prod")).toHaveTextContent("4");
    await user.click(lab);
    expect(rowIds()).toEqual(["guest-row-lab-300"]);
    expect(screen.getByTestId("facet-cluster")).toHaveAttribute("data-chosen", "1");
    await user.keyboard("{Escape}");
    await user.click(screen.getByTestId("guest-filter-clear"));
    expect(rowIds()).toHaveLength(5);

    await user.click(screen.getByTestId("guest-sort-name"));
    expect(rowIds()).toEqual([
      "guest-row-prod-101",
      "guest-row-prod-200",
      "guest-row-lab-300",
      "guest-row-prod-100",
      "guest-row-prod-102",
    ]);
    await user.click(screen.getByTestId("guest-sort-name"));
    expect(rowIds()[0]).toBe("guest-row-prod-102");
    expect(screen.getByRole("columnheader", { name: /Name/ })).toHaveAttribute("aria-sort", "descending");
  }, 30_000);

  it("shows each guest's first known address and its HA state, and filters by address", async () => {
    vi.mocked(api.guestIpsKnown).mockResolvedValue([
      known("c-prod", 101, ["192.0.2.21", "2001:db8::21"]),
      known("c-prod", 100, ["203.0.113.100"]),
      known("c-prod", 102, []),
      // Same VMID in another cluster: its own address.
      known("c-lab", 300, ["192.0.2.3"]),
    ]);
    const user = userEvent.setup();
    renderApp("/guests");
    await waitFor(() => expect(rowIds()).toHaveLength(5), { timeout: 5000 });
    await waitFor(() => expect(screen.getByTestId("guest-row-prod-101")).toHaveTextContent("192.0.2.21"));
    expect(screen.getByRole("columnheader", { name: "IP" })).toBeInTheDocument();
    expect(screen.getByRole("columnheader", { name: /HA/ })).toBeInTheDocument();
    const cells = (id: string) => within(screen.getByTestId(id)).getAllByRole("gridcell").map((c) => c.textContent);
    const ipColumn = screen.getAllByRole("columnheader").findIndex((h) => h.textContent === "IP");
    const haColumn = screen.getAllByRole("columnheader").findIndex((h) => /HA/.test(h.textContent ?? ""));
    expect(cells("guest-row-prod-101")[ipColumn]).toBe("192.0.2.21");
    expect(cells("guest-row-prod-100")[ipColumn]).toBe("203.0.113.100");
    expect(cells("guest-row-prod-102")[ipColumn]).toBe("");
    expect(cells("guest-row-prod-200")[ipColumn]).toBe("");
    expect(cells("guest-row-lab-300")[ipColumn]).toBe("192.0.2.3");
    expect(cells("guest-row-prod-100")[haColumn]).toBe("started");
    expect(cells("guest-row-prod-101")[haColumn]).toBe("");

    await user.type(screen.getByTestId("guest-filter"), "192.0.2");
    expect(rowIds()).toEqual(["guest-row-prod-101", "guest-row-lab-300"]);
    await user.clear(screen.getByTestId("guest-filter"));
    await user.type(screen.getByTestId("guest-filter"), "203.0.113.100");
    expect(rowIds()).toEqual(["guest-row-prod-100"]);
    await user.clear(screen.getByTestId("guest-filter"));

    await user.click(screen.getByTestId("guest-sort-ip"));
    // Numerically: .3 before .21, as a string sort would not.
    expect(rowIds().slice(0, 3)).toEqual(["guest-row-lab-300", "guest-row-prod-101", "guest-row-prod-100"]);
  }, 30_000);

  it("opens a guest with Enter or a double-click", async () => {
    const user = userEvent.setup();
    const { router } = renderApp("/guests");
    const opened = recordOpened(router);
    await waitFor(() => expect(rowIds()).toHaveLength(5), { timeout: 5000 });
    const table = screen.getByTestId("guest-table");
    act(() => table.focus());
    await user.keyboard("{ArrowDown}{Enter}");
    await waitFor(() => expect(opened).toEqual(["/c/c-prod/guest/101"]));
    await user.dblClick(await screen.findByTestId("guest-row-lab-300"));
    await waitFor(() => expect(opened.at(-1)).toBe("/c/c-lab/guest/300"));
  }, 30_000);

  it("opens a row's power actions with a right-click and with Shift+F10", async () => {
    const user = userEvent.setup();
    renderApp("/guests");
    await waitFor(() => expect(rowIds()).toHaveLength(5), { timeout: 5000 });
    await user.pointer({ keys: "[MouseRight]", target: await screen.findByTestId("guest-row-lab-300") });
    const menu = await screen.findByTestId("guest-menu");
    expect(menu).toHaveTextContent("· lab");
    expect(within(menu).getByTestId("guest-action-start")).toBeInTheDocument();
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByTestId("guest-menu")).not.toBeInTheDocument());

    const table = screen.getByTestId("guest-table");
    act(() => table.focus());
    await user.keyboard("{Home}{Shift>}{F10}{/Shift}");
    expect(await screen.findByTestId("guest-menu")).toHaveTextContent("VM 100 (web-01) · prod");
  }, 30_000);

  it("stops a multi-selection across clusters, skipping what cannot, with a result per guest", async () => {
    vi.mocked(api.guestsPowerMany).mockImplementation((guests, action) =>
      Promise.resolve(
        guests.map((g) =>
          g.vmid === 300
            ? { guest: g, task: null, error: { code: "MissingPrivilege", message: "this login lacks VM.PowerMgmt on /vms/300.", detail: null, fields: {} } }
            : {
                guest: g,
                task: {
                  connectionId: g.connectionId,
                  connectionName: "prod",
                  node: g.node,
                  upid: `UPID:${g.node}:1:2:3:qm${action}:${g.vmid}:root@pam:`,
                  description: `VM ${g.vmid} - Stop`,
                  target: `prod/qemu/${g.vmid}`,
                  running: true,
                  exitstatus: null,
                  durationMs: null,
                },
                error: null,
              },
        ),
      ),
    );
    const user = userEvent.setup();
    renderApp("/guests");
    await waitFor(() => expect(rowIds()).toHaveLength(5), { timeout: 5000 });
    // Ctrl+click two prod guests and the lab one; Shift extends from the last one clicked.
    await user.click(screen.getByTestId("guest-row-prod-100"));
    await user.keyboard("{Control>}");
    await user.click(screen.getByTestId("guest-row-prod-102"));
    await user.click(screen.getByTestId("guest-row-lab-300"));
    await user.keyboard("{/Control}");
    expect(await screen.findByTestId("bulk-count")).toHaveTextContent("2 selected on 2 clusters");
    expect(screen.getByTestId("guest-row-lab-300")).toHaveAttribute("aria-selected", "true");
    expect(screen.getByTestId("guest-row-prod-100")).toHaveAttribute("aria-selected", "false");

    await user.keyboard("{Control>}");
    await user.click(screen.getByTestId("guest-row-prod-100"));
    await user.keyboard("{/Control}");
    expect(screen.getByTestId("bulk-count")).toHaveTextContent("3 selected on 2 clusters");
    await user.click(screen.getByTestId("bulk-stop"));
    const confirm = await screen.findByTestId("bulk-confirm");
    expect(confirm).toHaveTextContent("Stop 2 guests");
    expect(within(confirm).getByTestId("bulk-run-list")).toHaveTextContent("VM 100 (web-01) · prod");
    expect(within(confirm).getByTestId("bulk-skip-list")).toHaveTextContent(
      "VM 102 (web-02) · prod: The VM is locked (backup)",
    );
    await user.click(within(confirm).getByTestId("bulk-confirm-ok"));
    expect(api.guestsPowerMany).toHaveBeenCalledWith(
      [
        { connectionId: "c-prod", node: "pve1", kind: "qemu", vmid: 100 },
        { connectionId: "c-lab", node: "lab1", kind: "qemu", vmid: 300 },
      ],
      "stop",
    );
    const results = await screen.findByTestId("bulk-results");
    expect(results).toHaveTextContent("1 started");
    const items = within(results).getAllByRole("listitem");
    expect(items[0]).toHaveTextContent("VM 100 (web-01) · prod: VM 100 - Stop started");
    expect(items[1]).toHaveTextContent("VM 300 (sandbox) · lab: this login lacks VM.PowerMgmt on /vms/300.");
    expect(items[1]).toHaveAttribute("data-ok", "false");
  }, 30_000);

  it("updates 10,000 rows for a filter text quickly (timing printed, not asserted)", async () => {
    const names = ["web", "db", "cache", "worker"];
    vi.mocked(api.connectionResources).mockImplementation((id) =>
      Promise.resolve(
        id === "c-prod"
          ? Array.from({ length: 10_000 }, (_, i) =>
              guest(100 + i, `pve${i % 16}`, `${names[i % 4]}-${i}`, { tags: i % 3 ? "dev" : "prod;web" }),
            )
          : [],
      ),
    );
    renderApp("/guests");
    const count = screen.getByTestId.bind(screen, "guest-count");
    await waitFor(() => expect(count()).toHaveTextContent("10,000 guests"), { timeout: 15_000 });
    const filter = screen.getByTestId("guest-filter");
    const runs: string[] = [];
    for (const text of ["w", "web", "web-12", "worker-99", ""]) {
      const started = performance.now();
      fireEvent.change(filter, { target: { value: text } });
      runs.push(`${JSON.stringify(text)} ${(performance.now() - started).toFixed(1)} ms (${count().textContent})`);
    }
    console.log(`guest table (jsdom), typing into the filter with 10,000 rows: ${runs.join("; ")}`);
    expect(count()).toHaveTextContent("10,000 guests");
  }, 60_000);
});
