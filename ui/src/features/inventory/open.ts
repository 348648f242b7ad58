// Opening a connection, node, guest or storage in the main pane: the tree, the guest table and
// the search all go through here, so the summary routes are named in one place.
import type { useNavigate } from "@tanstack/react-router";
import type { Resource } from "@/backend";

export type Navigate = ReturnType<typeof useNavigate>;

/** What can be opened, by connection id and the object's own keys. */
export type OpenTarget =
  | { kind: "connection"; conn: string }
  | { kind: "node"; conn: string; node: string }
  | { kind: "guest"; conn: string; vmid: number }
  | { kind: "storage"; conn: string; node: string; storage: string };

/** The summary a resource opens, or `null` for kinds without one (pools, SDN). */
export function targetOf(resource: Resource | null, connectionId: string): OpenTarget | null {
  if (resource === null) return { kind: "connection", conn: connectionId };
  switch (resource.kind) {
    case "node": {
      const node = resource.node ?? resource.name;
      return node ? { kind: "node", conn: connectionId, node } : null;
    }
    case "qemu":
    case "lxc":
      return typeof resource.vmid === "number" ? { kind: "guest", conn: connectionId, vmid: resource.vmid } : null;
    case "storage": {
      const storage = resource.storage ?? resource.name ?? resource.id.split("/").pop() ?? "";
      return resource.node && storage ? { kind: "storage", conn: connectionId, node: resource.node, storage } : null;
    }
    default:
      return null;
  }
}

/** The route template and its parameters. */
function routeOf(target: OpenTarget): { to: string; params: Record<string, string> } {
  switch (target.kind) {
    case "connection":
      return { to: "/c/$conn", params: { conn: target.conn } };
    case "node":
      return { to: "/c/$conn/node/$node", params: { conn: target.conn, node: target.node } };
    case "guest":
      return { to: "/c/$conn/guest/$vmid", params: { conn: target.conn, vmid: String(target.vmid) } };
    case "storage":
      return {
        to: "/c/$conn/storage/$node/$storage",
        params: { conn: target.conn, node: target.node, storage: target.storage },
      };
  }
}

export function openTarget(navigate: Navigate, target: OpenTarget): void {
  // The summary routes are registered elsewhere; untyped here so this file is the one to tighten.
  const go = navigate as unknown as (options: { to: string; params: Record<string, string> }) => Promise<void>;
  void go(routeOf(target));
}

/** Opens a resource's summary (`null`: the connection's); does nothing for kinds without one. */
export function openResource(navigate: Navigate, resource: Resource | null, connectionId: string): void {
  const target = targetOf(resource, connectionId);
  if (target) openTarget(navigate, target);
}

/** What a location shows, so the tree can mark it; `null` for other pages. */
export function targetFromPath(pathname: string): OpenTarget | null {
  const parts = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts[0] !== "c" || !parts[1]) return null;
  const conn = parts[1];
  if (parts.length === 2) return { kind: "connection", conn };
  if (parts[2] === "node" && parts[3]) return { kind: "node", conn, node: parts[3] };
  if (parts[2] === "guest" && parts[3] && /^\d+$/.test(parts[3])) return { kind: "guest", conn, vmid: Number(parts[3]) };
  if (parts[2] === "storage" && parts[3] && parts[4]) return { kind: "storage", conn, node: parts[3], storage: parts[4] };
  return null;
}
