import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { api, type Coverage, type CoverageRow, type Datastore, type Settings } from "@/backend";
import { makeConnection } from "@/test/fixtures";
import { renderApp } from "@/test/renderApp";
import { formatBytes } from "./format";

vi.mock("@/backend", async (importOriginal) => (await import("@/test/backendMock")).backendMock(importOriginal));

const NOW = Math.floor(Date.now() / 1000);
const GIB = 2 ** 30;

function row(partial: Partial<CoverageRow> & Pick<CoverageRow, "connectionId" | "vmid">): CoverageRow {
  return {
    connection: partial.connectionId.replace("demo-", ""),
    name: `guest-${partial.vmid}`,
    kind: "qemu",
    node: "pve1",
    lastBackup: null,
    lastBackupOn: null,
    backedUpWithin: false,
    status: "never",
    ...partial,
  };
}

const COVERAGE: Coverage = {
  days: 1,
  checkedAt: NOW,
  rows: [
    row({ connectionId: "demo-prod", vmid: 113 }),
    row({
      connectionId: "demo-prod",
      vmid: 140,
      lastBackup: NOW - 21 * 86400,
      lastBackupOn: "pbs-backup / prod / pve-prod",
      status: "stale",
    }),
    row({ connectionId: "demo-lab", vmid: 511, kind: "lxc" }),
    row({ connectionId: "edge", vmid: 100, status: "noPbsStorage" }),
    row({
      connectionId: "demo-prod",
      vmid: 100,
      lastBackup: NOW - 3600,
      lastBackupOn: "pbs-backup / prod / pve-prod",
      backedUpWithin: true,
      status: "recent",
    }),
  ],
  failed: [],
  storages: [
    {
      connectionId: "demo-prod",
      connection: "prod",
      storage: "pbs-backup",
      server: "127.0.0.1",
      port: 8007,
      datastore: "prod",
      namespace: "pve-prod",
      backupServerId: "demo-pbs",
      backupServer: "pbs-backup",
      note: null,
    },
    {
      connectionId: "demo-lab",
      connection: "lab",
      storage: "offsite",
      server: "192.0.2.80",
      port: 8007,
      datastore: "remote",
      namespace: "",
      backupServerId: null,
      backupServer: null,
      note: "no backup server connection is at 192.0.2.80:8007",
    },
  ],
};

const SETTINGS: Settings = {
  theme: "system",
  healthIntervalSecs: 30,
  refreshVisibleSecs: 5,
  refreshHiddenSecs: 60,
  guestOrder: "vmid",
  backupCoverageDays: 1,
};

describe("backup coverage", () => {
  beforeEach(() => {
    vi.mocked(api.settingsGet).mockResolvedValue(SETTINGS);
    vi.mocked(api.settingsSet).mockImplementation((s) => Promise.resolve(s));
  });

  it("lists the guests without a recent backup and asks again for another window", async () => {
    const user = userEvent.setup();
    vi.mocked(api.backupCoverage).mockResolvedValue(COVERAGE);
    renderApp("/backups/coverage");
    const table = await screen.findByTestId("coverage-table");
    expect(api.backupCoverage).toHaveBeenCalledWith(1);
    expect(within(table).getByTestId("coverage-row-demo-prod-113")).toHaveTextContent("never");
    expect(within(table).getByTestId("coverage-row-demo-prod-113")).toHaveTextContent("never backed up");
    expect(within(table).getByTestId("coverage-row-demo-prod-140")).toHaveTextContent("pbs-backup / prod / pve-prod");
    expect(within(table).getByTestId("coverage-row-demo-prod-140")).toHaveTextContent("no recent backup");
    expect(within(table).getByTestId("coverage-row-demo-lab-511")).toHaveTextContent("CT");
    // A cluster that writes no backups to a known PBS is not "never backed up".
    const edge = within(table).getByTestId("coverage-row-edge-100");
    expect(edge).toHaveTextContent("no PBS storage configured");
    expect(edge).not.toHaveTextContent("never");
    expect(within(table).queryByTestId("coverage-row-demo-prod-100")).not.toBeInTheDocument();
    expect(screen.getByTestId("coverage-summary")).toHaveTextContent("4 of 5 guests");
    expect(screen.getByTestId("coverage-storage-notes")).toHaveTextContent(
      "lab / offsite (192.0.2.80:8007, remote): no backup server connection is at 192.0.2.80:8007",
    );
    // The saved window is in use: nothing to save.
    expect(screen.queryByTestId("coverage-save-days")).not.toBeInTheDocument();

    await user.click(screen.getByLabelText("Show covered guests too"));
    expect(within(table).getByTestId("coverage-row-demo-prod-100")).toHaveTextContent("covered");

    const days = screen.getByLabelText("Guests with no backup in the last");
    await user.clear(days);
    await user.type(days, "30");
    await waitFor(() => expect(api.backupCoverage).toHaveBeenCalledWith(30));
  });

  it("uses the saved window and offers to save another one as the default", async () => {
    const user = userEvent.setup();
    vi.mocked(api.settingsGet).mockResolvedValue({ ...SETTINGS, backupCoverageDays: 7 });
    vi.mocked(api.backupCoverage).mockResolvedValue({ ...COVERAGE, days: 7 });
    renderApp("/backups/coverage");
    await screen.findByTestId("coverage-table");
    expect(api.backupCoverage).toHaveBeenCalledWith(7);
    expect(api.backupCoverage).not.toHaveBeenCalledWith(1);
    const days = screen.getByLabelText("Guests with no backup in the last");
    expect(days).toHaveValue(7);

    await user.clear(days);
    await user.type(days, "3");
    await waitFor(() => expect(api.backupCoverage).toHaveBeenCalledWith(3));
    // Only this view changed until the user saves it.
    expect(api.settingsSet).not.toHaveBeenCalled();
    await user.click(screen.getByTestId("coverage-save-days"));
    await waitFor(() =>
      expect(api.settingsSet).toHaveBeenCalledWith({ ...SETTINGS, backupCoverageDays: 3 }),
    );
    await waitFor(() => expect(screen.queryByTestId("coverage-save-days")).not.toBeInTheDocument());
  });

  it("says which connections did not answer", async () => {
    vi.mocked(api.backupCoverage).mockResolvedValue({
      ...COVERAGE,
      failed: [{ connectionId: "demo-pbs", connection: "pbs-backup", message: "no route to host" }],
    });
    renderApp("/backups/coverage");
    expect(await screen.findByText(/pbs-backup: no route to host/)).toBeInTheDocument();
  });
});

describe("backup server page", () => {
  it("shows datastores with usage, estimated full date and GC, and the groups of the selected one", async () => {
    const user = userEvent.setup();
    vi.mocked(api.connectionsList).mockResolvedValue([
      makeConnection({ id: "demo-pbs", name: "pbs-backup", kind: "pbs", url: "https://pbs:8007", demo: true }),
    ]);
    const stores: Datastore[] = [
      {
        name: "lab",
        total: 2000 * GIB,
        used: 410 * GIB,
        avail: 1590 * GIB,
        estimatedFullDate: null,
        gc: null,
        error: null,
      },
      {
        name: "prod",
        total: 8000 * GIB,
        used: 3120 * GIB,
        avail: 4880 * GIB,
        estimatedFullDate: Date.UTC(2027, 5, 15) / 1000,
        gc: {
          upid: "UPID:pbs",
          lastRunState: "ok",
          lastRunEndtime: NOW - 7200,
          nextRun: NOW + 3600,
          schedule: "daily",
          removedBytes: 45 * GIB,
          pendingBytes: 0,
          diskBytes: 3120 * GIB,
        },
        error: null,
      },
    ];
    vi.mocked(api.pbsDatastores).mockResolvedValue(stores);
    vi.mocked(api.pbsSnapshots).mockImplementation((_, store) =>
      Promise.resolve(
        store === "prod"
          ? [
              {
                ns: "pve-prod",
                backupType: "vm",
                backupId: "100",
                lastBackup: NOW - 3600,
                count: 11,
                owner: "pve-prod@pbs",
                snapshots: [{ time: NOW - 3600, size: 32 * GIB, verification: "ok", protected: false }],
              },
            ]
          : [],
      ),
    );
    renderApp("/pbs/demo-pbs");
    const prod = await screen.findByTestId("pbs-datastore-prod");
    expect(api.pbsDatastores).toHaveBeenCalledWith("demo-pbs");
    expect(prod).toHaveTextContent(`${formatBytes(3120 * GIB)} of ${formatBytes(8000 * GIB)} used`);
    expect(prod).toHaveTextContent("39 %");
    expect(prod).toHaveTextContent("2027-06-15");
    expect(prod).toHaveTextContent("Garbage collection: OK");
    expect(screen.getByTestId("pbs-datastore-lab")).toHaveTextContent("not growing");
    // The first datastore is selected; another is a click away.
    await waitFor(() => expect(api.pbsSnapshots).toHaveBeenCalledWith("demo-pbs", "lab"));
    await user.click(prod);
    const groups = await screen.findByTestId("pbs-groups");
    await waitFor(() => expect(within(groups).getByText("pve-prod@pbs")).toBeInTheDocument());
    expect(within(groups).getByText("11")).toBeInTheDocument();
  });
});
