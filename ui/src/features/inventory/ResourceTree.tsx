// The resource tree (by server, pool or tag) as an ARIA tree with a roving tab stop: Tab
// enters and leaves it, the arrow keys move inside it, typing jumps to a matching name, Enter
// (or a click) opens what the row shows. It is virtualized: only the rows in (and near) the
// scroll box are in the DOM, each with aria-setsize / aria-posinset / aria-level so a screen
// reader still knows where it is; the focused row always stays rendered.
import { useMutationState } from "@tanstack/react-query";
import { useNavigate, useRouterState } from "@tanstack/react-router";
import {
  defaultRangeExtractor,
  observeElementRect,
  useVirtualizer,
  type Range,
  type Virtualizer,
} from "@tanstack/react-virtual";
import {
  ChevronRight,
  Container,
  DatabaseBackup,
  FileBox,
  Folder,
  LoaderCircle,
  Lock,
  Monitor,
  Network,
  Server,
  Tag,
  TriangleAlert,
  type LucideIcon,
} from "lucide-react";
import {
  memo,
  useCallback,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent,
  type MouseEvent,
} from "react";
import { ConnectionMenu, type ConnectionMenuTarget } from "@/features/connections/ConnectionMenu";
import { GuestMenu, type GuestMenuTarget } from "@/features/guests/actions/GuestMenu";
import { healthText } from "@/features/connections/health";
import { HealthDot } from "@/features/connections/HealthDot";
import { CHECK_CONNECTION_KEY } from "@/features/connections/queries";
import { ageText, useNow } from "./freshness";
import { openTarget, targetFromPath, type OpenTarget } from "./open";
import {
  createRowsCache,
  findTypeahead,
  guestLabel,
  type GuestOrder,
  type TreeRow,
  type TreeView,
} from "./treeModel";
import { isLoading, type Inventory } from "./useInventory";

type Tone = "running" | "stopped" | "warning" | "error";

const TONE_CLASS: Record<Tone, string> = {
  running: "bg-running",
  stopped: "bg-stopped",
  warning: "bg-warning",
  error: "bg-error",
};

export function guestTone(status: string): Tone {
  if (status === "running") return "running";
  if (status === "stopped") return "stopped";
  return "warning";
}

function nodeTone(status: string): Tone {
  if (status === "online") return "running";
  if (status === "offline") return "stopped";
  return "warning";
}

/** The connection's health, and what went wrong fetching its resources, in words. */
function connectionText(row: Extract<TreeRow, { type: "connection" }>, now: number): string {
  const parts = [healthText(row.connection.health)];
  const resources = row.resources;
  if (isLoading(resources ?? undefined)) parts.push("Loading the inventory…");
  if (resources?.error) {
    if (resources.fetchedAt === null) parts.push(`Inventory not loaded: ${resources.error.message}`);
    else parts.push(`Not refreshed: ${resources.error.message} (last seen ${ageText(resources.fetchedAt, now)})`);
  }
  return parts.join("\n");
}

function IconWithDot({ icon: Icon, tone, className = "" }: { icon: LucideIcon; tone: Tone | null; className?: string }) {
  return (
    <span className="relative inline-flex shrink-0">
      <Icon aria-hidden className={`size-3.5 ${className}`} />
      {tone ? (
        <span
          aria-hidden
          data-tone={tone}
          className={`absolute -right-0.5 -bottom-0.5 size-[7px] rounded-full ring-[1.5px] ring-surface ${TONE_CLASS[tone]}`}
        />
      ) : null}
    </span>
  );
}

/** The lock and HA marks of a guest, shared with the guest table. */
export function GuestBadges({ lock, hastate }: { lock?: string | null; hastate?: string | null }) {
  return (
    <>
      {lock ? (
        <span title={`Locked (${lock})`} className="inline-flex shrink-0" data-testid="guest-lock">
          <Lock aria-hidden className="size-3 text-warning" />
        </span>
      ) : null}
      {hastate ? (
        <span
          title={`HA: ${hastate}`}
          data-testid="guest-ha"
          className="shrink-0 rounded border border-line-strong px-0.5 text-2xs leading-3.5 font-medium text-muted"
        >
          HA
        </span>
      ) : null}
    </>
  );
}

function RowContent({ row, checking, now }: { row: TreeRow; checking: boolean; now: number }) {
  switch (row.type) {
    case "connection": {
      const { connection, resources } = row;
      const Icon = connection.kind === "pbs" ? DatabaseBackup : Network;
      const problem = resources?.error != null;
      const stale = resources?.stale === true && resources.fetchedAt !== null;
      return (
        <>
          <span className="relative inline-flex shrink-0">
            <Icon aria-hidden className="size-3.5 text-muted" />
            <HealthDot
              health={connection.health}
              testId={`health-${connection.name}`}
              className="absolute -right-0.5 -bottom-0.5 size-[7px] ring-[1.5px] ring-surface"
            />
          </span>
          <span className={`min-w-0 truncate font-medium ${connection.enabled && !stale ? "" : "text-muted"}`}>
            {connection.name}
          </span>
          {connection.enabled ? null : (
            <span className="shrink-0 rounded border border-line px-1 text-2xs leading-4 text-muted">disabled</span>
          )}
          {connection.demo ? (
            <span className="shrink-0 rounded bg-accent-soft px-1 text-2xs leading-4 font-medium text-accent uppercase">
              demo
            </span>
          ) : null}
          {stale && resources.fetchedAt ? (
            <span data-testid={`tree-stale-${connection.name}`} className="shrink-0 text-2xs text-warning">
              last seen {ageText(resources.fetchedAt, now)}
            </span>
          ) : null}
          {problem ? <TriangleAlert aria-hidden className="size-3 shrink-0 text-warning" /> : null}
          {isLoading(resources ?? undefined) || checking ? (
            <LoaderCircle aria-hidden className="size-3 shrink-0 animate-spin text-faint" />
          ) : null}
          <span className="sr-only">, {connectionText(row, now)}</span>
        </>
      );
    }
    case "node":
      return (
        <>
          <IconWithDot icon={Server} tone={row.stale ? null : nodeTone(row.status)} className="text-muted" />
          <span className="min-w-0 truncate">{row.node}</span>
          <span className="sr-only">, {row.status}</span>
        </>
      );
    case "group": {
      const Icon = row.groupKind === "pool" ? Folder : Tag;
      const none = row.groupKind === "pool" ? "No pool" : "No tags";
      return (
        <>
          <Icon aria-hidden className="size-3.5 shrink-0 text-muted" />
          <span className={`min-w-0 truncate ${row.name ? "" : "text-muted italic"}`}>{row.name || none}</span>
        </>
      );
    }
    case "guest": {
      const { resource } = row;
      const template = resource.template;
      const icon = template ? FileBox : resource.kind === "lxc" ? Container : Monitor;
      return (
        <>
          <IconWithDot
            icon={icon}
            tone={template || row.stale ? null : guestTone(row.status)}
            className="text-muted"
          />
          <span className="min-w-0 truncate">{guestLabel(resource)}</span>
          <GuestBadges lock={resource.lock} hastate={resource.hastate} />
          <span className="sr-only">
            , {template ? "template" : row.status}
            {resource.lock ? `, locked (${resource.lock})` : ""}
            {resource.hastate ? `, HA ${resource.hastate}` : ""}
          </span>
        </>
      );
    }
  }
}

function testIdOf(row: TreeRow): string {
  switch (row.type) {
    case "connection":
      return `tree-connection-${row.connection.name}`;
    case "node":
      return `tree-node-${row.connection.name}-${row.node}`;
    case "group":
      return `tree-${row.groupKind}-${row.connection.name}-${row.name || "none"}`;
    case "guest":
      return `tree-guest-${row.connection.name}-${row.vmid}`;
  }
}

function statusOf(row: TreeRow): string | undefined {
  if (row.type === "guest") return row.status;
  return row.type === "node" ? row.status : undefined;
}

/** What a row opens; `null` for the pool and tag groups. */
function openTargetOf(row: TreeRow): OpenTarget | null {
  switch (row.type) {
    case "connection":
      return { kind: "connection", conn: row.connection.id };
    case "node":
      return { kind: "node", conn: row.connection.id, node: row.node };
    case "guest":
      return { kind: "guest", conn: row.connection.id, vmid: row.vmid };
    case "group":
      return null;
  }
}

function isShown(row: TreeRow, target: OpenTarget | null): boolean {
  if (!target || row.connection.id !== target.conn) return false;
  if (row.type === "connection") return target.kind === "connection";
  if (row.type === "node") return target.kind === "node" && target.node === row.node;
  if (row.type === "guest") return target.kind === "guest" && target.vmid === row.vmid;
  return false;
}

interface ItemHandlers {
  register: (key: string, el: HTMLElement | null) => void;
  focus: (key: string) => void;
  keyDown: (e: KeyboardEvent<HTMLElement>, key: string) => void;
  click: (row: TreeRow) => void;
  contextMenu: (e: MouseEvent<HTMLElement>, row: TreeRow) => void;
  toggle: (row: TreeRow) => void;
  toggleFromChevron: (row: TreeRow) => void;
}

/** Stable functions that call whatever handlers the tree rendered last (given with `set`). */
function createForwarder(): ItemHandlers & {
  set: (latest: ItemHandlers) => void;
  /** The rows' elements by key (for moving the focus). */
  elements: Map<string, HTMLElement>;
} {
  let current: ItemHandlers | null = null;
  const elements = new Map<string, HTMLElement>();
  return {
    set: (latest) => {
      current = latest;
    },
    elements,
    register: (key, el) => {
      if (el) elements.set(key, el);
      else elements.delete(key);
    },
    focus: (key) => current?.focus(key),
    keyDown: (e, key) => current?.keyDown(e, key),
    click: (row) => current?.click(row),
    contextMenu: (e, row) => current?.contextMenu(e, row),
    toggle: (row) => current?.toggle(row),
    toggleFromChevron: (row) => current?.toggleFromChevron(row),
  };
}

/** Whether two renderings of a row would look and behave the same (refreshes rebuild every row). */
function sameRow(a: TreeRow, b: TreeRow): boolean {
  if (
    a.key !== b.key ||
    a.type !== b.type ||
    a.level !== b.level ||
    a.posinset !== b.posinset ||
    a.setsize !== b.setsize ||
    a.expandable !== b.expandable ||
    a.expanded !== b.expanded ||
    a.connection !== b.connection
  ) {
    return false;
  }
  if (a.type === "connection" && b.type === "connection") {
    const ra = a.resources;
    const rb = b.resources;
    if (ra === null || rb === null) return ra === rb;
    return (
      ra.stale === rb.stale &&
      ra.fetchedAt === rb.fetchedAt &&
      ra.error?.message === rb.error?.message &&
      (ra.fetchedAt === null) === (rb.fetchedAt === null)
    );
  }
  if (a.type === "node" && b.type === "node") return a.node === b.node && a.status === b.status && a.stale === b.stale;
  if (a.type === "group" && b.type === "group") return a.name === b.name && a.stale === b.stale;
  if (a.type === "guest" && b.type === "guest") {
    const ga = a.resource;
    const gb = b.resource;
    return (
      a.status === b.status &&
      a.stale === b.stale &&
      ga.name === gb.name &&
      ga.kind === gb.kind &&
      ga.template === gb.template &&
      ga.lock === gb.lock &&
      ga.hastate === gb.hastate
    );
  }
  return false;
}

interface TreeItemProps {
  row: TreeRow;
  /** Where the row sits in the tree's full height (px from its top). */
  top: number;
  tabbable: boolean;
  selected: boolean;
  checking: boolean;
  now: number;
  handlers: ItemHandlers;
}

const TreeItem = memo(
  function TreeItem({ row, top, tabbable, selected, checking, now, handlers }: TreeItemProps) {
    const dimmed = row.type !== "connection" && row.stale;
    return (
      <div
        ref={(el) => handlers.register(row.key, el)}
        role="treeitem"
        tabIndex={tabbable ? 0 : -1}
        aria-level={row.level}
        aria-setsize={row.setsize}
        aria-posinset={row.posinset}
        aria-expanded={row.expandable ? row.expanded : undefined}
        aria-selected={selected}
        aria-busy={row.type === "connection" && isLoading(row.resources ?? undefined) ? true : undefined}
        data-testid={testIdOf(row)}
        data-status={statusOf(row)}
        data-template={row.type === "guest" && row.resource.template ? true : undefined}
        data-stale={row.type === "connection" ? row.resources?.stale === true : dimmed || undefined}
        data-enabled={row.type === "connection" ? row.connection.enabled : undefined}
        aria-haspopup={row.type === "connection" || row.type === "guest" ? "menu" : undefined}
        title={row.type === "connection" ? connectionText(row, now) : undefined}
        onFocus={() => handlers.focus(row.key)}
        onKeyDown={(e) => handlers.keyDown(e, row.key)}
        onClick={() => handlers.click(row)}
        onContextMenu={(e) => handlers.contextMenu(e, row)}
        onDoubleClick={() => handlers.toggle(row)}
        style={{ paddingLeft: 4 + (row.level - 1) * 16, transform: `translateY(${top}px)` }}
        className={
          // Placed by the virtualizer (translateY): only the rows on screen are rendered.
          "absolute inset-x-0 top-0 flex h-6 items-center gap-1.5 pr-2 whitespace-nowrap select-none " +
          "hover:bg-sunken focus-visible:-outline-offset-2 aria-selected:bg-accent-soft " +
          (dimmed ? "text-muted opacity-70" : "")
        }
      >
        {row.expandable ? (
          <span
            aria-hidden
            data-testid="tree-toggle"
            className="inline-flex size-4 shrink-0 items-center justify-center rounded text-faint hover:text-fg"
            onClick={(e) => {
              e.stopPropagation();
              handlers.toggleFromChevron(row);
            }}
          >
            <ChevronRight className={`size-3.5 transition-transform ${row.expanded ? "rotate-90" : ""}`} />
          </span>
        ) : (
          <span aria-hidden className="size-4 shrink-0" />
        )}
        <RowContent row={row} checking={checking} now={now} />
      </div>
    );
  },
  (a, b) =>
    a.top === b.top &&
    a.tabbable === b.tabbable &&
    a.selected === b.selected &&
    a.checking === b.checking &&
    a.handlers === b.handlers &&
    // The age text only shows on connection rows.
    (a.now === b.now || a.row.type !== "connection") &&
    sameRow(a.row, b.row),
);

const TYPEAHEAD_RESET_MS = 700;
/** A row's height (the rows' `h-6`) and the space above the first and below the last row. */
const ROW_HEIGHT = 24;
const TREE_PADDING = 4;
/**
 * The size assumed for a scroll box that reports none: jsdom lays nothing out, and a pane not
 * laid out yet should still render a screenful of rows rather than none.
 */
const UNMEASURED_RECT = { width: 320, height: 800 };

/** The scroll box's size, or `UNMEASURED_RECT` while it has none. */
const observeTreeRect: typeof observeElementRect = (instance, cb) =>
  observeElementRect(instance, (rect) => cb(rect.height > 0 ? rect : UNMEASURED_RECT));

/**
 * The rows on screen (with the overscan), plus `pinned`: the focused row stays in the DOM when
 * it is scrolled away, so the focus is not lost and the keyboard goes on from it.
 */
function pinnedRange(range: Range, pinned: number): number[] {
  const indexes = defaultRangeExtractor(range);
  if (pinned < 0 || pinned >= range.count) return indexes;
  const first = indexes[0];
  const last = indexes[indexes.length - 1];
  if (first === undefined || last === undefined) return [pinned];
  if (pinned < first) return [pinned, ...indexes];
  if (pinned > last) return [...indexes, pinned];
  return indexes;
}

export function ResourceTree({
  inventory,
  view = "servers",
  guestOrder = "vmid",
  className = "min-h-0 flex-1 overflow-auto",
}: {
  inventory: Pick<Inventory, "connections" | "resourcesByConnection">;
  view?: TreeView;
  guestOrder?: GuestOrder;
  /** Classes of the scroll box the tree renders (it must scroll: the rows are virtualized). */
  className?: string;
}) {
  const { connections, resourcesByConnection } = inventory;
  const navigate = useNavigate();
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  const shown = targetFromPath(pathname);
  const now = useNow();
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => new Set());
  const [activeKey, setActiveKey] = useState<string | null>(null);
  const typed = useRef({ text: "", at: 0 });
  const [handlers] = useState(createForwarder);
  const [menu, setMenu] = useState<ConnectionMenuTarget | null>(null);
  const [menuOpen, setMenuOpen] = useState(false);
  const [guestMenu, setGuestMenu] = useState<GuestMenuTarget | null>(null);
  const [guestMenuOpen, setGuestMenuOpen] = useState(false);
  const checking = new Set(
    useMutationState({
      filters: { mutationKey: CHECK_CONNECTION_KEY, status: "pending" },
      select: (mutation) => mutation.state.variables as string,
    }),
  );

  const [rowsOf] = useState(createRowsCache);
  const scroller = useRef<HTMLDivElement>(null);
  /** The row to focus as soon as it is rendered (keyboard moves to a row off screen). */
  const pendingFocus = useRef<string | null>(null);

  const rows = rowsOf(connections, (c) => resourcesByConnection.get(c.id) ?? null, collapsed, {
    view,
    guestOrder,
  });
  const indexByKey = useMemo(() => new Map(rows.map((r, i) => [r.key, i])), [rows]);
  const indexOf = (key: string) => indexByKey.get(key) ?? -1;
  // The one row in the tab order: the last focused one while it is visible, else the first.
  const activeIndex = activeKey === null ? -1 : indexOf(activeKey);
  const tabStopIndex = activeIndex >= 0 ? activeIndex : rows.length > 0 ? 0 : -1;
  const tabStop = rows[tabStopIndex]?.key ?? null;

  // Both stable while their inputs are: the virtualizer recomputes its layout when they change.
  const rangeExtractor = useCallback((range: Range) => pinnedRange(range, tabStopIndex), [tabStopIndex]);
  const getItemKey = useCallback((index: number) => rows[index]?.key ?? index, [rows]);
  // The virtualizer is read fresh on every render (it is not passed to memoized children).
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer: Virtualizer<HTMLDivElement, HTMLDivElement> = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey,
    overscan: 10,
    paddingStart: TREE_PADDING,
    paddingEnd: TREE_PADDING,
    scrollPaddingStart: TREE_PADDING,
    scrollPaddingEnd: TREE_PADDING,
    rangeExtractor,
    observeElementRect: observeTreeRect,
    initialRect: UNMEASURED_RECT,
  });

  // A row the keyboard moved to off screen is rendered now (it is pinned): focus it.
  useLayoutEffect(() => {
    const key = pendingFocus.current;
    if (key === null) return;
    const el = handlers.elements.get(key);
    if (el) {
      pendingFocus.current = null;
      el.focus({ preventScroll: true });
    } else if (!indexByKey.has(key)) {
      pendingFocus.current = null;
    }
  });

  const setExpanded = (key: string, expanded: boolean) => {
    setCollapsed((prev) => {
      if (prev.has(key) === !expanded) return prev;
      const next = new Set(prev);
      if (expanded) next.delete(key);
      else next.add(key);
      return next;
    });
  };

  const moveTo = (row: TreeRow | undefined) => {
    if (!row) return;
    setActiveKey(row.key);
    virtualizer.scrollToIndex(indexOf(row.key), { align: "auto" });
    const el = handlers.elements.get(row.key);
    if (el) {
      pendingFocus.current = null;
      el.focus({ preventScroll: true });
    } else {
      // Not rendered yet: the next render pins it, and the layout effect focuses it.
      pendingFocus.current = row.key;
    }
  };

  const open = (row: TreeRow) => {
    const target = openTargetOf(row);
    if (target) openTarget(navigate, target);
    else if (row.expandable) setExpanded(row.key, !row.expanded);
  };

  const openMenu = (row: TreeRow, at: { x: number; y: number } | null) => {
    if (row.type !== "connection" && row.type !== "guest") return;
    const el = handlers.elements.get(row.key) ?? null;
    const rect = el?.getBoundingClientRect();
    const position = at ?? { x: (rect?.left ?? 0) + 24, y: rect?.bottom ?? 0 };
    setActiveKey(row.key);
    if (row.type === "guest") {
      const r = row.resource;
      setGuestMenu({
        connection: row.connection,
        node: r.node,
        guest: {
          kind: r.kind === "lxc" ? "lxc" : "qemu",
          vmid: row.vmid,
          name: r.name ?? null,
          status: row.status,
          template: r.template,
          lock: r.lock ?? null,
        },
        ...position,
        returnFocus: el,
      });
      setMenuOpen(false);
      setGuestMenuOpen(true);
      return;
    }
    setMenu({ connection: row.connection, ...position, returnFocus: el });
    setGuestMenuOpen(false);
    setMenuOpen(true);
  };

  const typeahead = (key: string, index: number, at: number) => {
    const text = (at - typed.current.at > TYPEAHEAD_RESET_MS ? "" : typed.current.text) + key;
    typed.current = { text, at };
    const found = findTypeahead(rows, index, text);
    if (found >= 0) moveTo(rows[found]);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLElement>, index: number) => {
    const row = rows[index];
    if (!row || e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === "ContextMenu" || (e.shiftKey && e.key === "F10")) {
      if (row.type !== "connection" && row.type !== "guest") return;
      e.preventDefault();
      e.stopPropagation();
      openMenu(row, null);
      return;
    }
    switch (e.key) {
      case "ArrowDown":
        moveTo(rows[index + 1]);
        break;
      case "ArrowUp":
        moveTo(rows[index - 1]);
        break;
      case "Home":
        moveTo(rows[0]);
        break;
      case "End":
        moveTo(rows[rows.length - 1]);
        break;
      case "PageDown":
      case "PageUp": {
        const page = Math.max(1, Math.floor((virtualizer.scrollRect?.height ?? 0) / ROW_HEIGHT) - 1);
        const to = e.key === "PageDown" ? Math.min(index + page, rows.length - 1) : Math.max(index - page, 0);
        moveTo(rows[to]);
        break;
      }
      case "ArrowRight":
        if (row.expandable && !row.expanded) setExpanded(row.key, true);
        else if (row.expanded && rows[index + 1]?.parentKey === row.key) moveTo(rows[index + 1]);
        break;
      case "ArrowLeft":
        if (row.expanded) setExpanded(row.key, false);
        else if (row.parentKey) moveTo(rows[indexOf(row.parentKey)]);
        break;
      case "Enter":
      case " ":
        open(row);
        break;
      default:
        if (e.key.length === 1 && e.key.trim() !== "") {
          typeahead(e.key, index, e.timeStamp);
          break;
        }
        return;
    }
    e.preventDefault();
    e.stopPropagation();
  };

  const latest: ItemHandlers = {
    register: handlers.register,
    focus: (key) => setActiveKey(key),
    keyDown: (e, key) => onKeyDown(e, indexOf(key)),
    click: (row) => {
      setActiveKey(row.key);
      const target = openTargetOf(row);
      if (target) openTarget(navigate, target);
    },
    contextMenu: (e, row) => {
      if (row.type !== "connection" && row.type !== "guest") return;
      e.preventDefault();
      handlers.elements.get(row.key)?.focus();
      openMenu(row, { x: e.clientX, y: e.clientY });
    },
    toggle: (row) => {
      if (row.expandable) setExpanded(row.key, !row.expanded);
    },
    toggleFromChevron: (row) => {
      setActiveKey(row.key);
      handlers.elements.get(row.key)?.focus();
      setExpanded(row.key, !row.expanded);
    },
  };
  // The rows call the latest handlers through this ref, so an unchanged row need not re-render.
  useLayoutEffect(() => {
    handlers.set(latest);
  });

  const label = view === "servers" ? "Servers" : view === "pools" ? "Pools" : "Tags";
  return (
    <>
      <div ref={scroller} data-testid="resource-tree-scroller" className={className}>
        <div
          role="tree"
          aria-label={label}
          data-testid="resource-tree"
          data-view={view}
          data-rows={rows.length}
          className="relative"
          style={{ height: virtualizer.getTotalSize() }}
        >
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            return (
              <TreeItem
                key={row.key}
                row={row}
                top={item.start}
                tabbable={row.key === tabStop}
                selected={isShown(row, shown)}
                checking={row.type === "connection" && checking.has(row.connection.id)}
                now={now}
                handlers={handlers}
              />
            );
          })}
        </div>
      </div>
      <ConnectionMenu
        target={
          // The latest state of the connection, not the one from when the menu opened.
          menu && { ...menu, connection: connections.find((c) => c.id === menu.connection.id) ?? menu.connection }
        }
        open={menuOpen}
        onClose={() => setMenuOpen(false)}
      />
      <GuestMenu target={guestMenu} open={guestMenuOpen} onClose={() => setGuestMenuOpen(false)} />
    </>
  );
}
