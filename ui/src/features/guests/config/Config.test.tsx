// The guest page's tabs and the configuration tabs: Hardware (pending values, edits with the
// digest, conflicts, PVE's field errors, revert, resize, network), Options (boot order,
// start at boot), Cloud-Init (write-only password, SSH keys, ipconfig, regenerate) and the
// permission gate.
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  api,
  AppErrorException,
  type CloudInitConfig,
  type ConfigEntry,
  type GuestConfig,
  type Resource,
} from "@/backend";
import { makeConnection, resource } from "@/test/fixtures";
import { renderApp } from "@/test/renderApp";
import { buildIpConfig, buildNet, parseIpConfig, parseNet, withAgentEnabled, withBootOrder } from "./propertyString";

vi.mock("@/backend", async (importOriginal) => (await import("@/test/backendMock")).backendMock(importOriginal));
vi.mock("@/features/summary/UplotChart", () => ({ default: () => <div data-testid="uplot" /> }));

const prod = makeConnection({ id: "demo-prod", name: "prod" });
const vm = (partial: Partial<Resource> = {}) =>
  resource({ id: "qemu/110", kind: "qemu", vmid: 110, name: "web1", node: "pve1", status: "running", ...partial });
const ref = { connectionId: "demo-prod", node: "pve1", kind: "qemu" as const, vmid: 110 };

const entry = (key: string, value: string | null, more: Partial<ConfigEntry> = {}): ConfigEntry => ({
  key,
  value,
  pending: null,
  delete: false,
  ...more,
});

const MAC = "BC:24:11:00:6E:00";

function config(entries: ConfigEntry[] = [], digest = "d1"): GuestConfig {
  const base = [
    entry("memory", "2048"),
    entry("sockets", "1"),
    entry("cores", "2"),
    entry("cpu", "x86-64-v2-AES"),
    entry("scsihw", "virtio-scsi-single"),
    entry("scsi0", "ceph-vm:vm-110-disk-0,iothread=1,size=32G"),
    entry("ide2", "none,media=cdrom"),
    entry("net0", `virtio=${MAC},bridge=vmbr0,queues=4`),
    entry("boot", "order=scsi0;ide2;net0"),
    entry("name", "web1"),
    entry("tags", "prod;web"),
  ];
  const keys = new Set(entries.map((e) => e.key));
  return { digest, entries: [...base.filter((e) => !keys.has(e.key)), ...entries] };
}

const cloudinit = (partial: Partial<CloudInitConfig> = {}): CloudInitConfig => ({
  digest: "c1",
  hasDrive: true,
  user: "admin",
  passwordSet: false,
  sshKeys: ["ssh-ed25519 AAAA1 a@x"],
  nameserver: null,
  searchdomain: null,
  ipconfig: { ipconfig0: "ip=dhcp" },
  nets: ["net0", "net1"],
  changed: [],
  ...partial,
});

function open(tab: string, g: Resource = vm()) {
  vi.mocked(api.connectionResources).mockResolvedValue([g]);
  return renderApp(`/c/demo-prod/guest/${g.vmid}${tab ? `?tab=${tab}` : ""}`);
}

/** The button once the privileges are known (the disabled one is a different element). */
async function enabled(testId: string) {
  await waitFor(() => expect(screen.getByTestId(testId)).toBeEnabled());
  return screen.getByTestId(testId);
}

beforeEach(() => {
  vi.mocked(api.settingsGet).mockRejectedValue(new AppErrorException({ code: "Internal", message: "not under test" }));
  vi.mocked(api.appInfo).mockRejectedValue(new AppErrorException({ code: "Internal", message: "not under test" }));
  vi.mocked(api.connectionsList).mockResolvedValue([prod]);
  vi.mocked(api.monitorGuestSummary).mockRejectedValue(new AppErrorException({ code: "Internal", message: "later" }));
  vi.mocked(api.monitorRrd).mockResolvedValue([]);
  vi.mocked(api.guestConfig).mockResolvedValue(config());
  vi.mocked(api.guestCloudinit).mockResolvedValue(cloudinit());
  vi.mocked(api.guestSnapshots).mockResolvedValue([]);
});
afterEach(() => {
  for (const f of [
    api.guestConfig,
    api.guestConfigUpdate,
    api.guestDiskResize,
    api.guestCloudinit,
    api.guestCloudinitSet,
    api.guestCloudinitRegenerate,
    api.permissionsOn,
    api.inventorySnapshot,
    api.connectionResources,
    api.guestSnapshots,
  ]) {
    vi.mocked(f).mockReset();
  }
});

describe("property strings", () => {
  it("keeps the MAC and unknown sub-keys of a network device", () => {
    const before = `virtio=${MAC},bridge=vmbr0,queues=4,rate=10`;
    expect(parseNet(before)).toEqual({ model: "virtio", mac: MAC, bridge: "vmbr0", tag: null, firewall: false });
    expect(buildNet(before, { model: "e1000", mac: MAC, bridge: "vmbr1", tag: 20, firewall: true })).toBe(
      `e1000=${MAC},bridge=vmbr1,queues=4,rate=10,firewall=1,tag=20`,
    );
    expect(buildNet(`virtio=${MAC},bridge=vmbr0,tag=5,firewall=1`, { ...parseNet(before), tag: null, firewall: false })).toBe(
      `virtio=${MAC},bridge=vmbr0`,
    );
  });

  it("writes boot order, agent and ipconfig as PVE reads them", () => {
    expect(withBootOrder("order=scsi0;net0", ["net0", "scsi0"])).toBe("order=net0;scsi0");
    expect(withBootOrder("cdn", ["scsi0"])).toBe("order=scsi0");
    expect(withAgentEnabled("enabled=1,fstrim_cloned_disks=1", false)).toBe("enabled=0,fstrim_cloned_disks=1");
    expect(withAgentEnabled("1,type=virtio", false)).toBe("0,type=virtio");
    expect(withAgentEnabled(null, true)).toBe("1");
    const ip = parseIpConfig("ip=192.0.2.10/24,gw=192.0.2.1,ip6=auto");
    expect(ip).toMatchObject({ ip4: "static", ip4Cidr: "192.0.2.10/24", gw4: "192.0.2.1", ip6: "auto" });
    expect(buildIpConfig(ip)).toBe("ip=192.0.2.10/24,gw=192.0.2.1,ip6=auto");
    expect(buildIpConfig({ ...ip, ip4: "dhcp", ip6: "static", ip6Cidr: "2001:db8::5/64", gw6: "2001:db8::1" })).toBe(
      "ip=dhcp,ip6=2001:db8::5/64,gw6=2001:db8::1",
    );
  });
});

describe("the guest page's tabs", () => {
  it("switches by click and by arrow keys, and keeps the tab in the URL", async () => {
    const user = userEvent.setup();
    const { router } = open("");
    const tablist = await screen.findByRole("tablist", { name: "Guest sections" });
    const tabs = within(tablist).getAllByRole("tab");
    expect(tabs.map((t) => t.textContent)).toEqual(["Summary", "Hardware", "Cloud-Init", "Options", "Snapshots"]);
    expect(screen.getByTestId("guest-tab-summary")).toHaveAttribute("aria-selected", "true");

    await user.click(screen.getByTestId("guest-tab-hardware"));
    expect(await screen.findByTestId("hardware-table")).toBeInTheDocument();
    expect(router.state.location.search).toEqual({ tab: "hardware" });
    expect(screen.getByTestId("guest-tab-hardware")).toHaveAttribute("aria-selected", "true");
    expect(screen.getByTestId("guest-tab-hardware")).toHaveAttribute("tabindex", "0");
    expect(screen.getByTestId("guest-tab-summary")).toHaveAttribute("tabindex", "-1");

    await user.keyboard("{ArrowRight}");
    await waitFor(() => expect(router.state.location.search).toEqual({ tab: "cloudinit" }));
    expect(screen.getByTestId("guest-tab-cloudinit")).toHaveFocus();
    expect(await screen.findByTestId("cloudinit-table")).toBeInTheDocument();
    await user.keyboard("{End}");
    await waitFor(() => expect(router.state.location.search).toEqual({ tab: "snapshots" }));
    await user.keyboard("{ArrowRight}");
    await waitFor(() => expect(router.state.location.search).toEqual({}));
    expect(screen.getByTestId("guest-tab-summary")).toHaveFocus();
    await user.keyboard("{ArrowLeft}");
    await waitFor(() => expect(router.state.location.search).toEqual({ tab: "snapshots" }));
  });

  it("opens on the tab of the URL, and a container has no Cloud-Init tab", async () => {
    open("options", resource({ id: "lxc/191", kind: "lxc", vmid: 191, name: "wiki", node: "pve1", status: "stopped" }));
    expect(await screen.findByTestId("guest-tab-options")).toHaveAttribute("aria-selected", "true");
    expect(screen.queryByTestId("guest-tab-cloudinit")).not.toBeInTheDocument();
    expect(await screen.findByTestId("options-table")).toBeInTheDocument();
    expect(api.guestConfig).toHaveBeenCalledWith({ connectionId: "demo-prod", node: "pve1", kind: "lxc", vmid: 191 });
  });
});

describe("the Hardware tab", () => {
  it("shows a pending memory change as PVE does, and a pending removal struck through", async () => {
    vi.mocked(api.guestConfig).mockResolvedValue(
      config([entry("memory", "2048", { pending: "4096" }), entry("ide2", "none,media=cdrom", { delete: true })]),
    );
    open("hardware");
    const row = await screen.findByTestId("hw-row-memory");
    expect(within(row).getByTestId("hw-memory-current")).toHaveTextContent("2048 MiB");
    expect(within(row).getByTestId("hw-memory-pending")).toHaveTextContent("4096 MiB (pending)");
    expect(within(row).getByTestId("hw-memory-pending")).toHaveClass("text-error");
    expect(screen.getByTestId("hw-ide2-current")).toHaveClass("line-through");
    expect(screen.getByTestId("hw-row-ide2")).toHaveTextContent("CD/DVD Drive (ide2)");
    expect(screen.getByTestId("hw-row-processors")).toHaveTextContent("2 (1 socket, 2 cores) [x86-64-v2-AES]");
    expect(screen.getByTestId("hw-row-scsihw")).toHaveTextContent("virtio-scsi-single");
    // Keys the config does not set show PVE's defaults.
    expect(screen.getByTestId("hw-row-bios")).toHaveTextContent("Default (SeaBIOS)");
    expect(screen.getByTestId("hw-row-net0")).toHaveTextContent(`virtio=${MAC},bridge=vmbr0`);
    // A CD drive does not grow; a disk does.
    expect(screen.queryByTestId("hw-resize-ide2")).not.toBeInTheDocument();
    expect(screen.getByTestId("hw-resize-scsi0")).toBeInTheDocument();
  });

  it("edits the memory with the digest it was read with", async () => {
    vi.mocked(api.guestConfigUpdate).mockResolvedValue(config([entry("memory", "2048", { pending: "4096" })], "d2"));
    const user = userEvent.setup();
    open("hardware");
    await user.click(await enabled("hw-edit-memory"));
    const input = await screen.findByTestId("edit-memory-input");
    expect(input).toHaveValue("2048");
    await user.clear(input);
    await user.type(input, "4096");
    await user.click(screen.getByTestId("edit-save"));
    expect(api.guestConfigUpdate).toHaveBeenCalledWith(ref, { digest: "d1", set: { memory: "4096" }, delete: [], revert: [] });
    await waitFor(() => expect(screen.queryByTestId("edit-memory")).not.toBeInTheDocument());
    expect(await screen.findByTestId("hw-memory-pending")).toHaveTextContent("4096 MiB (pending)");
  });

  it("keeps the typed value on a conflict, and Reload re-reads the config and takes its digest", async () => {
    vi.mocked(api.guestConfigUpdate)
      .mockRejectedValueOnce(
        new AppErrorException({ code: "Conflict", message: "The configuration of 110 changed since it was read." }),
      )
      .mockResolvedValueOnce(config([entry("memory", "3072", { pending: "4096" })], "d2"));
    const user = userEvent.setup();
    open("hardware");
    await user.click(await enabled("hw-edit-memory"));
    const input = await screen.findByTestId("edit-memory-input");
    await user.clear(input);
    await user.type(input, "4096");
    await user.click(screen.getByTestId("edit-save"));
    const conflict = await screen.findByTestId("edit-conflict");
    expect(conflict).toHaveTextContent("The configuration of 110 changed since it was read.");
    expect(screen.getByTestId("edit-memory-input")).toHaveValue("4096");

    vi.mocked(api.guestConfig).mockResolvedValue(config([entry("memory", "3072")], "d2"));
    await user.click(within(conflict).getByTestId("edit-reload"));
    const note = await screen.findByTestId("edit-reloaded");
    expect(note).toHaveTextContent("memory: 2048 → 3072");
    expect(screen.getByTestId("edit-memory-input")).toHaveValue("4096");
    // The table behind shows the other change.
    expect(screen.getByTestId("hw-memory-current")).toHaveTextContent("3072 MiB");

    await user.click(screen.getByTestId("edit-save"));
    expect(api.guestConfigUpdate).toHaveBeenLastCalledWith(ref, {
      digest: "d2",
      set: { memory: "4096" },
      delete: [],
      revert: [],
    });
    await waitFor(() => expect(screen.queryByTestId("edit-memory")).not.toBeInTheDocument());
  });

  it("shows PVE's field error under its field, keeping the values", async () => {
    vi.mocked(api.guestConfigUpdate).mockRejectedValue(
      new AppErrorException({
        code: "Invalid",
        message: "Parameter verification failed.",
        fields: { cores: "value must have a maximum value of 128" },
      }),
    );
    const user = userEvent.setup();
    open("hardware");
    await user.click(await enabled("hw-edit-processors"));
    const cores = await screen.findByTestId("edit-cores-input");
    await user.clear(cores);
    await user.type(cores, "500");
    await user.selectOptions(screen.getByTestId("edit-cpu-select"), "host");
    await user.click(screen.getByTestId("edit-save"));
    expect(api.guestConfigUpdate).toHaveBeenCalledWith(ref, {
      digest: "d1",
      set: { cores: "500", cpu: "host" },
      delete: [],
      revert: [],
    });
    await waitFor(() => expect(cores).toHaveAttribute("aria-invalid", "true"));
    expect(screen.getByText("value must have a maximum value of 128")).toHaveAttribute(
      "id",
      cores.getAttribute("aria-describedby"),
    );
    expect(cores).toHaveValue("500");
    expect(screen.getByTestId("edit-cpu-select")).toHaveValue("host");
  });

  it("reverts a pending change", async () => {
    vi.mocked(api.guestConfig).mockResolvedValue(config([entry("memory", "2048", { pending: "4096" })]));
    vi.mocked(api.guestConfigUpdate).mockResolvedValue(config());
    const user = userEvent.setup();
    open("hardware");
    await user.click(await enabled("hw-revert-memory"));
    expect(api.guestConfigUpdate).toHaveBeenCalledWith(ref, { digest: "d1", set: {}, delete: [], revert: ["memory"] });
    await waitFor(() => expect(screen.queryByTestId("hw-memory-pending")).not.toBeInTheDocument());
  });

  it("grows a disk by 8 GiB", async () => {
    vi.mocked(api.guestDiskResize).mockResolvedValue({
      connectionId: "demo-prod",
      connectionName: "prod",
      node: "pve1",
      upid: "UPID:pve1:1:2:3:resize:110:root@pam:",
      description: "VM 110 - Resize",
      target: "prod/qemu/110",
      running: true,
      exitstatus: null,
      durationMs: null,
    });
    const user = userEvent.setup();
    open("hardware");
    await user.click(await enabled("hw-resize-scsi0"));
    expect(await screen.findByTestId("edit-size-input")).toHaveValue("8");
    await user.click(screen.getByTestId("edit-save"));
    expect(api.guestDiskResize).toHaveBeenCalledWith(ref, { disk: "scsi0", size: "+8G", digest: "d1" });
    await waitFor(() => expect(screen.queryByTestId("edit-resize")).not.toBeInTheDocument());
  });

  it("edits a network device keeping its MAC and unknown keys, and sets the VLAN tag", async () => {
    vi.mocked(api.guestConfigUpdate).mockResolvedValue(config());
    const user = userEvent.setup();
    open("hardware");
    await user.click(await enabled("hw-edit-net0"));
    const dialog = await screen.findByTestId("edit-network");
    expect(dialog).toHaveTextContent(MAC);
    expect(screen.getByTestId("edit-bridge-input")).toHaveValue("vmbr0");
    expect(screen.getByTestId("edit-model-select")).toHaveValue("virtio");
    await user.type(screen.getByTestId("edit-tag-input"), "5000");
    await user.click(screen.getByTestId("edit-save"));
    expect(await within(dialog).findByText("The VLAN tag must be between 1 and 4094.")).toBeInTheDocument();
    expect(api.guestConfigUpdate).not.toHaveBeenCalled();

    await user.clear(screen.getByTestId("edit-tag-input"));
    await user.type(screen.getByTestId("edit-tag-input"), "20");
    await user.click(screen.getByTestId("edit-firewall-input"));
    await user.click(screen.getByTestId("edit-save"));
    expect(api.guestConfigUpdate).toHaveBeenCalledWith(ref, {
      digest: "d1",
      set: { net0: `virtio=${MAC},bridge=vmbr0,queues=4,firewall=1,tag=20` },
      delete: [],
      revert: [],
    });
  });

  it("disables Edit with the reason when the login lacks the privilege", async () => {
    vi.mocked(api.permissionsOn).mockResolvedValue(["VM.Audit", "VM.Config.CPU", "VM.Config.Network"]);
    open("hardware");
    await waitFor(() =>
      expect(screen.getByTestId("hw-edit-memory")).toHaveAttribute(
        "data-disabled-reason",
        "Needs VM.Config.Memory on /vms/110 (this login lacks it)",
      ),
    );
    expect(screen.getByTestId("hw-edit-memory")).toBeDisabled();
    expect(screen.getByTestId("hw-resize-scsi0")).toBeDisabled();
    expect(screen.getByTestId("hw-edit-processors")).toBeEnabled();
  });

  it("disables every edit of a cluster that does not answer, saying so", async () => {
    vi.mocked(api.inventorySnapshot).mockResolvedValue([
      {
        connectionId: "demo-prod",
        resources: [vm()],
        fetchedAt: new Date(Date.now() - 5.5 * 60_000).toISOString(),
        stale: true,
        error: "No node of prod answered.",
      },
    ]);
    open("hardware");
    await waitFor(() =>
      expect(screen.getByTestId("hw-edit-processors")).toHaveAttribute(
        "data-disabled-reason",
        "prod is not answering (last seen 5 min ago): actions are disabled until it answers again",
      ),
    );
  });
});

describe("the Options tab", () => {
  it("reorders the boot devices", async () => {
    vi.mocked(api.guestConfigUpdate).mockResolvedValue(config());
    const user = userEvent.setup();
    open("options");
    const row = await screen.findByTestId("opt-row-boot");
    expect(row).toHaveTextContent("scsi0, ide2, net0");
    expect(screen.getByTestId("opt-row-tags")).toHaveTextContent("prodweb");
    expect(within(screen.getByTestId("opt-row-tags")).getAllByTestId("tag-chip")).toHaveLength(2);
    await user.click(await enabled("opt-edit-boot"));
    await screen.findByTestId("boot-order-list");
    await user.click(screen.getByTestId("boot-up-net0"));
    await user.click(screen.getByTestId("boot-up-net0"));
    await user.click(screen.getByTestId("boot-on-ide2"));
    await user.click(screen.getByTestId("edit-save"));
    expect(api.guestConfigUpdate).toHaveBeenCalledWith(ref, {
      digest: "d1",
      set: { boot: "order=net0;scsi0" },
      delete: [],
      revert: [],
    });
  });

  it("turns start at boot on, and off again", async () => {
    vi.mocked(api.guestConfigUpdate).mockResolvedValue(config([entry("onboot", "1")], "d2"));
    const user = userEvent.setup();
    open("options");
    expect(await screen.findByTestId("opt-row-onboot")).toHaveTextContent("No");
    await user.click(await enabled("opt-edit-onboot"));
    await user.click(await screen.findByTestId("edit-onboot-input"));
    await user.click(screen.getByTestId("edit-save"));
    expect(api.guestConfigUpdate).toHaveBeenCalledWith(ref, { digest: "d1", set: { onboot: "1" }, delete: [], revert: [] });
    await waitFor(() => expect(screen.getByTestId("opt-row-onboot")).toHaveTextContent("Yes"));

    await user.click(screen.getByTestId("opt-edit-onboot"));
    await user.click(await screen.findByTestId("edit-onboot-input"));
    await user.click(screen.getByTestId("edit-save"));
    expect(api.guestConfigUpdate).toHaveBeenLastCalledWith(ref, { digest: "d2", set: {}, delete: ["onboot"], revert: [] });
  });
});

describe("the Cloud-Init tab", () => {
  it("sends a password once and never shows it back", async () => {
    const sent: unknown[] = [];
    vi.mocked(api.guestCloudinitSet).mockImplementation((_g, input) => {
      sent.push({ ...input });
      return Promise.resolve(cloudinit({ passwordSet: true, digest: "c2", changed: ["cipassword"] }));
    });
    const user = userEvent.setup();
    open("cloudinit");
    const row = await screen.findByTestId("ci-row-password");
    expect(row).toHaveTextContent("none");
    await user.click(await enabled("ci-edit-password"));
    const input = await screen.findByTestId("edit-ci-password-input");
    expect(input).toHaveValue("");
    expect(input).toHaveAttribute("type", "password");
    await user.type(input, "s3cret-Pa55");
    await user.click(screen.getByTestId("edit-save"));
    expect(sent).toEqual([{ digest: "c1", ipconfig: {}, password: "s3cret-Pa55" }]);
    await waitFor(() => expect(screen.queryByTestId("edit-ci-password")).not.toBeInTheDocument());
    expect(screen.getByTestId("ci-row-password")).toHaveTextContent("set");
    expect(screen.getByTestId("ci-changed-password")).toBeInTheDocument();
    expect(document.body).not.toHaveTextContent("s3cret-Pa55");
    // The call's input no longer holds it either.
    expect(vi.mocked(api.guestCloudinitSet).mock.calls[0]?.[1].password).toBeNull();

    await user.click(screen.getByTestId("ci-edit-password"));
    expect(await screen.findByTestId("edit-ci-password-input")).toHaveValue("");
  });

  it("sends the SSH keys one per line", async () => {
    vi.mocked(api.guestCloudinitSet).mockResolvedValue(cloudinit());
    const user = userEvent.setup();
    open("cloudinit");
    await user.click(await enabled("ci-edit-sshKeys"));
    const keys = await screen.findByTestId("edit-ci-sshkeys-input");
    expect(keys).toHaveValue("ssh-ed25519 AAAA1 a@x");
    await user.type(keys, "{Enter}{Enter}  ssh-rsa BBBB2 b@y  ");
    await user.click(screen.getByTestId("edit-save"));
    expect(api.guestCloudinitSet).toHaveBeenCalledWith(ref, {
      digest: "c1",
      ipconfig: {},
      sshKeys: ["ssh-ed25519 AAAA1 a@x", "ssh-rsa BBBB2 b@y"],
    });
  });

  it("builds an ipconfig from the form, one row per network device", async () => {
    vi.mocked(api.guestCloudinitSet).mockResolvedValue(cloudinit());
    const user = userEvent.setup();
    open("cloudinit");
    expect(await screen.findByTestId("ci-row-ipconfig0")).toHaveTextContent("ip=dhcp");
    expect(screen.getByTestId("ci-row-ipconfig1")).toHaveTextContent("none");
    await user.click(await enabled("ci-edit-ipconfig1"));
    await user.click(await screen.findByTestId("ip4-static"));
    await user.type(screen.getByTestId("ip4-cidr"), "192.0.2.10/24");
    await user.type(screen.getByTestId("ip4-gw"), "192.0.2.1");
    await user.click(screen.getByTestId("ip6-auto"));
    await user.click(screen.getByTestId("edit-save"));
    expect(api.guestCloudinitSet).toHaveBeenCalledWith(ref, {
      digest: "c1",
      ipconfig: { ipconfig1: "ip=192.0.2.10/24,gw=192.0.2.1,ip6=auto" },
    });
  });

  it("marks changed values and regenerates the image", async () => {
    vi.mocked(api.guestCloudinit).mockResolvedValue(cloudinit({ changed: ["ciuser", "ipconfig0"] }));
    vi.mocked(api.guestCloudinitRegenerate).mockResolvedValue(cloudinit());
    const user = userEvent.setup();
    open("cloudinit");
    expect(await screen.findByTestId("ci-changed-user")).toHaveTextContent("regenerate the image");
    expect(screen.getByTestId("ci-changed-ipconfig0")).toBeInTheDocument();
    expect(screen.queryByTestId("ci-changed-sshKeys")).not.toBeInTheDocument();
    await user.click(await enabled("ci-regenerate"));
    expect(api.guestCloudinitRegenerate).toHaveBeenCalledWith(ref);
    await waitFor(() => expect(screen.queryByTestId("ci-changed-user")).not.toBeInTheDocument());
  });

  it("says when the VM has no cloud-init drive, and still allows editing", async () => {
    vi.mocked(api.guestCloudinit).mockResolvedValue(cloudinit({ hasDrive: false }));
    open("cloudinit");
    expect(await screen.findByTestId("ci-no-drive")).toHaveTextContent("no cloud-init drive");
    expect(await enabled("ci-edit-user")).toBeInTheDocument();
  });

  it("disables editing without VM.Config.Cloudinit, saying why", async () => {
    vi.mocked(api.permissionsOn).mockResolvedValue(["VM.Audit"]);
    open("cloudinit");
    await waitFor(() =>
      expect(screen.getByTestId("ci-edit-user")).toHaveAttribute(
        "data-disabled-reason",
        "Needs VM.Config.Cloudinit on /vms/110 (this login lacks it)",
      ),
    );
    expect(screen.getByTestId("ci-regenerate")).toBeDisabled();
  });
});
