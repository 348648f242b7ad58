import { describe, expect, it } from "vitest";
import type { ConnectionInventory, InventoryDelta } from "@/backend";
import { applyDelta } from "./inventoryQuery";
import { resource } from "./testSupport";

const a = resource({ id: "qemu/100", kind: "qemu", vmid: 100, status: "running" });
const b = resource({ id: "qemu/101", kind: "qemu", vmid: 101, status: "stopped" });
const snapshot: ConnectionInventory[] = [
  { connectionId: "c1", resources: [a, b], fetchedAt: "2026-11-22T10:00:00Z", stale: false, error: null },
];

function delta(partial: Partial<InventoryDelta>): InventoryDelta {
  return {
    connectionId: "c1",
    fetchedAt: "2026-11-22T10:00:05Z",
    stale: false,
    error: null,
    added: [],
    changed: [],
    removed: [],
    ...partial,
  };
}

describe("applyDelta", () => {
  it("adds, changes and removes by id, and takes the new time", () => {
    const c = resource({ id: "lxc/102", kind: "lxc", vmid: 102 });
    const next = applyDelta(snapshot, delta({ added: [c], changed: [{ ...b, status: "running" }], removed: ["qemu/100"] }));
    expect(next).toHaveLength(1);
    const inv = next[0]!;
    expect(inv.resources.map((r) => [r.id, r.status])).toEqual([
      ["qemu/101", "running"],
      ["lxc/102", c.status],
    ]);
    expect(inv.fetchedAt).toBe("2026-11-22T10:00:05Z");
  });

  it("keeps the last known resources when a refresh failed", () => {
    const next = applyDelta(snapshot, delta({ stale: true, error: "no node answered", fetchedAt: "2026-11-22T10:00:00Z" }));
    expect(next[0]!.resources).toEqual([a, b]);
    expect(next[0]!.stale).toBe(true);
    expect(next[0]!.error).toBe("no node answered");
  });

  it("starts a connection it did not know", () => {
    const next = applyDelta(snapshot, delta({ connectionId: "c2", added: [a] }));
    expect(next.map((c) => c.connectionId)).toEqual(["c1", "c2"]);
    expect(next[1]!.resources).toEqual([a]);
    expect(applyDelta(undefined, delta({ added: [b] }))[0]!.resources).toEqual([b]);
  });
});
