// The all-guests table as plain data: one row per guest of every cluster, and the pure
// functions that sort it, filter it by text and facets, and count the facet values.
import type { Connection, Resource } from "@/backend";
import { byName, isGuest, splitTags } from "@/features/inventory/treeModel";
import type { ConnectionResources } from "@/features/inventory/useInventory";

export interface Guest {
  /** `<connection id>/<vmid>`: unique across clusters. */
  key: string;
  connectionId: string;
  /** The connection's name. */
  cluster: string;
  vmid: number;
  name: string;
  type: "qemu" | "lxc";
  /** PVE's status (`running`, `stopped`, `paused`…), `template` for templates. */
  status: string;
  template: boolean;
  node: string;
  pool: string;
  tags: string[];
  /** CPU use as a fraction of `maxcpu` (PVE's `cpu`). */
  cpu: number | null;
  maxcpu: number | null;
  mem: number | null;
  maxmem: number | null;
  disk: number | null;
  maxdisk: number | null;
  uptime: number | null;
  hastate: string;
  lock: string;
  /** The first address the guest last reported (IPv4 first), "" when unknown. */
  ip: string;
  /** The cluster's resources are the last known ones (its latest refresh failed). */
  stale: boolean;
  resource: Resource;
  /** Lower-cased text the filter box searches: vmid, name, node, cluster, tags, pool, IP. */
  haystack: string;
}

export const FACETS = ["cluster", "node", "status", "type", "tag", "pool"] as const;
export type FacetName = (typeof FACETS)[number];

export const SORT_KEYS = [
  "vmid",
  "name",
  "type",
  "status",
  "node",
  "cluster",
  "pool",
  "tags",
  "cpu",
  "mem",
  "disk",
  "uptime",
  "hastate",
  "lock",
  "ip",
] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface GuestSort {
  key: SortKey;
  desc: boolean;
}

export interface GuestFilter {
  text: string;
  /** Per facet, the values to keep (any of them); an empty or missing set keeps all. */
  facets: Partial<Record<FacetName, ReadonlySet<string>>>;
}

export function toGuest(connection: Connection, resource: Resource, stale: boolean): Guest | null {
  if (!isGuest(resource)) return null;
  const tags = splitTags(resource.tags);
  const name = resource.name ?? "";
  const pool = resource.pool ?? "";
  const node = resource.node;
  return {
    key: `${connection.id}/${resource.vmid}`,
    connectionId: connection.id,
    cluster: connection.name,
    vmid: resource.vmid,
    name,
    type: resource.kind === "lxc" ? "lxc" : "qemu",
    status: resource.template ? "template" : (resource.status ?? "unknown"),
    template: resource.template,
    node,
    pool,
    tags,
    cpu: resource.cpu ?? null,
    maxcpu: resource.maxcpu ?? null,
    mem: resource.mem ?? null,
    maxmem: resource.maxmem ?? null,
    disk: resource.disk ?? null,
    maxdisk: resource.maxdisk ?? null,
    uptime: resource.uptime ?? null,
    hastate: resource.hastate ?? "",
    lock: resource.lock ?? "",
    ip: "",
    stale,
    resource,
    haystack: [resource.vmid, name, node, connection.name, tags.join(" "), pool].join("\u0000").toLowerCase(),
  };
}

// Rows are rebuilt only when a cluster's resource list changes (the array is replaced).
const cache = new WeakMap<Resource[], { connection: Connection; stale: boolean; rows: Guest[] }>();

/** Every guest of every connection, in connection order. */
export function guestsOf(
  connections: readonly Connection[],
  resourcesByConnection: ReadonlyMap<string, ConnectionResources>,
): Guest[] {
  const parts: Guest[][] = [];
  for (const connection of connections) {
    const entry = resourcesByConnection.get(connection.id);
    if (!entry) continue;
    let hit = cache.get(entry.resources);
    if (!hit || hit.connection !== connection || hit.stale !== entry.stale) {
      const rows: Guest[] = [];
      for (const r of entry.resources) {
        const guest = toGuest(connection, r, entry.stale);
        if (guest) rows.push(guest);
      }
      hit = { connection, stale: entry.stale, rows };
      cache.set(entry.resources, hit);
    }
    parts.push(hit.rows);
  }
  // The same array as last time while no cluster's rows changed, so memos keyed on it hold.
  if (parts.length === last.parts.length && parts.every((p, i) => p === last.parts[i])) return last.all;
  last = { parts, all: parts.flat() };
  return last.all;
}

let last: { parts: Guest[][]; all: Guest[] } = { parts: [], all: [] };

/**
 * The rows with each guest's first known address (keyed by {@link Guest.key}), searchable by
 * the filter box. One pass per change of the rows or of the addresses, never per render; a
 * row whose address did not change stays the same object.
 */
export function withIps(rows: Guest[], ips: ReadonlyMap<string, string>): Guest[] {
  if (ips.size === 0 && !rows.some((g) => g.ip !== "")) return rows;
  let changed = false;
  const out = rows.map((g) => {
    const ip = ips.get(g.key) ?? "";
    if (ip === g.ip) return g;
    changed = true;
    // An inventory refresh of another cluster keeps this row: so does its address.
    const hit = ipRows.get(g);
    if (hit && hit.ip === ip) return hit;
    const base = g.ip === "" ? g.haystack : g.haystack.slice(0, g.haystack.lastIndexOf("\u0000"));
    const row = { ...g, ip, haystack: ip === "" ? base : `${base}\u0000${ip.toLowerCase()}` };
    ipRows.set(g, row);
    return row;
  });
  return changed ? out : rows;
}

const ipRows = new WeakMap<Guest, Guest>();

/** The values a guest has for a facet (a guest has any number of tags). */
export function facetValues(guest: Guest, facet: FacetName): readonly string[] {
  switch (facet) {
    case "cluster":
      return [guest.cluster];
    case "node":
      return [guest.node];
    case "status":
      return [guest.status];
    case "type":
      return [guest.type];
    case "tag":
      return guest.tags;
    case "pool":
      return guest.pool ? [guest.pool] : [];
  }
}

function matchesFacet(guest: Guest, facet: FacetName, wanted: ReadonlySet<string>): boolean {
  switch (facet) {
    case "cluster":
      return wanted.has(guest.cluster);
    case "node":
      return wanted.has(guest.node);
    case "status":
      return wanted.has(guest.status);
    case "type":
      return wanted.has(guest.type);
    case "pool":
      return wanted.has(guest.pool);
    case "tag":
      return guest.tags.some((t) => wanted.has(t));
  }
}

/** The words of the filter text: every one must occur somewhere in the row. */
export function filterTerms(text: string): string[] {
  return text.toLowerCase().split(/\s+/).filter((t) => t.length > 0);
}

function activeFacets(filter: GuestFilter): [FacetName, ReadonlySet<string>][] {
  const active: [FacetName, ReadonlySet<string>][] = [];
  for (const facet of FACETS) {
    const wanted = filter.facets[facet];
    if (wanted && wanted.size > 0) active.push([facet, wanted]);
  }
  return active;
}

function matchesText(guest: Guest, terms: string[]): boolean {
  for (const term of terms) if (!guest.haystack.includes(term)) return false;
  return true;
}

/** The rows that match the text and every facet, in their given order. */
export function filterGuests(rows: readonly Guest[], filter: GuestFilter): Guest[] {
  const terms = filterTerms(filter.text);
  const facets = activeFacets(filter);
  if (terms.length === 0 && facets.length === 0) return rows.slice();
  const out: Guest[] = [];
  outer: for (const row of rows) {
    for (const [facet, wanted] of facets) if (!matchesFacet(row, facet, wanted)) continue outer;
    if (terms.length > 0 && !matchesText(row, terms)) continue;
    out.push(row);
  }
  return out;
}

export interface FacetCount {
  value: string;
  count: number;
}

/**
 * For each facet, its values and how many rows each would show: the count a value gets is
 * under the text and the *other* facets' choices, so choosing more of one facet widens it.
 * Chosen values are always listed (with 0 when nothing matches them now).
 */
export function facetCounts(rows: readonly Guest[], filter: GuestFilter): Record<FacetName, FacetCount[]> {
  const terms = filterTerms(filter.text);
  const facets = activeFacets(filter);
  const counts = Object.fromEntries(FACETS.map((f) => [f, new Map<string, number>()])) as Record<
    FacetName,
    Map<string, number>
  >;
  const bump = (map: Map<string, number>, value: string) => map.set(value, (map.get(value) ?? 0) + 1);
  const add = (row: Guest, facet: FacetName) => {
    const map = counts[facet];
    if (facet === "tag") for (const tag of row.tags) bump(map, tag);
    else if (facet === "pool") {
      if (row.pool) bump(map, row.pool);
    } else bump(map, row[facet]);
  };
  for (const row of rows) {
    if (terms.length > 0 && !matchesText(row, terms)) continue;
    let failed: FacetName | null = null;
    let failures = 0;
    for (const [facet, wanted] of facets) {
      if (!matchesFacet(row, facet, wanted)) {
        failed = facet;
        if (++failures > 1) break;
      }
    }
    if (failures === 0) for (const facet of FACETS) add(row, facet);
    else if (failures === 1 && failed) add(row, failed);
  }
  const result = {} as Record<FacetName, FacetCount[]>;
  for (const facet of FACETS) {
    const map = counts[facet];
    for (const value of filter.facets[facet] ?? []) if (!map.has(value)) map.set(value, 0);
    result[facet] = [...map].map(([value, count]) => ({ value, count })).sort((a, b) => byName(a.value, b.value));
  }
  return result;
}

const NUMERIC: ReadonlySet<SortKey> = new Set(["vmid", "cpu", "mem", "disk", "uptime"]);

function sortValue(guest: Guest, key: SortKey): string | number | null {
  switch (key) {
    case "tags":
      return guest.tags.length > 0 ? guest.tags.join(";") : null;
    case "name":
    case "type":
    case "status":
    case "node":
    case "cluster":
    case "pool":
    case "hastate":
    case "lock":
    case "ip":
      return guest[key] || null;
    case "vmid":
    case "cpu":
    case "mem":
    case "disk":
    case "uptime":
      return guest[key];
  }
}

export const isNumericSort = (key: SortKey) => NUMERIC.has(key);

/**
 * The rows sorted by one column: numbers as numbers, text naturally ("web-2" before "web-10"),
 * empty values last in either direction, ties by cluster then vmid.
 */
export function sortGuests(rows: readonly Guest[], sort: GuestSort): Guest[] {
  const dir = sort.desc ? -1 : 1;
  const numeric = NUMERIC.has(sort.key);
  const keyed = rows.map((row) => ({ row, value: sortValue(row, sort.key) }));
  keyed.sort((a, b) => {
    const av = a.value;
    const bv = b.value;
    if (av === null || bv === null) {
      if (av !== bv) return av === null ? 1 : -1;
    } else {
      const c = numeric ? (av as number) - (bv as number) : byName(String(av), String(bv));
      if (c !== 0) return c * dir;
    }
    return byName(a.row.cluster, b.row.cluster) || a.row.vmid - b.row.vmid;
  });
  return keyed.map((k) => k.row);
}
