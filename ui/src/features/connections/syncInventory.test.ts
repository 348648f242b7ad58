// The inventory deltas of the refresh engine: applied together, and never lost when they
// arrive before the snapshot they apply to.
import { QueryClient } from "@tanstack/react-query";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { onInventoryChanged, type ConnectionInventory, type InventoryDelta } from "@/backend";
import { inventoryQuery } from "@/features/inventory/inventoryQuery";
import { resource } from "@/test/fixtures";
import { DELTA_BATCH_MS, syncInventory } from "./queries";

vi.mock("@/backend", async (importOriginal) => (await import("@/test/backendMock")).backendMock(importOriginal));

const snapshot = (id: string): ConnectionInventory => ({
  connectionId: id,
  resources: [resource({ id: "qemu/100", kind: "qemu", vmid: 100, node: "n1", status: "stopped" })],
  fetchedAt: "2026-11-22T10:00:00Z",
  stale: true,
  error: null,
});

const delta = (id: string, vmid: number): InventoryDelta => ({
  connectionId: id,
  fetchedAt: "2026-11-22T10:00:05Z",
  stale: false,
  error: null,
  added: [resource({ id: `qemu/${vmid}`, kind: "qemu", vmid, node: "n1", status: "running" })],
  changed: [],
  removed: [],
});

let client: QueryClient;
let emit: (d: InventoryDelta) => void;
let stop: () => void;

beforeEach(() => {
  vi.useFakeTimers();
  client = new QueryClient();
  stop = syncInventory(client);
  const cb = vi.mocked(onInventoryChanged).mock.calls.at(-1)?.[0];
  if (!cb) throw new Error("syncInventory did not subscribe");
  emit = cb;
});
afterEach(() => {
  stop();
  vi.useRealTimers();
});

describe("inventory deltas", () => {
  it("subscribes once per query client", () => {
    const calls = vi.mocked(onInventoryChanged).mock.calls.length;
    syncInventory(client)();
    expect(vi.mocked(onInventoryChanged).mock.calls.length).toBe(calls);
  });

  it("applies the deltas of one refresh together, after a short wait", () => {
    client.setQueryData(inventoryQuery.queryKey, [snapshot("a"), snapshot("b")]);
    const updates = vi.fn();
    client.getQueryCache().subscribe(updates);
    emit(delta("a", 101));
    emit(delta("b", 102));
    expect(client.getQueryData(inventoryQuery.queryKey)?.[0]?.resources).toHaveLength(1);
    vi.advanceTimersByTime(DELTA_BATCH_MS);
    const data = client.getQueryData(inventoryQuery.queryKey) ?? [];
    expect(data.map((c) => [c.connectionId, c.resources.length, c.stale])).toEqual([
      ["a", 2, false],
      ["b", 2, false],
    ]);
    expect(updates.mock.calls.filter(([e]) => (e as { type: string }).type === "updated")).toHaveLength(1);
  });

  it("keeps deltas that come before the snapshot and applies them on top of it", () => {
    emit(delta("a", 101));
    vi.advanceTimersByTime(DELTA_BATCH_MS * 3);
    expect(client.getQueryData(inventoryQuery.queryKey)).toBeUndefined();
    client.setQueryData(inventoryQuery.queryKey, [snapshot("a")]);
    vi.advanceTimersByTime(DELTA_BATCH_MS);
    const a = client.getQueryData(inventoryQuery.queryKey)?.[0];
    expect(a?.resources.map((r) => r.vmid)).toEqual([100, 101]);
    expect(a?.stale).toBe(false);
  });
});
