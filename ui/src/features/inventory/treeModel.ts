// The resource tree as plain data, flattened into the rows that are visible under the current
// expand/collapse state. Three views: by server (connection > node > guest), by pool
// (connection > pool > guest) and by tag (connection > tag > guest).
import type { Connection, Resource } from "@/backend";
import type { ConnectionResources } from "./useInventory";

export type TreeView = "servers" | "pools" | "tags";
export type GuestOrder = "vmid" | "name";

interface RowBase {
  /** Unique and stable across refreshes: the expand state and focus hang on it. */
  key: string;
  level: number;
  parentKey: string | null;
  /** 1-based position among its siblings, and their count (aria-posinset / aria-setsize). */
  posinset: number;
  setsize: number;
  /** Has (or may have) children, so it shows a chevron. */
  expandable: boolean;
  expanded: boolean;
}

export interface ConnectionRow extends RowBase {
  type: "connection";
  connection: Connection;
  /** `null` for a connection whose resources are not fetched (disabled, PBS). */
  resources: ConnectionResources | null;
}

export interface NodeRow extends RowBase {
  type: "node";
  connection: Connection;
  node: string;
  /** `online`, `offline` or `unknown`. */
  status: string;
  stale: boolean;
}

/** A pool or a tag in the pool and tag views; `name` is "" for the guests with none. */
export interface GroupRow extends RowBase {
  type: "group";
  groupKind: "pool" | "tag";
  connection: Connection;
  name: string;
  stale: boolean;
}

export interface GuestRow extends RowBase {
  type: "guest";
  connection: Connection;
  resource: GuestResource;
  vmid: number;
  /** `running`, `stopped`, `paused` or `unknown` (PVE's words). */
  status: string;
  stale: boolean;
}

export type TreeRow = ConnectionRow | NodeRow | GroupRow | GuestRow;

export type GuestResource = Resource & { vmid: number; node: string };

export const connectionKey = (c: Connection) => `c/${c.id}`;
export const nodeKey = (c: Connection, node: string) => `n/${c.id}/${node}`;
export const guestKey = (c: Connection, vmid: number) => `g/${c.id}/${vmid}`;
export const groupKey = (c: Connection, kind: "pool" | "tag", name: string) =>
  `${kind === "pool" ? "p" : "t"}/${c.id}/${name}`;

/** "100 (web-01)" like the PVE tree; just the id when the guest has no name. */
export function guestLabel(resource: Resource): string {
  const id = resource.vmid ?? resource.id;
  return resource.name ? `${id} (${resource.name})` : String(id);
}

export function isGuest(r: Resource): r is GuestResource {
  return (r.kind === "qemu" || r.kind === "lxc") && typeof r.vmid === "number" && typeof r.node === "string";
}

/** A guest's tags: PVE joins them with ";" (older versions also used "," or spaces). */
export function splitTags(tags: string | null | undefined): string[] {
  if (!tags) return [];
  return tags.split(/[;,\s]+/).filter((t) => t.length > 0);
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
export const byName = (a: string, b: string) => collator.compare(a, b);

/** The connection's node order first (as the user set it), then the other nodes alphabetically. */
export function orderNodes(nodes: string[], nodeOrder: readonly string[]): string[] {
  const rank = new Map(nodeOrder.map((n, i) => [n, i]));
  return [...nodes].sort((a, b) => {
    const ra = rank.get(a);
    const rb = rank.get(b);
    if (ra !== undefined && rb !== undefined) return ra - rb;
    if (ra !== undefined) return -1;
    if (rb !== undefined) return 1;
    return byName(a, b);
  });
}

/** Guests by vmid, or by name (then vmid; nameless ones last, by vmid). */
export function orderGuests<T extends { vmid: number; name?: string | null }>(guests: T[], order: GuestOrder): T[] {
  const sorted = [...guests];
  if (order === "vmid") return sorted.sort((a, b) => a.vmid - b.vmid);
  return sorted.sort((a, b) => {
    if (a.name && b.name) return byName(a.name, b.name) || a.vmid - b.vmid;
    if (a.name) return -1;
    if (b.name) return 1;
    return a.vmid - b.vmid;
  });
}

/** Groups (pools or tags) alphabetically, the group of guests with none ("") last. */
function orderGroups(names: string[]): string[] {
  return [...names].sort((a, b) => (a === "" ? 1 : b === "" ? -1 : byName(a, b)));
}

export interface BuildOptions {
  view?: TreeView;
  guestOrder?: GuestOrder;
}

/**
 * The visible rows, in order. `collapsed` holds the keys the user closed: everything starts
 * expanded, so new connections, nodes and groups appear open. A disabled connection has no
 * children: its resources are not fetched.
 */
export function buildRows(
  connections: Connection[],
  resourcesOf: (connection: Connection) => ConnectionResources | null,
  collapsed: ReadonlySet<string>,
  { view = "servers", guestOrder = "vmid" }: BuildOptions = {},
): TreeRow[] {
  const rows: TreeRow[] = [];
  connections.forEach((connection, ci) => {
    const key = connectionKey(connection);
    const resources = resourcesOf(connection);
    const expandable = connection.kind === "pve" && connection.enabled;
    const expanded = expandable && !collapsed.has(key);
    rows.push({
      type: "connection",
      key,
      level: 1,
      parentKey: null,
      posinset: ci + 1,
      setsize: connections.length,
      expandable,
      expanded,
      connection,
      resources,
    });
    if (!expanded || !resources || resources.fetchedAt === null) return;
    const stale = resources.stale;

    const pushGuests = (guests: GuestResource[], parentKey: string, keySuffix: string) => {
      orderGuests(guests, guestOrder).forEach((resource, gi, all) => {
        rows.push({
          type: "guest",
          key: guestKey(connection, resource.vmid) + keySuffix,
          level: 3,
          parentKey,
          posinset: gi + 1,
          setsize: all.length,
          expandable: false,
          expanded: false,
          connection,
          resource,
          vmid: resource.vmid,
          status: resource.status ?? "unknown",
          stale,
        });
      });
    };

    const guests = resources.resources.filter(isGuest);
    if (view === "servers") {
      const nodeStatus = new Map<string, string>();
      const guestsByNode = new Map<string, GuestResource[]>();
      for (const r of resources.resources) {
        if (r.kind === "node") {
          const name = r.node ?? r.name;
          if (name) nodeStatus.set(name, r.status ?? "unknown");
        }
      }
      for (const r of guests) {
        const list = guestsByNode.get(r.node) ?? [];
        list.push(r);
        guestsByNode.set(r.node, list);
        // A guest on a node the listing does not name still gets its node.
        if (!nodeStatus.has(r.node)) nodeStatus.set(r.node, "unknown");
      }
      const nodes = orderNodes([...nodeStatus.keys()], connection.nodeOrder);
      nodes.forEach((node, ni) => {
        const nKey = nodeKey(connection, node);
        const onNode = guestsByNode.get(node) ?? [];
        const nodeExpanded = onNode.length > 0 && !collapsed.has(nKey);
        rows.push({
          type: "node",
          key: nKey,
          level: 2,
          parentKey: key,
          posinset: ni + 1,
          setsize: nodes.length,
          expandable: onNode.length > 0,
          expanded: nodeExpanded,
          connection,
          node,
          status: nodeStatus.get(node) ?? "unknown",
          stale,
        });
        if (nodeExpanded) pushGuests(onNode, nKey, "");
      });
      return;
    }

    const groupKind = view === "pools" ? "pool" : "tag";
    const members = new Map<string, GuestResource[]>();
    if (view === "pools") {
      // Pools without guests are listed too, as PVE does.
      for (const r of resources.resources) {
        if (r.kind !== "pool") continue;
        const name = r.pool ?? r.id.replace(/^\/?pool\//, "");
        if (name && !members.has(name)) members.set(name, []);
      }
    }
    for (const g of guests) {
      const names = view === "pools" ? [g.pool ?? ""] : splitTags(g.tags);
      for (const name of names.length > 0 ? names : [""]) {
        const list = members.get(name) ?? [];
        list.push(g);
        members.set(name, list);
      }
    }
    const groups = orderGroups([...members.keys()]);
    groups.forEach((name, gi) => {
      const gKey = groupKey(connection, groupKind, name);
      const inGroup = members.get(name) ?? [];
      const groupExpanded = inGroup.length > 0 && !collapsed.has(gKey);
      rows.push({
        type: "group",
        key: gKey,
        level: 2,
        parentKey: key,
        posinset: gi + 1,
        setsize: groups.length,
        expandable: inGroup.length > 0,
        expanded: groupExpanded,
        groupKind,
        connection,
        name,
        stale,
      });
      if (groupExpanded) pushGuests(inGroup, gKey, `@${gKey}`);
    });
  });
  return rows;
}

/** What type-ahead matches a row by: its visible names. */
export function typeaheadTexts(row: TreeRow): string[] {
  switch (row.type) {
    case "connection":
      return [row.connection.name];
    case "node":
      return [row.node];
    case "group":
      return [row.name];
    case "guest":
      return row.resource.name ? [row.resource.name, String(row.vmid)] : [String(row.vmid)];
  }
}

/**
 * The row type-ahead jumps to: the next one after `from` (wrapping around) whose name starts
 * with `typed`. Typing the same letter again moves on to the next match.
 */
export function findTypeahead(rows: TreeRow[], from: number, typed: string): number {
  const needle = typed.toLowerCase();
  if (!needle) return -1;
  const repeated = needle.length > 1 && [...needle].every((ch) => ch === needle[0]);
  const search = repeated ? needle.charAt(0) : needle;
  // A longer prefix may still match the current row; a single letter moves on.
  const start = search.length > 1 && !repeated ? from : from + 1;
  for (let i = 0; i < rows.length; i++) {
    const index = (start + i + rows.length) % rows.length;
    const row = rows[index];
    if (row && typeaheadTexts(row).some((t) => t.toLowerCase().startsWith(search))) return index;
  }
  return -1;
}

/** Whether two states of a connection's resources give the same rows. */
function sameResources(a: ConnectionResources | null, b: ConnectionResources | null): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  return (
    a.resources === b.resources &&
    a.stale === b.stale &&
    a.fetchedAt === b.fetchedAt &&
    (a.error === b.error ||
      (a.error !== null && b.error !== null && a.error.code === b.error.code && a.error.message === b.error.message))
  );
}

/**
 * `buildRows`, remembering its last answer: the same array (and rows) back while nothing it
 * reads changed. The inventory hands out a new map of new records on every render, so its
 * entries are compared by what they hold; with 10,000 guests a keypress in the tree then costs
 * no rebuild and no sort.
 */
export function createRowsCache(): typeof buildRows {
  let last: {
    connections: Connection[];
    resources: (ConnectionResources | null)[];
    collapsed: ReadonlySet<string>;
    view: TreeView;
    guestOrder: GuestOrder;
    rows: TreeRow[];
  } | null = null;
  return (connections, resourcesOf, collapsed, { view = "servers", guestOrder = "vmid" } = {}) => {
    const resources = connections.map(resourcesOf);
    if (
      last &&
      last.connections === connections &&
      last.collapsed === collapsed &&
      last.view === view &&
      last.guestOrder === guestOrder &&
      resources.every((r, i) => sameResources(r, last?.resources[i] ?? null))
    ) {
      return last.rows;
    }
    const rows = buildRows(connections, (c) => resources[connections.indexOf(c)] ?? null, collapsed, {
      view,
      guestOrder,
    });
    last = { connections, resources, collapsed, view, guestOrder, rows };
    return rows;
  };
}
