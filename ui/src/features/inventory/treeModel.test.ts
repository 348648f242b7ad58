import { describe, expect, it } from "vitest";
import type { Connection, Resource } from "@/backend";
import { makeConnection } from "@/test/fixtures";
import {
  buildRows,
  createRowsCache,
  findTypeahead,
  orderGuests,
  orderNodes,
  type BuildOptions,
  type TreeRow,
} from "./treeModel";
import type { ConnectionResources } from "./useInventory";
import { resource } from "@/features/inventory/testSupport";

const node = (name: string) => resource({ id: `node/${name}`, kind: "node", node: name, status: "online" });
const guest = (vmid: number, nodeName: string, name: string | null, extra: Partial<Resource> = {}) =>
  resource({ id: `qemu/${vmid}`, kind: "qemu", vmid, node: nodeName, name, status: "running", ...extra });

const PROD = makeConnection({ id: "c-prod", name: "prod", nodeOrder: ["pve3", "pve1"] });
const LAB = makeConnection({ id: "c-lab", name: "lab" });

const PROD_RESOURCES = [
  node("pve10"),
  node("pve1"),
  node("pve2"),
  node("pve3"),
  guest(300, "pve1", "zeta", { pool: "web", tags: "prod;web" }),
  guest(101, "pve1", "alpha", { pool: "db", tags: "prod" }),
  guest(102, "pve1", null),
  guest(200, "pve1", "Beta"),
  resource({ id: "pool/empty", kind: "pool", pool: "empty" }),
  resource({ id: "pool/db", kind: "pool", pool: "db" }),
];

function entry(resources: Resource[], stale = false): ConnectionResources {
  return { resources, stale, fetchedAt: "2026-01-01T00:00:00Z", error: null };
}

function build(options: BuildOptions = {}, collapsed: string[] = [], connections: Connection[] = [PROD]) {
  const data = new Map([
    [PROD.id, entry(PROD_RESOURCES)],
    [LAB.id, entry([node("lab1"), guest(100, "lab1", "x", { tags: "web" })])],
  ]);
  return buildRows(connections, (c) => data.get(c.id) ?? null, new Set(collapsed), options);
}

const label = (row: TreeRow) => {
  switch (row.type) {
    case "connection":
      return row.connection.name;
    case "node":
      return row.node;
    case "group":
      return `${row.groupKind}:${row.name || "-"}`;
    case "guest":
      return String(row.vmid);
  }
};

describe("tree ordering", () => {
  it("puts the connection's node order first, then the others alphabetically (naturally)", () => {
    expect(orderNodes(["pve10", "pve2", "pve1", "pve3"], ["pve3", "pve1"])).toEqual(["pve3", "pve1", "pve2", "pve10"]);
    expect(orderNodes(["b", "a"], ["gone", "b"])).toEqual(["b", "a"]);
  });

  it("orders guests by vmid or by name (case-insensitive, nameless last)", () => {
    const guests = [
      { vmid: 300, name: "zeta" },
      { vmid: 101, name: "alpha" },
      { vmid: 102, name: null },
      { vmid: 200, name: "Beta" },
      { vmid: 99, name: "alpha" },
    ];
    expect(orderGuests(guests, "vmid").map((g) => g.vmid)).toEqual([99, 101, 102, 200, 300]);
    expect(orderGuests(guests, "name").map((g) => g.vmid)).toEqual([99, 101, 200, 300, 102]);
  });

  it("builds the server view: connection > nodes in order > guests", () => {
    expect(build().map(label)).toEqual(["prod", "pve3", "pve1", "101", "102", "200", "300", "pve2", "pve10"]);
    expect(build({ guestOrder: "name" }).map(label)).toEqual([
      "prod",
      "pve3",
      "pve1",
      "101",
      "200",
      "300",
      "102",
      "pve2",
      "pve10",
    ]);
    const rows = build();
    expect(rows.map((r) => r.level)).toEqual([1, 2, 2, 3, 3, 3, 3, 2, 2]);
    expect(rows[3]).toMatchObject({ posinset: 1, setsize: 4, parentKey: "n/c-prod/pve1" });
  });

  it("hides the children of collapsed rows", () => {
    expect(build({}, ["n/c-prod/pve1"]).map(label)).toEqual(["prod", "pve3", "pve1", "pve2", "pve10"]);
    expect(build({}, ["c/c-prod"]).map(label)).toEqual(["prod"]);
  });

  it("builds the pool view: pools alphabetically (empty ones too), guests without a pool last", () => {
    expect(build({ view: "pools" }).map(label)).toEqual([
      "prod",
      "pool:db",
      "101",
      "pool:empty",
      "pool:web",
      "300",
      "pool:-",
      "102",
      "200",
    ]);
    const empty = build({ view: "pools" }).find((r) => r.key === "p/c-prod/empty");
    expect(empty).toMatchObject({ expandable: false, level: 2 });
  });

  it("builds the tag view: a guest under each of its tags, untagged last", () => {
    const rows = build({ view: "tags" }, [], [PROD, LAB]);
    expect(rows.map(label)).toEqual([
      "prod",
      "tag:prod",
      "101",
      "300",
      "tag:web",
      "300",
      "tag:-",
      "102",
      "200",
      "lab",
      "tag:web",
      "100",
    ]);
    // The same guest under two tags has two distinct keys.
    const keys = rows.map((r) => r.key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("marks the rows of a stale connection", () => {
    const rows = buildRows([PROD], () => entry(PROD_RESOURCES, true), new Set());
    expect(rows.filter((r) => r.type !== "connection").every((r) => "stale" in r && r.stale)).toBe(true);
  });

  it("shows no children before the first answer", () => {
    const rows = buildRows(
      [PROD],
      () => ({ resources: [], stale: false, fetchedAt: null, error: null }),
      new Set(),
    );
    expect(rows.map(label)).toEqual(["prod"]);
  });
});

describe("type-ahead", () => {
  const rows = build({}, [], [PROD, LAB]);
  const at = (name: string) => rows.findIndex((r) => label(r) === name);

  it("jumps to the next row whose name starts with the typed text, wrapping around", () => {
    expect(findTypeahead(rows, 0, "p")).toBe(at("pve3"));
    expect(findTypeahead(rows, at("pve3"), "p")).toBe(at("pve1"));
    expect(findTypeahead(rows, at("pve10"), "p")).toBe(at("prod"));
    expect(findTypeahead(rows, 0, "la")).toBe(at("lab"));
    expect(findTypeahead(rows, 0, "nothing")).toBe(-1);
  });

  it("matches guests by name and by vmid, case-insensitively", () => {
    expect(findTypeahead(rows, 0, "BE")).toBe(at("200"));
    expect(findTypeahead(rows, 0, "30")).toBe(at("300"));
  });

  it("keeps the current row while a longer prefix still matches it", () => {
    expect(findTypeahead(rows, at("pve1"), "pve1")).toBe(at("pve1"));
    // Repeating one letter cycles through the rows starting with it.
    expect(findTypeahead(rows, at("pve3"), "pp")).toBe(at("pve1"));
  });
});

describe("the rows cache", () => {
  it("gives the same rows back while the inventory holds the same data, in new records", () => {
    const rowsOf = createRowsCache();
    const connections = [PROD, LAB];
    const labResources = [node("lab1")];
    // The inventory hands out a new map of new records on every render: look up in a fresh one.
    const of =
      (prod: () => ConnectionResources = () => entry(PROD_RESOURCES)) =>
      (c: Connection) =>
        new Map([
          [PROD.id, prod()],
          [LAB.id, entry(labResources)],
        ]).get(c.id) ?? null;
    const open = new Set<string>();
    const first = rowsOf(connections, of(), open);
    expect(first).toEqual(buildRows(connections, of(), open));
    expect(rowsOf(connections, of(), open)).toBe(first);
    expect(rowsOf(connections, of(), open, { view: "servers", guestOrder: "vmid" })).toBe(first);

    // Anything the rows show rebuilds them.
    const stale = rowsOf(connections, of(() => entry(PROD_RESOURCES, true)), open);
    expect(stale).not.toBe(first);
    expect(stale.find((r) => r.type === "guest")).toMatchObject({ stale: true });
    const down = { code: "Unreachable", message: "down", detail: null, fields: {} } as const;
    const failed = rowsOf(connections, of(() => ({ ...entry(PROD_RESOURCES, true), error: down })), open);
    expect(failed).not.toBe(stale);
    expect(rowsOf(connections, of(() => ({ ...entry(PROD_RESOURCES, true), error: { ...down } })), open)).toBe(failed);
    const fewer = rowsOf(connections, of(() => entry(PROD_RESOURCES.slice(1))), open);
    expect(fewer.map(label)).not.toContain("pve10");
    const closed = rowsOf(connections, of(() => entry(PROD_RESOURCES.slice(1))), new Set(["c/c-prod"]));
    expect(closed.map(label)).toEqual(["prod", "lab", "lab1"]);
    const byName = rowsOf(connections, of(() => entry(PROD_RESOURCES.slice(1))), open, { guestOrder: "name" });
    expect(byName.filter((r) => r.type === "guest").map(label)).toEqual(["101", "200", "300", "102"]);
    const byPool = rowsOf(connections, of(() => entry(PROD_RESOURCES.slice(1))), open, { view: "pools" });
    expect(byPool.some((r) => r.type === "group")).toBe(true);
    expect(rowsOf([PROD], of(() => entry(PROD_RESOURCES.slice(1))), open, { view: "pools" }).map(label)).not.toContain(
      "lab",
    );
  });
});
