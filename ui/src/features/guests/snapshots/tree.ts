// A guest's snapshots as PVE's tree: each snapshot under its parent, siblings oldest first,
// and the `current` pseudo-entry ("NOW — You are here!") under the snapshot it started from.
import type { GuestSnapshot } from "@/backend";

export interface SnapshotRow {
  snapshot: GuestSnapshot;
  /** 0 for a root. */
  depth: number;
}

/** PVE's rule for a snapshot name (`pve-snapshot-name`). */
export const SNAPSHOT_NAME_RE = /^[A-Za-z][A-Za-z0-9_-]{1,39}$/;

/** Why a snapshot name is refused, or null when it is fine. */
export function snapshotNameError(name: string, existing: readonly GuestSnapshot[]): string | null {
  if (name.length === 0) return "Give the snapshot a name.";
  if (name.length < 2 || name.length > 40) return "A snapshot name has 2 to 40 characters.";
  if (!/^[A-Za-z]/.test(name)) return "A snapshot name starts with a letter.";
  if (!SNAPSHOT_NAME_RE.test(name)) return "Use letters, digits, - and _ only.";
  if (name.toLowerCase() === "current") return "“current” is reserved for where the guest is now.";
  if (existing.some((s) => !s.current && s.name === name)) return `A snapshot named ${name} exists already.`;
  return null;
}

function bySnaptime(a: GuestSnapshot, b: GuestSnapshot): number {
  // `current` last among its siblings, like PVE's panel.
  if (a.current !== b.current) return a.current ? 1 : -1;
  return (a.snaptime ?? Infinity) - (b.snaptime ?? Infinity) || a.name.localeCompare(b.name);
}

/** The snapshots depth-first, each under its parent; an unknown parent makes a root. */
export function snapshotTree(list: readonly GuestSnapshot[]): SnapshotRow[] {
  const names = new Set(list.filter((s) => !s.current).map((s) => s.name));
  const children = new Map<string | null, GuestSnapshot[]>();
  for (const s of list) {
    const parent = s.parent && names.has(s.parent) && s.parent !== s.name ? s.parent : null;
    const siblings = children.get(parent);
    if (siblings) siblings.push(s);
    else children.set(parent, [s]);
  }
  const rows: SnapshotRow[] = [];
  const seen = new Set<GuestSnapshot>();
  const walk = (parent: string | null, depth: number) => {
    for (const s of (children.get(parent) ?? []).sort(bySnaptime)) {
      if (seen.has(s)) continue; // a cycle in broken data must not loop forever
      seen.add(s);
      rows.push({ snapshot: s, depth });
      if (!s.current) walk(s.name, depth + 1);
    }
  };
  walk(null, 0);
  // Whatever a cycle left unreachable still shows, at the top level.
  for (const s of list) if (!seen.has(s)) rows.push({ snapshot: s, depth: 0 });
  return rows;
}

/** Unix seconds as local `YYYY-MM-DD HH:MM:SS`. */
export function formatSnaptime(seconds: number | null): string {
  if (seconds === null) return "";
  const at = new Date(seconds * 1000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return (
    `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ` +
    `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`
  );
}
