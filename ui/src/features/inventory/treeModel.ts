// The server view of the resource tree as plain data: connection > node > guest, flattened
// into the rows that are visible under the current expand/collapse state.
import type { Connection, Resource } from "@/backend";

/** What a cluster's resources look like to the tree right now. */
export type ResourcesState =
  | { state: "loading" }
  | { state: "error"; error: unknown }
  /** `refreshError` is set while the last refresh failed and `resources` are the last known ones. */
  | { state: "ok"; resources: Resource[]; refreshError: unknown };

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
  resources: ResourcesState | null;
}

export interface NodeRow extends RowBase {
  type: "node";
  connection: Connection;
  node: string;
  /** `online`, `offline` or `unknown`. */
  status: string;
}

export interface GuestRow extends RowBase {
  type: "guest";
  connection: Connection;
  resource: Resource;
  vmid: number;
  /** `running`, `stopped` or `unknown` (PVE's words). */
  status: string;
}

export type TreeRow = ConnectionRow | NodeRow | GuestRow;

export const connectionKey = (c: Connection) => `c/${c.id}`;
export const nodeKey = (c: Connection, node: string) => `n/${c.id}/${node}`;
export const guestKey = (c: Connection, vmid: number) => `g/${c.id}/${vmid}`;

/** "100 (web-01)" like the PVE tree; just the id when the guest has no name. */
export function guestLabel(resource: Resource): string {
  const id = resource.vmid ?? resource.id;
  return resource.name ? `${id} (${resource.name})` : String(id);
}

function isGuest(r: Resource): r is Resource & { vmid: number; node: string } {
  return (r.kind === "qemu" || r.kind === "lxc") && typeof r.vmid === "number" && typeof r.node === "string";
}

const byName = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true });

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

/**
 * The visible rows, in order. `collapsed` holds the keys the user closed: connections and
 * nodes start expanded, so new ones appear open. A disabled connection has no children: its
 * resources are not fetched.
 */
export function buildRows(
  connections: Connection[],
  resourcesOf: (connection: Connection) => ResourcesState | null,
  collapsed: ReadonlySet<string>,
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
    if (!expanded || resources?.state !== "ok") return;

    const nodeStatus = new Map<string, string>();
    const guestsByNode = new Map<string, (Resource & { vmid: number })[]>();
    for (const r of resources.resources) {
      if (r.kind === "node") {
        const name = r.node ?? r.name;
        if (name) nodeStatus.set(name, r.status ?? "unknown");
      } else if (isGuest(r)) {
        const list = guestsByNode.get(r.node) ?? [];
        list.push(r);
        guestsByNode.set(r.node, list);
        // A guest on a node the listing does not name still gets its node.
        if (!nodeStatus.has(r.node)) nodeStatus.set(r.node, "unknown");
      }
    }
    const nodes = orderNodes([...nodeStatus.keys()], connection.nodeOrder);
    nodes.forEach((node, ni) => {
      const nKey = nodeKey(connection, node);
      const guests = (guestsByNode.get(node) ?? []).sort((a, b) => a.vmid - b.vmid);
      const nodeExpanded = guests.length > 0 && !collapsed.has(nKey);
      rows.push({
        type: "node",
        key: nKey,
        level: 2,
        parentKey: key,
        posinset: ni + 1,
        setsize: nodes.length,
        expandable: guests.length > 0,
        expanded: nodeExpanded,
        connection,
        node,
        status: nodeStatus.get(node) ?? "unknown",
      });
      if (!nodeExpanded) return;
      guests.forEach((resource, gi) => {
        rows.push({
          type: "guest",
          key: guestKey(connection, resource.vmid),
          level: 3,
          parentKey: nKey,
          posinset: gi + 1,
          setsize: guests.length,
          expandable: false,
          expanded: false,
          connection,
          resource,
          vmid: resource.vmid,
          status: resource.status ?? "unknown",
        });
      });
    });
  });
  return rows;
}
