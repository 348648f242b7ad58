// The top bar's search as plain data: every guest, node and storage of every cluster, and a
// ranking that puts exact hits (a VMID, a whole name) before prefixes and mere substrings.
import type { Connection, Resource } from "@/backend";
import { targetOf, type OpenTarget } from "./open";
import { byName, isGuest, splitTags } from "./treeModel";
import type { ConnectionResources } from "./useInventory";

export type SearchKind = "guest" | "node" | "storage";

export interface SearchItem {
  kind: SearchKind;
  connectionId: string;
  connectionName: string;
  /** Unique within the connection and kind: the vmid, the node, `<node>-<storage>`. */
  id: string;
  /** What the result shows: `104 (web-01)`, `pve2`, `local`. */
  label: string;
  /** The name searched for (guest name, node, storage). */
  name: string;
  vmid: number | null;
  tags: string[];
  node: string;
  /** The guest's or node's status, the storage's `available`… */
  status: string;
  template: boolean;
  guestType: "qemu" | "lxc" | null;
  stale: boolean;
  target: OpenTarget;
  resource: Resource;
}

function itemOf(connection: Connection, r: Resource, stale: boolean): SearchItem | null {
  const target = targetOf(r, connection.id);
  if (!target) return null;
  const base = {
    connectionId: connection.id,
    connectionName: connection.name,
    status: r.status ?? "unknown",
    template: r.template,
    stale,
    target,
    resource: r,
  };
  if (isGuest(r)) {
    const name = r.name ?? "";
    return {
      ...base,
      kind: "guest",
      id: String(r.vmid),
      label: name ? `${r.vmid} (${name})` : String(r.vmid),
      name,
      vmid: r.vmid,
      tags: splitTags(r.tags),
      node: r.node,
      guestType: r.kind === "lxc" ? "lxc" : "qemu",
    };
  }
  if (target.kind === "node") {
    return {
      ...base,
      kind: "node",
      id: target.node,
      label: target.node,
      name: target.node,
      vmid: null,
      tags: [],
      node: target.node,
      guestType: null,
    };
  }
  if (target.kind === "storage") {
    return {
      ...base,
      kind: "storage",
      id: `${target.node}-${target.storage}`,
      label: target.storage,
      name: target.storage,
      vmid: null,
      tags: [],
      node: target.node,
      guestType: null,
    };
  }
  return null;
}

const cache = new WeakMap<Resource[], { connection: Connection; stale: boolean; items: SearchItem[] }>();

/** Everything searchable, in connection order (rebuilt per cluster only when its resources change). */
export function searchItems(
  connections: readonly Connection[],
  resourcesByConnection: ReadonlyMap<string, ConnectionResources>,
): SearchItem[] {
  const parts: SearchItem[][] = [];
  for (const connection of connections) {
    const entry = resourcesByConnection.get(connection.id);
    if (!entry) continue;
    let hit = cache.get(entry.resources);
    if (!hit || hit.connection !== connection || hit.stale !== entry.stale) {
      const items: SearchItem[] = [];
      for (const r of entry.resources) {
        const item = itemOf(connection, r, entry.stale);
        if (item) items.push(item);
      }
      hit = { connection, stale: entry.stale, items };
      cache.set(entry.resources, hit);
    }
    parts.push(hit.items);
  }
  // The same array as last time while nothing changed, so memos keyed on it hold.
  if (parts.length === last.parts.length && parts.every((p, i) => p === last.parts[i])) return last.all;
  last = { parts, all: parts.flat() };
  return last.all;
}

let last: { parts: SearchItem[][]; all: SearchItem[] } = { parts: [], all: [] };

/** Lower is better; `null` when the item does not match at all. */
export function rankOf(item: SearchItem, query: string): number | null {
  const q = query.trim().toLowerCase();
  if (!q) return null;
  const name = item.name.toLowerCase();
  const vmid = item.vmid === null ? "" : String(item.vmid);
  if (vmid && vmid === q) return 0;
  if (name === q) return 1;
  if (name.startsWith(q)) return 2;
  // The start of a word inside the name: "01" in "web-01", "db" in "prod.db".
  if (name.split(/[-_.\s]+/).some((w) => w.startsWith(q))) return 3;
  if (vmid.startsWith(q)) return 4;
  const tags = item.tags.map((t) => t.toLowerCase());
  if (tags.includes(q)) return 5;
  if (name.includes(q)) return 6;
  if (tags.some((t) => t.includes(q))) return 7;
  // Several words: each must be somewhere (name, vmid, tag, node, cluster).
  const words = q.split(/\s+/);
  if (words.length > 1) {
    const haystack = [name, vmid, ...tags, item.node, item.connectionName].join(" ").toLowerCase();
    if (words.every((w) => haystack.includes(w))) return 8;
  }
  return null;
}

const KIND_ORDER: Record<SearchKind, number> = { guest: 0, node: 1, storage: 2 };

export interface SearchResult {
  items: SearchItem[];
  /** How many matched in all (`items` holds the best `limit` of them). */
  total: number;
}

/** The best matches for `query`: by rank, then guests before nodes before storages, then name. */
export function search(items: readonly SearchItem[], query: string, limit = 50): SearchResult {
  const hits: { item: SearchItem; rank: number }[] = [];
  for (const item of items) {
    const rank = rankOf(item, query);
    if (rank !== null) hits.push({ item, rank });
  }
  hits.sort(
    (a, b) =>
      a.rank - b.rank ||
      KIND_ORDER[a.item.kind] - KIND_ORDER[b.item.kind] ||
      byName(a.item.name, b.item.name) ||
      (a.item.vmid ?? 0) - (b.item.vmid ?? 0) ||
      byName(a.item.connectionName, b.item.connectionName),
  );
  return { items: hits.slice(0, limit).map((h) => h.item), total: hits.length };
}

/** The result's test id: `search-result-<kind>-<connection name>-<id>`. */
export const searchResultTestId = (item: SearchItem) =>
  `search-result-${item.kind}-${item.connectionName}-${item.id}`;
