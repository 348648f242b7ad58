import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  api,
  AppErrorException,
  type ClusterSummary,
  type GuestSummary,
  type NodeStatus,
  type RrdPoint,
  type StorageStatus,
} from "@/backend";
import { makeConnection, resource } from "@/test/fixtures";
import { renderApp } from "@/test/renderApp";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import { DatacenterSummary } from "./DatacenterSummary";
import { chartData } from "./RrdChart";
import { formatBytes, formatRate, formatUptime } from "./format";

vi.mock("@/backend", async (importOriginal) => (await import("@/test/backendMock")).backendMock(importOriginal));
// uPlot draws on a canvas, which jsdom does not have: the chart is replaced by its title and series.
vi.mock("@/features/summary/UplotChart", () => ({
  default: ({ title, series }: { title: string; series: { label: string; values: (number | null)[] }[] }) => (
    <div data-testid="uplot">
      {title}: {series.map((s) => `${s.label}=${s.values.length}`).join(" ")}
    </div>
  ),
}));

const GIB = 1024 ** 3;

const prod = makeConnection({ id: "demo-prod", name: "prod" });

const nodeStatus: NodeStatus = {
  node: "pve1",
  cpu: 0.25,
  cpus: 16,
  sockets: 1,
  cpuModel: "Simulated CPU @ 3.0GHz",
  loadavg: [1.5, 1.25, 1],
  memory: { used: 24 * GIB, total: 64 * GIB },
  swap: { used: 0, total: 8 * GIB },
  rootfs: { used: 23 * GIB, total: 100 * GIB },
  uptime: 90_061,
  pveVersion: "pve-manager/9.1.2/5e0c4f1a",
  kernelVersion: "Linux 6.17.2-1-pve #1 SMP PREEMPT_DYNAMIC PMX",
};

function guest(partial: Partial<GuestSummary> = {}): GuestSummary {
  return {
    vmid: 110,
    node: "pve1",
    kind: "qemu",
    name: "web1",
    status: "running",
    template: false,
    lock: null,
    haState: null,
    uptime: 3600,
    cpu: 0.1,
    cpus: 4,
    memory: { used: 2 * GIB, total: 8 * GIB },
    disk: { used: 0, total: 40 * GIB },
    cores: 4,
    sockets: 1,
    memoryMib: 8192,
    ostype: "l26",
    description: "Front end",
    disks: [{ key: "scsi0", value: "ceph-vm:vm-110-disk-0,size=40G" }],
    nets: [{ key: "net0", value: "virtio=BC:24:11:00:6E:00,bridge=vmbr0" }],
    agent: true,
    interfaces: [
      { name: "lo", mac: "00:00:00:00:00:00", addresses: ["127.0.0.1/8"] },
      { name: "ens18", mac: "bc:24:11:00:6e:00", addresses: ["192.0.2.21/24", "2001:db8::15/64"] },
    ],
    ...partial,
  };
}

const points: RrdPoint[] = [
  { time: 1000, values: { cpu: 0.2, memused: GIB, memtotal: 4 * GIB, netin: 100, netout: 50, loadavg: 1 } },
  { time: 1060, values: { cpu: null, memused: null, memtotal: 4 * GIB } },
];

beforeEach(() => {
  vi.mocked(api.settingsGet).mockRejectedValue(new AppErrorException({ code: "Internal", message: "not under test" }));
  vi.mocked(api.appInfo).mockRejectedValue(new AppErrorException({ code: "Internal", message: "not under test" }));
  vi.mocked(api.connectionsList).mockResolvedValue([prod]);
  vi.mocked(api.monitorRrd).mockResolvedValue(points);
});

describe("format", () => {
  it("writes PVE's units", () => {
    expect(formatBytes(1.5 * GIB)).toBe("1.5 GiB");
    expect(formatBytes(512)).toBe("512 B");
    expect(formatRate(3_200_000)).toBe("3.20 MB/s");
    expect(formatUptime(90_061)).toBe("1 day 01:01:01");
    expect(formatUptime(0)).toBe("–");
  });

  it("keeps missing RRD values as gaps", () => {
    const [cpu] = chartData(points, [
      { title: "CPU", format: String, series: [{ key: "cpu", label: "CPU", colorVar: "--pd-accent" }] },
    ]);
    expect(cpu?.times).toEqual([1000, 1060]);
    expect(cpu?.series[0]?.values).toEqual([0.2, null]);
  });
});

describe("connection summary", () => {
  it("shows quorum, nodes, guests and usage", async () => {
    const summary: ClusterSummary = {
      name: "prod",
      quorate: true,
      nodes: [
        { name: "pve1", online: true, ip: "192.0.2.1" },
        { name: "pve2", online: false, ip: "192.0.2.2" },
      ],
      nodesOnline: 1,
      guestsRunning: 22,
      guestsTotal: 26,
      cpu: { used: 4, total: 16 },
      memory: { used: 32 * GIB, total: 64 * GIB },
      storage: { used: GIB, total: 4 * GIB },
    };
    vi.mocked(api.monitorClusterSummary).mockResolvedValue(summary);
    renderApp("/c/demo-prod");
    const page = await screen.findByTestId("summary-connection");
    await within(page).findByText("Quorate");
    expect(page).toHaveTextContent("1 of 2");
    expect(page).toHaveTextContent("22 of 26");
    expect(page).toHaveTextContent("50.0% (32.0 GiB of 64.0 GiB)");
    expect(page).toHaveTextContent("pve2offline");
    expect(api.monitorClusterSummary).toHaveBeenCalledWith("demo-prod");
  });

  it("shows the error where it happened", async () => {
    vi.mocked(api.monitorClusterSummary).mockRejectedValue(
      new AppErrorException({ code: "Unreachable", message: "No node of prod answered within 1000 ms." }),
    );
    renderApp("/c/demo-prod");
    const alert = await within(await screen.findByTestId("summary-connection")).findByRole("alert");
    expect(alert).toHaveTextContent("Could not load the cluster summary");
    expect(alert).toHaveTextContent("No node of prod answered within 1000 ms.");
    expect(alert).toHaveTextContent("Unreachable");
  });
});

describe("datacenter summary", () => {
  it("has one card per enabled cluster, each with its own state", async () => {
    const lab = makeConnection({ id: "demo-lab", name: "lab" });
    const off = makeConnection({ id: "off", name: "off", enabled: false });
    vi.mocked(api.connectionsList).mockResolvedValue([prod, lab, off]);
    vi.mocked(api.monitorClusterSummary).mockImplementation((conn) =>
      conn === "demo-prod"
        ? Promise.resolve({
            name: "prod",
            quorate: false,
            nodes: [],
            nodesOnline: 0,
            guestsRunning: 3,
            guestsTotal: 5,
            cpu: { used: 0, total: 0 },
            memory: { used: 0, total: 0 },
            storage: { used: 0, total: 0 },
          })
        : Promise.reject(new AppErrorException({ code: "Unreachable", message: "lab did not answer." })),
    );
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(
      <QueryClientProvider client={client}>
        <DatacenterSummary />
      </QueryClientProvider>,
    );
    expect(await screen.findByText("No quorum")).toBeInTheDocument();
    expect(await within(screen.getByTestId("datacenter-cluster-demo-lab")).findByRole("alert")).toHaveTextContent(
      "lab did not answer.",
    );
    expect(screen.queryByTestId("datacenter-cluster-off")).not.toBeInTheDocument();
  });
});

describe("node summary", () => {
  it("renders status values and the charts", async () => {
    vi.mocked(api.monitorNodeStatus).mockResolvedValue(nodeStatus);
    renderApp("/c/demo-prod/node/pve1");
    const page = await screen.findByTestId("summary-node");
    await within(page).findByText("pve-manager/9.1.2/5e0c4f1a");
    expect(page).toHaveTextContent("1.50, 1.25, 1.00");
    expect(page).toHaveTextContent("1 day 01:01:01");
    expect(page).toHaveTextContent("37.5% (24.0 GiB of 64.0 GiB)");
    expect(page).toHaveTextContent("23.0% (23.0 GiB of 100.0 GiB)");
    const chart = screen.getByTestId("rrd-chart");
    expect(await within(chart).findByText(/Server load/)).toBeInTheDocument();
    expect(within(chart).getAllByTestId("uplot")).toHaveLength(4);
    expect(api.monitorRrd).toHaveBeenCalledWith("demo-prod", { type: "node", node: "pve1" }, "hour", "AVERAGE");
  });

  it("re-queries the history when the timeframe or consolidation changes", async () => {
    const user = userEvent.setup();
    vi.mocked(api.monitorNodeStatus).mockResolvedValue(nodeStatus);
    renderApp("/c/demo-prod/node/pve1");
    const chart = await screen.findByTestId("rrd-chart");
    await within(chart).findAllByTestId("uplot");
    await user.click(screen.getByTestId("rrd-timeframe-week"));
    await waitFor(() =>
      expect(api.monitorRrd).toHaveBeenCalledWith("demo-prod", { type: "node", node: "pve1" }, "week", "AVERAGE"),
    );
    expect(screen.getByTestId("rrd-timeframe-week")).toHaveAttribute("aria-pressed", "true");
    await user.click(screen.getByTestId("rrd-cf-MAX"));
    await waitFor(() =>
      expect(api.monitorRrd).toHaveBeenCalledWith("demo-prod", { type: "node", node: "pve1" }, "week", "MAX"),
    );
  });

  it("shows a failed status and a failed history separately", async () => {
    vi.mocked(api.monitorNodeStatus).mockRejectedValue(
      new AppErrorException({ code: "MissingPrivilege", message: "Sys.Audit is needed on /nodes/pve1." }),
    );
    vi.mocked(api.monitorRrd).mockRejectedValue(
      new AppErrorException({ code: "Unreachable", message: "pve1 did not answer." }),
    );
    renderApp("/c/demo-prod/node/pve1");
    const page = await screen.findByTestId("summary-node");
    await waitFor(() => expect(within(page).getAllByRole("alert")).toHaveLength(2));
    expect(page).toHaveTextContent("Sys.Audit is needed on /nodes/pve1.");
    expect(screen.getByTestId("rrd-chart")).toHaveTextContent("pve1 did not answer.");
  });
});

describe("guest summary", () => {
  beforeEach(() => {
    vi.mocked(api.connectionResources).mockResolvedValue([
      resource({ id: "qemu/110", kind: "qemu", node: "pve1", vmid: 110, name: "web1", status: "running" }),
      resource({ id: "lxc/191", kind: "lxc", node: "pve1", vmid: 191, name: "old-wiki", status: "stopped" }),
    ]);
  });

  // The addresses panel asks the guest itself (its own tests are in features/guests/agent).
  afterEach(() => vi.mocked(api.guestIps).mockReset());

  it("finds the guest's node and kind and shows its addresses", async () => {
    vi.mocked(api.monitorGuestSummary).mockResolvedValue(guest());
    vi.mocked(api.guestIps).mockResolvedValue({
      connectionId: "demo-prod",
      node: "pve1",
      vmid: 110,
      state: "answered",
      addresses: ["192.0.2.21", "2001:db8::15"],
      interfaces: guest().interfaces ?? [],
      detail: null,
      checkedAt: new Date().toISOString(),
    });
    renderApp("/c/demo-prod/guest/110");
    const page = await screen.findByTestId("summary-guest");
    const ips = await within(page).findByTestId("guest-ips");
    await within(ips).findAllByTestId("guest-ip");
    expect(ips).toHaveTextContent("192.0.2.21/24");
    expect(ips).toHaveTextContent("2001:db8::15/64");
    expect(ips).not.toHaveTextContent("127.0.0.1");
    expect(page).toHaveTextContent("ceph-vm:vm-110-disk-0,size=40G");
    expect(page).toHaveTextContent("Front end");
    expect(api.monitorGuestSummary).toHaveBeenCalledWith("demo-prod", "pve1", "qemu", 110);
    await within(screen.getByTestId("rrd-chart")).findByText(/Disk IO/);
    expect(api.monitorRrd).toHaveBeenCalledWith(
      "demo-prod",
      { type: "guest", node: "pve1", kind: "qemu", vmid: 110 },
      "hour",
      "AVERAGE",
    );
  });

  it("explains missing addresses of a stopped guest", async () => {
    vi.mocked(api.monitorGuestSummary).mockResolvedValue(
      guest({ vmid: 191, kind: "lxc", name: "old-wiki", status: "stopped", agent: false, interfaces: null }),
    );
    renderApp("/c/demo-prod/guest/191");
    const ips = await screen.findByTestId("guest-ips");
    expect(ips).toHaveTextContent("Guest is not running");
    expect(api.monitorGuestSummary).toHaveBeenCalledWith("demo-prod", "pve1", "lxc", 191);
  });

  it("says so when the guest is not in the cluster", async () => {
    renderApp("/c/demo-prod/guest/4242");
    const page = await screen.findByTestId("summary-guest");
    expect(await within(page).findByRole("alert")).toHaveTextContent("Guest 4242 is not in prod");
    expect(api.monitorGuestSummary).not.toHaveBeenCalled();
  });
});

describe("storage summary", () => {
  it("shows usage and content types", async () => {
    const status: StorageStatus = {
      storage: "local",
      node: "pve1",
      kind: "dir",
      active: true,
      enabled: true,
      shared: false,
      content: ["iso", "vztmpl", "backup"],
      usage: { used: 25 * GIB, total: 100 * GIB },
      avail: 75 * GIB,
    };
    vi.mocked(api.monitorStorageStatus).mockResolvedValue(status);
    renderApp("/c/demo-prod/storage/pve1/local");
    const page = await screen.findByTestId("summary-storage");
    await within(page).findByText("ISO image, Container template, VZDump backup file");
    expect(page).toHaveTextContent("25.0% (25.0 GiB of 100.0 GiB)");
    expect(page).toHaveTextContent("75.0 GiB");
    expect(api.monitorStorageStatus).toHaveBeenCalledWith("demo-prod", "pve1", "local");
  });
});

describe("a cluster that does not answer", () => {
  const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
  const staleSnapshot = (resources: ReturnType<typeof resource>[]) =>
    vi.mocked(api.inventorySnapshot).mockResolvedValue([
      {
        connectionId: "demo-prod",
        resources,
        fetchedAt: minutesAgo(3.5),
        stale: true,
        error: "https://127.0.0.1:8006 did not answer (connection refused).",
      },
    ]);
  const unreachable = new AppErrorException({ code: "Unreachable", message: "No node of prod answered." });
  // mockReset goes back to the mock's own default (the snapshot built from connectionResources).
  afterEach(() => vi.mocked(api.inventorySnapshot).mockReset());

  it("shows the guest's last-known state under a banner that says why actions are disabled", async () => {
    staleSnapshot([
      resource({ id: "qemu/110", kind: "qemu", vmid: 110, name: "web1", node: "pve1", status: "running", maxcpu: 4, cpu: 0.5 }),
    ]);
    vi.mocked(api.monitorGuestSummary).mockRejectedValue(unreachable);
    vi.mocked(api.monitorRrd).mockRejectedValue(unreachable);
    renderApp("/c/demo-prod/guest/110");
    const page = await screen.findByTestId("summary-guest");
    const banner = await within(page).findByTestId("offline-banner");
    expect(banner).toHaveTextContent("prod is not answering — last seen 3 min ago");
    expect(banner).toHaveTextContent("Actions on it are disabled until it answers again.");
    expect(banner).toHaveTextContent("connection refused");
    const known = await within(page).findByTestId("guest-last-known");
    expect(known).toHaveTextContent("running");
    expect(known).toHaveTextContent("50.0% of 4 CPUs");
    // No red error page: the history says it is not available while offline.
    expect(await within(page).findByTestId("offline-unavailable")).toHaveTextContent(
      "The history was not loaded before prod stopped answering",
    );
    expect(within(page).queryByRole("alert")).not.toBeInTheDocument();
  });

  it("keeps a node's figures loaded before the cluster went away, marked as not answering", async () => {
    vi.mocked(api.monitorNodeStatus).mockResolvedValue(nodeStatus);
    const { queryClient } = renderApp("/c/demo-prod/node/pve1");
    const page = await screen.findByTestId("summary-node");
    await within(page).findByText("pve-manager/9.1.2/5e0c4f1a");
    expect(within(page).queryByTestId("offline-banner")).not.toBeInTheDocument();
    expect(page).toHaveTextContent("Statusonline");

    staleSnapshot([resource({ id: "node/pve1", kind: "node", node: "pve1", status: "online" })]);
    vi.mocked(api.monitorNodeStatus).mockRejectedValue(unreachable);
    await queryClient.invalidateQueries();
    expect(await within(page).findByTestId("offline-banner")).toHaveTextContent("last seen 3 min ago");
    expect(page).toHaveTextContent("pve-manager/9.1.2/5e0c4f1a");
    expect(page).toHaveTextContent("Statusnot answering");
    expect(within(page).queryByRole("alert")).not.toBeInTheDocument();
  });

  it("says when an online cluster's summary fails, as an error", async () => {
    vi.mocked(api.connectionResources).mockResolvedValue([resource({ id: "node/pve1", kind: "node", node: "pve1" })]);
    vi.mocked(api.monitorNodeStatus).mockRejectedValue(unreachable);
    renderApp("/c/demo-prod/node/pve1");
    const alert = await within(await screen.findByTestId("summary-node")).findByRole("alert");
    expect(alert).toHaveTextContent("Could not load the status of pve1");
    expect(screen.queryByTestId("offline-banner")).not.toBeInTheDocument();
  });
});
