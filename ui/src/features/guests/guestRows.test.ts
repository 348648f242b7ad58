import { describe, expect, it } from "vitest";
import type { Connection, Resource } from "@/backend";
import type { ConnectionResources } from "@/features/inventory/useInventory";
import { makeConnection } from "@/test/fixtures";
import { facetCounts, filterGuests, guestsOf, sortGuests, withIps, type Guest, type GuestFilter } from "./guestRows";
import { resource } from "@/features/inventory/testSupport";

const guest = (vmid: number, node: string, name: string, extra: Partial<Resource> = {}) =>
  resource({ id: `qemu/${vmid}`, kind: "qemu", vmid, node, name, status: "running", ...extra });

const PROD = makeConnection({ id: "c-prod", name: "prod" });
const LAB = makeConnection({ id: "c-lab", name: "lab" });

function entry(resources: Resource[], stale = false): ConnectionResources {
  return { resources, stale, fetchedAt: "2026-01-01T00:00:00Z", error: null };
}

function rowsOf(data: [Connection, Resource[]][]): Guest[] {
  return guestsOf(
    data.map(([c]) => c),
    new Map(data.map(([c, r]) => [c.id, entry(r)])),
  );
}

const ROWS = rowsOf([
  [
    PROD,
    [
      resource({ id: "node/pve1", kind: "node", node: "pve1", status: "online" }),
      guest(101, "pve1", "db-01", { pool: "db", tags: "prod;sql", cpu: 0.5, mem: 4e9, uptime: 100 }),
      guest(100, "pve1", "web-10", { tags: "prod;web", cpu: 0.05, mem: 1e9, uptime: 5000 }),
      guest(102, "pve2", "web-2", { tags: "web", status: "stopped", cpu: null, mem: null }),
      resource({ id: "lxc/200", kind: "lxc", vmid: 200, node: "pve2", name: "dns", status: "running", pool: "infra" }),
      guest(9000, "pve2", "tmpl", { template: true, status: "stopped" }),
      resource({ id: "storage/pve1/local", kind: "storage", node: "pve1", storage: "local" }),
    ],
  ],
  [LAB, [guest(100, "lab1", "sandbox", { cpu: 1, mem: 2e9, lock: "backup", hastate: "started" })]],
]);

const keys = (rows: Guest[]) => rows.map((r) => `${r.cluster}/${r.vmid}`);
const none: GuestFilter = { text: "", facets: {} };

describe("guest rows", () => {
  it("has one row per guest of every cluster, with its cluster and a template status", () => {
    expect(keys(ROWS)).toEqual(["prod/101", "prod/100", "prod/102", "prod/200", "prod/9000", "lab/100"]);
    expect(ROWS.find((r) => r.vmid === 9000)?.status).toBe("template");
    expect(ROWS.find((r) => r.vmid === 200)?.type).toBe("lxc");
    expect(ROWS.find((r) => r.vmid === 101)?.tags).toEqual(["prod", "sql"]);
  });

  it("filters by text over vmid, name, node, cluster, tags and pool; every word must match", () => {
    const by = (text: string) => keys(filterGuests(ROWS, { text, facets: {} }));
    expect(by("web")).toEqual(["prod/100", "prod/102"]);
    expect(by("10")).toEqual(["prod/101", "prod/100", "prod/102", "lab/100"]);
    expect(by("LAB")).toEqual(["lab/100"]);
    expect(by("sql")).toEqual(["prod/101"]);
    expect(by("infra")).toEqual(["prod/200"]);
    expect(by("pve2 web")).toEqual(["prod/102"]);
    expect(by("  ")).toHaveLength(ROWS.length);
    expect(by("nothing-like-this")).toEqual([]);
  });

  it("filters by facets: any value within a facet, all facets together", () => {
    const facets = (f: GuestFilter["facets"]) => keys(filterGuests(ROWS, { text: "", facets: f }));
    expect(facets({ tag: new Set(["web", "sql"]) })).toEqual(["prod/101", "prod/100", "prod/102"]);
    expect(facets({ tag: new Set(["web"]), status: new Set(["running"]) })).toEqual(["prod/100"]);
    expect(facets({ cluster: new Set(["lab"]) })).toEqual(["lab/100"]);
    expect(facets({ type: new Set(["lxc"]) })).toEqual(["prod/200"]);
    expect(facets({ pool: new Set(["db", "infra"]) })).toEqual(["prod/101", "prod/200"]);
    expect(facets({ status: new Set(["template"]) })).toEqual(["prod/9000"]);
    expect(facets({ node: new Set() })).toHaveLength(ROWS.length);
  });

  it("counts facet values under the text and the other facets", () => {
    const all = facetCounts(ROWS, none);
    expect(all.cluster).toEqual([
      { value: "lab", count: 1 },
      { value: "prod", count: 5 },
    ]);
    expect(all.tag).toEqual([
      { value: "prod", count: 2 },
      { value: "sql", count: 1 },
      { value: "web", count: 2 },
    ]);
    expect(all.status).toEqual([
      { value: "running", count: 4 },
      { value: "stopped", count: 1 },
      { value: "template", count: 1 },
    ]);

    const chosen = facetCounts(ROWS, { text: "", facets: { cluster: new Set(["lab"]) } });
    // The chosen facet still counts the other clusters (to widen the choice)…
    expect(chosen.cluster).toEqual([
      { value: "lab", count: 1 },
      { value: "prod", count: 5 },
    ]);
    // …the others count only what the choice shows.
    expect(chosen.node).toEqual([{ value: "lab1", count: 1 }]);

    const texted = facetCounts(ROWS, { text: "web", facets: { node: new Set(["pve9"]) } });
    expect(texted.node).toEqual([
      { value: "pve1", count: 1 },
      { value: "pve2", count: 1 },
      { value: "pve9", count: 0 },
    ]);
    expect(texted.cluster).toEqual([]);
  });

  it("sorts numbers as numbers and text naturally, empty values last both ways", () => {
    expect(keys(sortGuests(ROWS, { key: "vmid", desc: false }))).toEqual([
      "lab/100",
      "prod/100",
      "prod/101",
      "prod/102",
      "prod/200",
      "prod/9000",
    ]);
    expect(keys(sortGuests(ROWS, { key: "name", desc: false }))).toEqual([
      "prod/101",
      "prod/200",
      "lab/100",
      "prod/9000",
      "prod/102",
      "prod/100",
    ]);
    expect(keys(sortGuests(ROWS, { key: "cpu", desc: true })).slice(0, 3)).toEqual(["lab/100", "prod/101", "prod/100"]);
    expect(keys(sortGuests(ROWS, { key: "cpu", desc: true })).slice(3)).toEqual(["prod/102", "prod/200", "prod/9000"]);
    expect(keys(sortGuests(ROWS, { key: "mem", desc: false })).slice(0, 3)).toEqual(["prod/100", "lab/100", "prod/101"]);
    expect(keys(sortGuests(ROWS, { key: "lock", desc: false }))[0]).toBe("lab/100");
    expect(keys(sortGuests(ROWS, { key: "lock", desc: true }))[0]).toBe("lab/100");
    expect(keys(sortGuests(ROWS, { key: "uptime", desc: true })).slice(0, 2)).toEqual(["prod/100", "prod/101"]);
  });

  it("adds the known addresses once, searchable and sortable, keeping unchanged rows", () => {
    const ips = new Map([
      ["c-prod/101", "192.0.2.10"],
      ["c-prod/100", "192.0.2.9"],
      ["c-lab/100", "203.0.113.2"],
    ]);
    const rows = withIps(ROWS, ips);
    expect(rows.find((r) => r.key === "c-prod/101")?.ip).toBe("192.0.2.10");
    expect(rows.find((r) => r.key === "c-lab/100")?.ip).toBe("203.0.113.2");
    expect(rows.find((r) => r.key === "c-prod/102")?.ip).toBe("");
    // Rows without an address are the same objects; no address at all: the same array.
    expect(rows.find((r) => r.key === "c-prod/102")).toBe(ROWS.find((r) => r.key === "c-prod/102"));
    expect(withIps(ROWS, new Map())).toBe(ROWS);
    expect(withIps(rows, ips)).toBe(rows);
    expect(withIps(ROWS, new Map(ips))[0]).toBe(rows[0]);

    expect(keys(filterGuests(rows, { text: "192.0.2", facets: {} }))).toEqual(["prod/101", "prod/100"]);
    expect(keys(filterGuests(rows, { text: "203.0.113.2 lab", facets: {} }))).toEqual(["lab/100"]);
    expect(keys(sortGuests(rows, { key: "ip", desc: false })).slice(0, 3)).toEqual(["prod/100", "prod/101", "lab/100"]);
    // An address that changes replaces the old one in the searched text.
    const moved = withIps(rows, new Map([["c-prod/101", "198.51.100.1"]]));
    expect(keys(filterGuests(moved, { text: "192.0.2.10", facets: {} }))).toEqual([]);
    expect(keys(filterGuests(moved, { text: "198.51", facets: {} }))).toEqual(["prod/101"]);
    expect(keys(filterGuests(moved, { text: "db-01", facets: {} }))).toEqual(["prod/101"]);
  });

  it("filters 10,000 rows quickly (timing printed, not asserted)", () => {
    const connections = Array.from({ length: 10 }, (_, i) => makeConnection({ id: `c${i}`, name: `cluster-${i}` }));
    const map = new Map<string, ConnectionResources>();
    connections.forEach((c, ci) => {
      const resources: Resource[] = [];
      for (let g = 0; g < 1000; g++) {
        const vmid = 100 + g;
        resources.push(
          guest(vmid, `pve${g % 16}`, `${["web", "db", "cache", "worker"][g % 4]}-${ci}-${g}`, {
            tags: g % 3 === 0 ? "prod;web" : "dev",
            pool: g % 5 === 0 ? "critical" : null,
            status: g % 7 === 0 ? "stopped" : "running",
            cpu: (g % 100) / 100,
            mem: g * 1e6,
          }),
        );
      }
      map.set(c.id, entry(resources));
    });
    const rows = sortGuests(guestsOf(connections, map), { key: "name", desc: false });
    expect(rows).toHaveLength(10_000);

    // Once to warm up, as a user's first keystroke follows the table's first render.
    filterGuests(rows, { text: "x", facets: {} });
    facetCounts(rows, { text: "", facets: {} });
    const runs: number[] = [];
    let count = 0;
    for (const text of ["w", "we", "web", "web-3", "web-3-1", "cluster-7 db"]) {
      const started = performance.now();
      count = filterGuests(rows, { text, facets: {} }).length;
      runs.push(performance.now() - started);
    }
    const facetRuns: number[] = [];
    for (const text of ["web", "db", "cache"]) {
      const started = performance.now();
      facetCounts(rows, { text, facets: { status: new Set(["running"]) } });
      facetRuns.push(performance.now() - started);
    }
    console.log(
      `filter 10,000 rows by text: ${runs.map((ms) => ms.toFixed(2)).join(" / ")} ms ` +
        `(last: ${count} rows); facet counts: ${facetRuns.map((ms) => ms.toFixed(2)).join(" / ")} ms`,
    );
    expect(count).toBeGreaterThan(0);
  });
});
