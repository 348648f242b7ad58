// All guests of all clusters in one dense, virtualized table: sort on any column, filter by
// text and by facets; double-click or Enter opens a guest.
import { createColumnHelper, flexRender, tableFeatures, useTable } from "@tanstack/react-table";
import { useQuery } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useVirtualizer } from "@tanstack/react-virtual";
import { ArrowDown, ArrowUp, Container, FileBox, Monitor, Search, X } from "lucide-react";
import { useDeferredValue, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent } from "react";
import { useGuestTableMarks } from "@/app/perfMarks";
import { openTarget } from "@/features/inventory/open";
import { GuestBadges, guestTone } from "@/features/inventory/ResourceTree";
import { useInventory } from "@/features/inventory/useInventory";
import { Breadcrumbs } from "@/ui/Breadcrumbs";
import { buttonClass } from "@/ui/button";
import { BulkBar } from "./actions/BulkBar";
import { guestIpsKnownQuery, ipsKey } from "./agent/queries";
import { GuestMenu, type GuestMenuTarget } from "./actions/GuestMenu";
import { FacetMenu } from "./FacetMenu";
import { formatBytes, formatPercent, formatUptime } from "./format";
import {
  FACETS,
  facetCounts,
  filterGuests,
  guestsOf,
  isNumericSort,
  sortGuests,
  withIps,
  type FacetName,
  type Guest,
  type GuestFilter,
  type GuestSort,
  type SortKey,
} from "./guestRows";

interface ColumnMeta {
  width: number;
  align?: "right";
  sort: SortKey;
}

const features = tableFeatures({ columnMeta: {} as ColumnMeta });
const column = createColumnHelper<typeof features, Guest>();

const TONE_TEXT = { running: "text-running", stopped: "text-muted", warning: "text-warning", error: "text-error" };
const TONE_DOT = { running: "bg-running", stopped: "bg-stopped", warning: "bg-warning", error: "bg-error" };

function usage(used: number | null, max: number | null): string {
  if (used === null) return "";
  if (!max) return formatBytes(used);
  return `${formatBytes(used)} / ${formatBytes(max)}`;
}

const COLUMNS = column.columns([
  column.accessor("vmid", { header: "ID", meta: { width: 64, align: "right", sort: "vmid" } }),
  column.accessor("name", {
    header: "Name",
    meta: { width: 200, sort: "name" },
    cell: ({ row }) => {
      const g = row.original;
      const Icon = g.template ? FileBox : g.type === "lxc" ? Container : Monitor;
      return (
        <span className="flex min-w-0 items-center gap-1.5">
          <Icon aria-hidden className="size-3.5 shrink-0 text-muted" />
          <span className="truncate">{g.name}</span>
          <GuestBadges lock={g.lock} hastate={g.hastate} />
        </span>
      );
    },
  }),
  column.accessor("type", {
    header: "Type",
    meta: { width: 52, sort: "type" },
    cell: ({ getValue }) => (getValue() === "lxc" ? "CT" : "VM"),
  }),
  column.accessor("status", {
    header: "Status",
    meta: { width: 92, sort: "status" },
    cell: ({ row }) => {
      const g = row.original;
      if (g.template) return <span className="text-muted">template</span>;
      const tone = guestTone(g.status);
      return (
        <span className={`flex items-center gap-1.5 ${g.stale ? "text-muted" : TONE_TEXT[tone]}`}>
          <span aria-hidden className={`size-2 shrink-0 rounded-full ${g.stale ? "bg-stopped" : TONE_DOT[tone]}`} />
          {g.status}
        </span>
      );
    },
  }),
  column.accessor("ip", {
    header: "IP",
    meta: { width: 128, sort: "ip" },
    cell: ({ getValue }) => <span className="tabular-nums">{getValue()}</span>,
  }),
  column.accessor("node", { header: "Node", meta: { width: 96, sort: "node" } }),
  column.accessor("cluster", { header: "Cluster", meta: { width: 112, sort: "cluster" } }),
  column.accessor("pool", { header: "Pool", meta: { width: 96, sort: "pool" } }),
  column.accessor("tags", {
    header: "Tags",
    meta: { width: 150, sort: "tags" },
    cell: ({ getValue }) => (
      <span className="flex min-w-0 gap-1 overflow-hidden">
        {getValue().map((tag) => (
          <span key={tag} className="shrink-0 rounded bg-sunken px-1 text-xs leading-4 text-muted">
            {tag}
          </span>
        ))}
      </span>
    ),
  }),
  column.accessor("cpu", {
    header: "CPU",
    meta: { width: 64, align: "right", sort: "cpu" },
    cell: ({ row }) => (row.original.status === "running" ? formatPercent(row.original.cpu) : ""),
  }),
  column.accessor("mem", {
    header: "Memory",
    meta: { width: 140, align: "right", sort: "mem" },
    cell: ({ row }) => (row.original.status === "running" ? usage(row.original.mem, row.original.maxmem) : ""),
  }),
  column.accessor("disk", {
    header: "Disk",
    meta: { width: 140, align: "right", sort: "disk" },
    cell: ({ row }) => usage(row.original.disk, row.original.maxdisk),
  }),
  column.accessor("uptime", {
    header: "Uptime",
    meta: { width: 76, align: "right", sort: "uptime" },
    cell: ({ getValue }) => formatUptime(getValue()),
  }),
  column.accessor("hastate", { header: "HA state", meta: { width: 84, sort: "hastate" } }),
  column.accessor("lock", { header: "Lock", meta: { width: 76, sort: "lock" } }),
]);

const metaOf = (def: { meta?: ColumnMeta }): ColumnMeta => def.meta ?? { width: 80, sort: "vmid" };
const GRID = COLUMNS.map((c) => `${metaOf(c).width}px`).join(" ");
const TABLE_WIDTH = COLUMNS.reduce((sum, c) => sum + metaOf(c).width, 0);
const ROW_HEIGHT = 26;

const NONE: ReadonlySet<string> = new Set();
const NO_IPS: ReadonlyMap<string, string> = new Map();
const NO_FACETS: Record<FacetName, ReadonlySet<string>> = {
  cluster: NONE,
  node: NONE,
  status: NONE,
  type: NONE,
  tag: NONE,
  pool: NONE,
};

export function GuestsPage() {
  const navigate = useNavigate();
  const { connections, resourcesByConnection } = useInventory();
  const [text, setText] = useState("");
  const [facets, setFacets] = useState<Record<FacetName, ReadonlySet<string>>>(NO_FACETS);
  const [sort, setSort] = useState<GuestSort>({ key: "vmid", desc: false });
  const [active, setActive] = useState(0);
  // The multi-selection for bulk actions (guest keys); Ctrl+click, Shift+click, Space.
  const [selected, setSelected] = useState<ReadonlySet<string>>(NONE);
  const [anchor, setAnchor] = useState(0);
  const scroller = useRef<HTMLDivElement>(null);

  // The same array until a cluster's resources change (guestsOf caches them).
  const base = guestsOf(connections, resourcesByConnection);
  // Each guest's first known address: one Map per answer of the back end, merged into the rows
  // once per change of either (not per row or per render).
  const knownIps = useQuery(guestIpsKnownQuery).data;
  const ips = useMemo(() => {
    if (!knownIps || knownIps.length === 0) return NO_IPS;
    const map = new Map<string, string>();
    for (const e of knownIps) {
      const first = e.addresses[0];
      if (first) map.set(ipsKey(e), first);
    }
    return map;
  }, [knownIps]);
  const all = useMemo(() => withIps(base, ips), [base, ips]);
  const sorted = useMemo(() => sortGuests(all, sort), [all, sort]);
  const filter: GuestFilter = useMemo(() => ({ text, facets }), [text, facets]);
  const rows = useMemo(() => filterGuests(sorted, filter), [sorted, filter]);
  useGuestTableMarks(rows.length, resourcesByConnection); // timestamps for benches/window.rs
  // The counts follow a moment later: the rows come first.
  const deferredFilter = useDeferredValue(filter);
  const counts = useMemo(() => facetCounts(all, deferredFilter), [all, deferredFilter]);

  // The virtualizer is read fresh on every render (it is not passed to memoized children).
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    initialRect: { width: 1200, height: 600 },
  });
  // The table model is built for the rows on screen only, so 10,000 rows cost what 40 do.
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const end = (items[items.length - 1]?.index ?? -1) + 1;
  const onScreen = useMemo(() => rows.slice(first, end), [rows, first, end]);
  const table = useTable({ features, columns: COLUMNS, data: onScreen, getRowId: (g) => g.key });
  const tableRows = table.getRowModel().rows;

  const activeIndex = Math.min(active, Math.max(rows.length - 1, 0));
  const open = (g: Guest) => openTarget(navigate, { kind: "guest", conn: g.connectionId, vmid: g.vmid });
  const moveTo = (index: number) => {
    const next = Math.max(0, Math.min(rows.length - 1, index));
    setActive(next);
    virtualizer.scrollToIndex(next, { align: "auto" });
  };

  const [menu, setMenu] = useState<GuestMenuTarget | null>(null);
  const [menuOpen, setMenuOpen] = useState(false);
  const openMenu = (g: Guest, at: { x: number; y: number } | null) => {
    const connection = connections.find((c) => c.id === g.connectionId);
    if (!connection) return;
    const el = document.getElementById(`guest-row-${g.key}`);
    const rect = el?.getBoundingClientRect();
    setMenu({
      connection,
      node: g.node,
      guest: {
        kind: g.type,
        vmid: g.vmid,
        name: g.name || null,
        status: g.resource.status ?? g.status,
        template: g.template,
        lock: g.lock || null,
      },
      ...(at ?? { x: (rect?.left ?? 0) + 24, y: rect?.bottom ?? 0 }),
      returnFocus: scroller.current,
    });
    setMenuOpen(true);
  };

  const toggle = (g: Guest) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (next.has(g.key)) next.delete(g.key);
      else next.add(g.key);
      return next;
    });
  const selectRange = (from: number, to: number) => {
    const [lo, hi] = from <= to ? [from, to] : [to, from];
    setSelected(new Set(rows.slice(lo, hi + 1).map((g) => g.key)));
  };
  const clickRow = (e: MouseEvent, index: number, g: Guest) => {
    if (e.ctrlKey || e.metaKey) {
      toggle(g);
      setAnchor(index);
    } else if (e.shiftKey) {
      selectRange(anchor, index);
    } else {
      setSelected(NONE);
      setAnchor(index);
    }
    setActive(index);
  };
  const selectedGuests = selected.size === 0 ? [] : all.filter((g) => selected.has(g.key));

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === " ") {
      const g = rows[activeIndex];
      if (g) toggle(g);
      setAnchor(activeIndex);
      e.preventDefault();
      return;
    }
    if (e.key === "Escape" && selected.size > 0) {
      setSelected(NONE);
      e.preventDefault();
      return;
    }
    if (e.key === "ContextMenu" || (e.key === "F10" && e.shiftKey)) {
      const g = rows[activeIndex];
      if (g) openMenu(g, null);
      e.preventDefault();
      return;
    }
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? 400) / ROW_HEIGHT) - 1);
    switch (e.key) {
      case "ArrowDown":
        moveTo(activeIndex + 1);
        break;
      case "ArrowUp":
        moveTo(activeIndex - 1);
        break;
      case "PageDown":
        moveTo(activeIndex + page);
        break;
      case "PageUp":
        moveTo(activeIndex - page);
        break;
      case "Home":
        moveTo(0);
        break;
      case "End":
        moveTo(rows.length - 1);
        break;
      case "Enter": {
        const g = rows[activeIndex];
        if (g) open(g);
        break;
      }
      default:
        return;
    }
    e.preventDefault();
  };

  const toggleSort = (key: SortKey) =>
    setSort((prev) => (prev.key === key ? { key, desc: !prev.desc } : { key, desc: isNumericSort(key) && key !== "vmid" }));

  const filtered = text.trim() !== "" || FACETS.some((f) => facets[f].size > 0);
  const activeRow = rows[activeIndex];

  return (
    <>
      <Breadcrumbs items={[{ label: "Datacenter", to: "/" }, { label: "All guests" }]} />
      <div className="flex shrink-0 flex-wrap items-center gap-1.5 border-b border-line bg-surface px-3 py-1.5">
        <div className="relative w-64">
          <Search
            aria-hidden
            className="pointer-events-none absolute top-1/2 left-2 size-3.5 -translate-y-1/2 text-faint"
          />
          <input
            type="search"
            data-testid="guest-filter"
            aria-label="Filter guests"
            placeholder="Filter by id, name, IP, node, cluster, tag, pool…"
            autoComplete="off"
            spellCheck={false}
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              setActive(0);
            }}
            className="h-6 w-full rounded border border-line-strong bg-surface pr-2 pl-7 text-sm text-fg placeholder:text-faint focus:border-accent focus-visible:ring-2 focus-visible:ring-accent/35 focus-visible:outline-none"
          />
        </div>
        {FACETS.map((facet) => (
          <FacetMenu
            key={facet}
            facet={facet}
            counts={counts[facet]}
            chosen={facets[facet]}
            onChange={(next) => {
              setFacets((prev) => ({ ...prev, [facet]: next }));
              setActive(0);
            }}
          />
        ))}
        {filtered ? (
          <button
            type="button"
            data-testid="guest-filter-clear"
            onClick={() => {
              setText("");
              setFacets(NO_FACETS);
            }}
            className={buttonClass("ghost", "h-6 px-1.5 text-sm font-normal")}
          >
            <X aria-hidden className="size-3" />
            Clear
          </button>
        ) : null}
        <span data-testid="guest-count" className="ml-auto text-sm text-muted tabular-nums">
          {filtered ? `${rows.length.toLocaleString()} of ${all.length.toLocaleString()}` : all.length.toLocaleString()}{" "}
          {all.length === 1 ? "guest" : "guests"}
        </span>
      </div>

      {selectedGuests.length > 0 ? <BulkBar selected={selectedGuests} onClear={() => setSelected(NONE)} /> : null}
      <div
        ref={scroller}
        role="grid"
        aria-multiselectable
        tabIndex={0}
        data-testid="guest-table"
        aria-label="All guests"
        aria-rowcount={rows.length + 1}
        aria-colcount={COLUMNS.length}
        aria-activedescendant={activeRow ? `guest-row-${activeRow.key}` : undefined}
        onKeyDown={onKeyDown}
        className="relative min-h-0 flex-1 overflow-auto bg-surface text-sm focus-visible:-outline-offset-2"
      >
        <div style={{ width: TABLE_WIDTH, minWidth: "100%" }}>
          {table.getHeaderGroups().map((group) => (
            <div
              key={group.id}
              role="row"
              aria-rowindex={1}
              className="sticky top-0 z-10 grid h-7 border-b border-line-strong bg-raised font-medium text-muted"
              style={{ gridTemplateColumns: GRID }}
            >
              {group.headers.map((header) => {
                const meta = metaOf(header.column.columnDef);
                const sorted = sort.key === meta.sort;
                return (
                  <div
                    key={header.id}
                    role="columnheader"
                    aria-sort={sorted ? (sort.desc ? "descending" : "ascending") : "none"}
                    className="border-r border-line last:border-r-0"
                  >
                    <button
                      type="button"
                      tabIndex={-1}
                      data-testid={`guest-sort-${meta.sort}`}
                      onClick={() => toggleSort(meta.sort)}
                      className={`flex h-full w-full items-center gap-1 px-2 hover:bg-sunken hover:text-fg ${
                        meta.align === "right" ? "flex-row-reverse text-right" : ""
                      } ${sorted ? "text-fg" : ""}`}
                    >
                      <span className="truncate">{flexRender(header.column.columnDef.header, header.getContext())}</span>
                      {sorted ? (
                        sort.desc ? (
                          <ArrowDown aria-hidden className="size-3 shrink-0 text-accent" />
                        ) : (
                          <ArrowUp aria-hidden className="size-3 shrink-0 text-accent" />
                        )
                      ) : null}
                    </button>
                  </div>
                );
              })}
            </div>
          ))}

          {rows.length === 0 ? (
            <p data-testid="guest-table-empty" className="px-3 py-6 text-center text-muted">
              {all.length === 0
                ? connections.length === 0
                  ? "No connections yet: add one to see its guests here."
                  : "No guests yet (or the inventory is still loading)."
                : "No guest matches the filter."}
            </p>
          ) : null}

          <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
            {items.map((item) => {
              const row = tableRows[item.index - first];
              if (!row) return null;
              const g = row.original;
              const isActive = item.index === activeIndex;
              return (
                <div
                  key={row.id}
                  id={`guest-row-${row.id}`}
                  role="row"
                  aria-rowindex={item.index + 2}
                  aria-selected={selected.size > 0 ? selected.has(g.key) : isActive}
                  data-active={isActive || undefined}
                  data-testid={`guest-row-${g.cluster}-${g.vmid}`}
                  data-status={g.status}
                  onClick={(e) => clickRow(e, item.index, g)}
                  onDoubleClick={() => open(g)}
                  onContextMenu={(e) => {
                    e.preventDefault();
                    setActive(item.index);
                    openMenu(g, { x: e.clientX, y: e.clientY });
                  }}
                  aria-haspopup="menu"
                  className={`absolute left-0 grid w-full items-center border-b border-line/60 select-none hover:bg-sunken aria-selected:bg-accent-soft ${
                    g.stale ? "text-muted" : ""
                  }`}
                  style={{ height: ROW_HEIGHT, transform: `translateY(${item.start}px)`, gridTemplateColumns: GRID }}
                >
                  {row.getAllCells().map((cell) => {
                    const meta = metaOf(cell.column.columnDef);
                    return (
                      <div
                        key={cell.id}
                        role="gridcell"
                        className={`min-w-0 truncate px-2 ${meta.align === "right" ? "text-right tabular-nums" : ""}`}
                      >
                        {flexRender(cell.column.columnDef.cell, cell.getContext())}
                      </div>
                    );
                  })}
                </div>
              );
            })}
          </div>
        </div>
      </div>
      <GuestMenu target={menu} open={menuOpen} onClose={() => setMenuOpen(false)} />
    </>
  );
}
