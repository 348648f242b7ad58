import { describe, expect, it } from "vitest";
import type { Resource } from "@/backend";
import { makeConnection } from "@/test/fixtures";
import { targetFromPath } from "./open";
import { search, searchItems, searchResultTestId } from "./search";
import type { ConnectionResources } from "./useInventory";
import { resource } from "@/features/inventory/testSupport";

const guest = (vmid: number, name: string, tags: string | null = null) =>
  resource({ id: `qemu/${vmid}`, kind: "qemu", vmid, node: "pve1", name, status: "running", tags });

const PROD = makeConnection({ id: "c-prod", name: "prod" });
const LAB = makeConnection({ id: "c-lab", name: "lab" });

const entry = (resources: Resource[]): ConnectionResources => ({
  resources,
  stale: false,
  fetchedAt: "2026-01-01T00:00:00Z",
  error: null,
});

const ITEMS = searchItems(
  [PROD, LAB],
  new Map([
    [
      PROD.id,
      entry([
        resource({ id: "node/pve1", kind: "node", node: "pve1", status: "online" }),
        resource({ id: "node/web", kind: "node", node: "web", status: "online" }),
        guest(104, "web-01", "frontend;prod"),
        guest(1040, "old-web", null),
        guest(210, "db-web", null),
        guest(300, "cache", "web"),
        guest(400, "webserver", null),
        resource({ id: "storage/pve1/local", kind: "storage", node: "pve1", storage: "local", status: "available" }),
        resource({ id: "pool/web", kind: "pool", pool: "web" }),
      ]),
    ],
    [LAB.id, entry([guest(104, "lab-web", null)])],
  ]),
);

const ids = (query: string) => search(ITEMS, query).items.map(searchResultTestId);

describe("global search", () => {
  it("indexes guests, nodes and storages (not pools)", () => {
    expect(ITEMS.map((i) => i.kind).sort()).toEqual([
      "guest",
      "guest",
      "guest",
      "guest",
      "guest",
      "guest",
      "node",
      "node",
      "storage",
    ]);
  });

  it("ranks an exact VMID first, then VMID prefixes", () => {
    expect(ids("104")).toEqual([
      "search-result-guest-lab-104",
      "search-result-guest-prod-104",
      "search-result-guest-prod-1040",
    ]);
  });

  it("ranks exact names, then prefixes, word starts, tags and substrings; guests before nodes", () => {
    expect(ids("web")).toEqual([
      "search-result-node-prod-web",
      "search-result-guest-prod-104",
      "search-result-guest-prod-400",
      "search-result-guest-prod-210",
      "search-result-guest-lab-104",
      "search-result-guest-prod-1040",
      "search-result-guest-prod-300",
    ]);
  });

  it("finds guests by tag, storages by name, and takes several words", () => {
    expect(ids("frontend")).toEqual(["search-result-guest-prod-104"]);
    expect(ids("local")).toEqual(["search-result-storage-prod-pve1-local"]);
    expect(ids("lab web")).toEqual(["search-result-guest-lab-104"]);
    expect(ids("   ")).toEqual([]);
    expect(ids("nothing")).toEqual([]);
  });

  it("caps the list and says how many matched", () => {
    const result = search(ITEMS, "e", 2);
    expect(result.items).toHaveLength(2);
    expect(result.total).toBeGreaterThan(2);
  });

  it("reads what a summary route shows back from its path", () => {
    expect(targetFromPath("/c/c-prod")).toEqual({ kind: "connection", conn: "c-prod" });
    expect(targetFromPath("/c/c-prod/guest/104")).toEqual({ kind: "guest", conn: "c-prod", vmid: 104 });
    expect(targetFromPath("/c/c-prod/node/pve1")).toEqual({ kind: "node", conn: "c-prod", node: "pve1" });
    expect(targetFromPath("/c/c-prod/storage/pve1/local")).toEqual({
      kind: "storage",
      conn: "c-prod",
      node: "pve1",
      storage: "local",
    });
    expect(targetFromPath("/guests")).toBeNull();
  });
});
