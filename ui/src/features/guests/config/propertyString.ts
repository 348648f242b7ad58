// PVE's property strings (`virtio=BC:24:11:00:6E:00,bridge=vmbr0,tag=20`), read and written
// back in their own order so that sub-keys the forms do not know survive an edit.
import type { ConfigEntry, GuestConfig } from "@/backend";

/** One `key=value` part; `key` is null for a value without a key (`1` in `agent: 1,fstrim…`). */
export interface PropertyPart {
  key: string | null;
  value: string;
}

export function parseProperties(text: string): PropertyPart[] {
  if (text.trim() === "") return [];
  return text.split(",").map((raw) => {
    const eq = raw.indexOf("=");
    return eq < 0 ? { key: null, value: raw } : { key: raw.slice(0, eq), value: raw.slice(eq + 1) };
  });
}

export function buildProperties(parts: PropertyPart[]): string {
  return parts.map((p) => (p.key === null ? p.value : `${p.key}=${p.value}`)).join(",");
}

export function getProperty(parts: PropertyPart[], key: string): string | null {
  return parts.find((p) => p.key === key)?.value ?? null;
}

/** Sets `key` in place (or appends it); `null` removes it. Returns a new list. */
export function setProperty(parts: PropertyPart[], key: string, value: string | null): PropertyPart[] {
  const at = parts.findIndex((p) => p.key === key);
  if (value === null) return at < 0 ? parts : parts.filter((_, i) => i !== at);
  if (at < 0) return [...parts, { key, value }];
  return parts.map((p, i) => (i === at ? { key, value } : p));
}

// ---- the configuration as a map ----

/** The configuration's entries by key. */
export function entriesByKey(config: GuestConfig): Map<string, ConfigEntry> {
  return new Map(config.entries.map((e) => [e.key, e]));
}

/** What a key will be after the next start: its pending value, or none when a delete is pending. */
export function effectiveValue(entry: ConfigEntry | undefined): string | null {
  if (!entry) return null;
  if (entry.delete) return null;
  return entry.pending ?? entry.value;
}

/** The value a form starts from (PVE edits the pending value when there is one). */
export function formValue(config: GuestConfig, key: string): string | null {
  return effectiveValue(config.entries.find((e) => e.key === key));
}

export function hasPending(entry: ConfigEntry | undefined): boolean {
  return !!entry && (entry.delete || (entry.pending !== null && entry.pending !== entry.value));
}

/** `net10` after `net2`: keys sorted by their prefix, then their number. */
export function naturalKeyOrder(a: string, b: string): number {
  const ma = /^(\D+)(\d+)$/.exec(a);
  const mb = /^(\D+)(\d+)$/.exec(b);
  if (ma && mb && ma[1] === mb[1]) return Number(ma[2]) - Number(mb[2]);
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---- network devices ----

export const NET_MODELS = ["virtio", "e1000", "e1000e", "rtl8139", "vmxnet3"] as const;

export interface NetDevice {
  /** VM: the NIC model (`virtio`, `e1000`…); null for a container's `veth`. */
  model: string | null;
  /** The MAC address, as written (kept on edit). */
  mac: string | null;
  bridge: string;
  /** VLAN tag, or null. */
  tag: number | null;
  firewall: boolean;
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

/** The part that names the model (`virtio=MAC`, or `model=virtio` with `macaddr=`). */
function modelPart(parts: PropertyPart[]): number {
  return parts.findIndex(
    (p) =>
      p.key !== null &&
      ((NET_MODELS as readonly string[]).includes(p.key) ||
        (p.key !== "hwaddr" && p.key !== "macaddr" && MAC.test(p.value))),
  );
}

export function parseNet(value: string): NetDevice {
  const parts = parseProperties(value);
  const at = modelPart(parts);
  const explicit = getProperty(parts, "model");
  const tag = getProperty(parts, "tag");
  return {
    model: at >= 0 ? parts[at]!.key : explicit,
    mac: at >= 0 ? parts[at]!.value || null : (getProperty(parts, "macaddr") ?? getProperty(parts, "hwaddr")),
    bridge: getProperty(parts, "bridge") ?? "",
    tag: tag === null || tag === "" ? null : Number(tag),
    firewall: getProperty(parts, "firewall") === "1",
  };
}

/** Writes a network device back into its original string: the MAC and unknown sub-keys stay. */
export function buildNet(original: string, next: NetDevice): string {
  let parts = parseProperties(original);
  const at = modelPart(parts);
  if (next.model !== null) {
    if (at >= 0) {
      parts = parts.map((p, i) => (i === at ? { key: next.model, value: p.value } : p));
    } else if (getProperty(parts, "model") !== null) {
      parts = setProperty(parts, "model", next.model);
    } else {
      parts = [{ key: next.model, value: next.mac ?? "" }, ...parts];
    }
  }
  parts = setProperty(parts, "bridge", next.bridge.trim() || null);
  parts = setProperty(parts, "firewall", next.firewall ? "1" : null);
  parts = setProperty(parts, "tag", next.tag === null ? null : String(next.tag));
  return buildProperties(parts);
}

// ---- processors ----

export const CPU_TYPES = [
  "host",
  "x86-64-v2-AES",
  "x86-64-v2",
  "x86-64-v3",
  "x86-64-v4",
  "kvm64",
  "qemu64",
  "max",
] as const;

/** `host,flags=+aes` → `host`; `cputype=host` → `host`; none → the default. */
export function cpuType(cpu: string | null): string | null {
  if (!cpu) return null;
  const parts = parseProperties(cpu);
  return parts.find((p) => p.key === null)?.value ?? getProperty(parts, "cputype");
}

export function withCpuType(cpu: string | null, type: string): string {
  const parts = parseProperties(cpu ?? "");
  const at = parts.findIndex((p) => p.key === null);
  if (at >= 0) return buildProperties(parts.map((p, i) => (i === at ? { key: null, value: type } : p)));
  if (getProperty(parts, "cputype") !== null) return buildProperties(setProperty(parts, "cputype", type));
  return buildProperties([{ key: null, value: type }, ...parts]);
}

// ---- boot order and agent ----

/** `order=scsi0;net0` → ["scsi0", "net0"]; a legacy `cdn` or none → null. */
export function bootOrder(boot: string | null): string[] | null {
  if (!boot) return null;
  const order = getProperty(parseProperties(boot), "order");
  return order === null ? null : order.split(";").filter(Boolean);
}

export function withBootOrder(boot: string | null, order: string[]): string {
  const parts = parseProperties(boot ?? "").filter((p) => p.key !== null);
  return buildProperties(setProperty(parts, "order", order.join(";")));
}

/** `1`, `enabled=1,fstrim_cloned_disks=1`, `0,type=virtio` → whether the agent is enabled. */
export function agentEnabled(agent: string | null): boolean {
  if (!agent) return false;
  const parts = parseProperties(agent);
  const v = parts.find((p) => p.key === null)?.value ?? getProperty(parts, "enabled");
  return v === "1";
}

export function withAgentEnabled(agent: string | null, enabled: boolean): string {
  const flag = enabled ? "1" : "0";
  const parts = parseProperties(agent ?? "");
  const at = parts.findIndex((p) => p.key === null);
  if (at >= 0) return buildProperties(parts.map((p, i) => (i === at ? { key: null, value: flag } : p)));
  if (getProperty(parts, "enabled") !== null) return buildProperties(setProperty(parts, "enabled", flag));
  return buildProperties([{ key: null, value: flag }, ...parts]);
}

/** `a;b c,d` → ["a", "b", "c", "d"] (PVE accepts `;`, `,` and spaces). */
export function splitTags(tags: string | null): string[] {
  return (tags ?? "").split(/[;,\s]+/).filter(Boolean);
}

// ---- cloud-init ipconfig ----

export type Ip4Mode = "none" | "dhcp" | "static";
export type Ip6Mode = "none" | "dhcp" | "auto" | "static";

export interface IpConfig {
  ip4: Ip4Mode;
  ip4Cidr: string;
  gw4: string;
  ip6: Ip6Mode;
  ip6Cidr: string;
  gw6: string;
}

export function parseIpConfig(value: string | null | undefined): IpConfig {
  const parts = parseProperties(value ?? "");
  const ip = getProperty(parts, "ip");
  const ip6 = getProperty(parts, "ip6");
  return {
    ip4: ip === null ? "none" : ip === "dhcp" ? "dhcp" : "static",
    ip4Cidr: ip !== null && ip !== "dhcp" ? ip : "",
    gw4: getProperty(parts, "gw") ?? "",
    ip6: ip6 === null ? "none" : ip6 === "dhcp" ? "dhcp" : ip6 === "auto" ? "auto" : "static",
    ip6Cidr: ip6 !== null && ip6 !== "dhcp" && ip6 !== "auto" ? ip6 : "",
    gw6: getProperty(parts, "gw6") ?? "",
  };
}

/** `ip=…,gw=…,ip6=…,gw6=…` (empty: no configuration). */
export function buildIpConfig(c: IpConfig): string {
  const parts: string[] = [];
  if (c.ip4 === "dhcp") parts.push("ip=dhcp");
  if (c.ip4 === "static") {
    parts.push(`ip=${c.ip4Cidr.trim()}`);
    if (c.gw4.trim()) parts.push(`gw=${c.gw4.trim()}`);
  }
  if (c.ip6 === "dhcp" || c.ip6 === "auto") parts.push(`ip6=${c.ip6}`);
  if (c.ip6 === "static") {
    parts.push(`ip6=${c.ip6Cidr.trim()}`);
    if (c.gw6.trim()) parts.push(`gw6=${c.gw6.trim()}`);
  }
  return parts.join(",");
}
