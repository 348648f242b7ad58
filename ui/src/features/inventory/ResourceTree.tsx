// The server view of the resource tree (connection > node > guest), as an ARIA tree with a
// roving tab stop: Tab enters and leaves it, the arrow keys move inside it.
import { useMutationState, useQueries } from "@tanstack/react-query";
import {
  ChevronRight,
  Container,
  DatabaseBackup,
  FileBox,
  LoaderCircle,
  Lock,
  Monitor,
  Network,
  Server,
  TriangleAlert,
  type LucideIcon,
} from "lucide-react";
import { useRef, useState, type KeyboardEvent } from "react";
import { toAppError, type Connection } from "@/backend";
import { ConnectionMenu, type ConnectionMenuTarget } from "@/features/connections/ConnectionMenu";
import { healthText } from "@/features/connections/health";
import { HealthDot } from "@/features/connections/HealthDot";
import { CHECK_CONNECTION_KEY, resourcesQuery } from "@/features/connections/queries";
import { buildRows, guestLabel, type ResourcesState, type TreeRow } from "./treeModel";

type Tone = "running" | "stopped" | "warning" | "error";

const TONE_CLASS: Record<Tone, string> = {
  running: "bg-running",
  stopped: "bg-stopped",
  warning: "bg-warning",
  error: "bg-error",
};

function guestTone(status: string): Tone {
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
function connectionText(row: Extract<TreeRow, { type: "connection" }>): string {
  const parts = [healthText(row.connection.health)];
  const resources = row.resources;
  if (resources?.state === "loading") parts.push("Loading the inventory…");
  if (resources?.state === "error") parts.push(`Inventory not loaded: ${toAppError(resources.error).message}`);
  if (resources?.state === "ok" && resources.refreshError !== null) {
    parts.push(`Not refreshed: ${toAppError(resources.refreshError).message}`);
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

function RowContent({ row, checking }: { row: TreeRow; checking: boolean }) {
  switch (row.type) {
    case "connection": {
      const { connection } = row;
      const Icon = connection.kind === "pbs" ? DatabaseBackup : Network;
      const resources = row.resources;
      const problem = resources?.state === "error" || (resources?.state === "ok" && resources.refreshError !== null);
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
          <span className={`min-w-0 truncate font-medium ${connection.enabled ? "" : "text-muted"}`}>
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
          {problem ? <TriangleAlert aria-hidden className="size-3 shrink-0 text-warning" /> : null}
          {row.resources?.state === "loading" || checking ? (
            <LoaderCircle aria-hidden className="size-3 shrink-0 animate-spin text-faint" />
          ) : null}
          <span className="sr-only">, {connectionText(row)}</span>
        </>
      );
    }
    case "node":
      return (
        <>
          <IconWithDot icon={Server} tone={nodeTone(row.status)} className="text-muted" />
          <span className="min-w-0 truncate">{row.node}</span>
          <span className="sr-only">, {row.status}</span>
        </>
      );
    case "guest": {
      const { resource } = row;
      const template = resource.template;
      const icon = template ? FileBox : resource.kind === "lxc" ? Container : Monitor;
      return (
        <>
          <IconWithDot icon={icon} tone={template ? null : guestTone(row.status)} className="text-muted" />
          <span className="min-w-0 truncate">{guestLabel(resource)}</span>
          {resource.lock ? (
            <span title={`Locked (${resource.lock})`} className="inline-flex shrink-0" data-testid="guest-lock">
              <Lock aria-hidden className="size-3 text-warning" />
            </span>
          ) : null}
          <span className="sr-only">
            , {template ? "template" : row.status}
            {resource.lock ? `, locked (${resource.lock})` : ""}
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
    case "guest":
      return `tree-guest-${row.connection.name}-${row.vmid}`;
  }
}

function statusOf(row: TreeRow): string | undefined {
  return row.type === "connection" ? undefined : row.status;
}

export function ResourceTree({
  connections,
  onSelect,
}: {
  connections: Connection[];
  /** Hook point for the detail pages: called when a row is chosen (click, Enter, Space). */
  onSelect?: (row: TreeRow) => void;
}) {
  // A disabled connection is not queried: it shows greyed, without children.
  const clusters = connections.filter((c) => c.kind === "pve" && c.enabled);
  const results = useQueries({ queries: clusters.map((c) => resourcesQuery(c.id)) });
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => new Set());
  const [activeKey, setActiveKey] = useState<string | null>(null);
  const [selectedKey, setSelectedKey] = useState<string | null>(null);
  const items = useRef(new Map<string, HTMLElement>());
  const [menu, setMenu] = useState<ConnectionMenuTarget | null>(null);
  const [menuOpen, setMenuOpen] = useState(false);
  const checking = new Set(
    useMutationState({
      filters: { mutationKey: CHECK_CONNECTION_KEY, status: "pending" },
      select: (mutation) => mutation.state.variables as string,
    }),
  );

  const stateById = new Map<string, ResourcesState>();
  clusters.forEach((c, i) => {
    const q = results[i];
    if (!q) return;
    if (q.data !== undefined) {
      stateById.set(c.id, { state: "ok", resources: q.data, refreshError: q.isError ? q.error : null });
    } else if (q.isError) {
      stateById.set(c.id, { state: "error", error: q.error });
    } else {
      stateById.set(c.id, { state: "loading" });
    }
  });
  const rows = buildRows(connections, (c) => stateById.get(c.id) ?? null, collapsed);
  // The one row in the tab order: the last focused one while it is visible, else the first.
  const tabStop = rows.some((r) => r.key === activeKey) ? activeKey : (rows[0]?.key ?? null);

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
    items.current.get(row.key)?.focus();
  };

  const select = (row: TreeRow) => {
    setSelectedKey(row.key);
    onSelect?.(row);
  };

  const openMenu = (row: TreeRow, at: { x: number; y: number } | null) => {
    if (row.type !== "connection") return;
    const el = items.current.get(row.key) ?? null;
    const rect = el?.getBoundingClientRect();
    const position = at ?? { x: (rect?.left ?? 0) + 24, y: rect?.bottom ?? 0 };
    setActiveKey(row.key);
    setMenu({ connection: row.connection, ...position, returnFocus: el });
    setMenuOpen(true);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLElement>, index: number) => {
    const row = rows[index];
    if (!row || e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === "ContextMenu" || (e.shiftKey && e.key === "F10")) {
      if (row.type !== "connection") return;
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
      case "ArrowRight":
        if (row.expandable && !row.expanded) setExpanded(row.key, true);
        else if (row.expanded && rows[index + 1]?.parentKey === row.key) moveTo(rows[index + 1]);
        break;
      case "ArrowLeft":
        if (row.expanded) setExpanded(row.key, false);
        else if (row.parentKey) moveTo(rows.find((r) => r.key === row.parentKey));
        break;
      case "Enter":
      case " ":
        select(row);
        break;
      default:
        return;
    }
    e.preventDefault();
    e.stopPropagation();
  };

  return (
    <>
      <div role="tree" aria-label="Servers" data-testid="resource-tree" className="py-1">
        {rows.map((row, index) => (
          <div
            key={row.key}
            ref={(el) => {
              if (el) items.current.set(row.key, el);
              else items.current.delete(row.key);
            }}
            role="treeitem"
            tabIndex={row.key === tabStop ? 0 : -1}
            aria-level={row.level}
            aria-setsize={row.setsize}
            aria-posinset={row.posinset}
            aria-expanded={row.expandable ? row.expanded : undefined}
            aria-selected={row.key === selectedKey}
            aria-busy={row.type === "connection" && row.resources?.state === "loading" ? true : undefined}
            data-testid={testIdOf(row)}
            data-status={statusOf(row)}
            data-enabled={row.type === "connection" ? row.connection.enabled : undefined}
            aria-haspopup={row.type === "connection" ? "menu" : undefined}
            title={row.type === "connection" ? connectionText(row) : undefined}
            onFocus={() => setActiveKey(row.key)}
            onKeyDown={(e) => onKeyDown(e, index)}
            onClick={() => select(row)}
            onContextMenu={(e) => {
              if (row.type !== "connection") return;
              e.preventDefault();
              items.current.get(row.key)?.focus();
              select(row);
              openMenu(row, { x: e.clientX, y: e.clientY });
            }}
            onDoubleClick={() => {
              if (row.expandable) setExpanded(row.key, !row.expanded);
            }}
            style={{ paddingLeft: 4 + (row.level - 1) * 16 }}
            className={
              "flex h-6 items-center gap-1.5 pr-2 whitespace-nowrap select-none hover:bg-sunken " +
              "focus-visible:-outline-offset-2 aria-selected:bg-accent-soft"
            }
          >
            {row.expandable ? (
              <span
                aria-hidden
                data-testid="tree-toggle"
                className="inline-flex size-4 shrink-0 items-center justify-center rounded text-faint hover:text-fg"
                onClick={(e) => {
                  e.stopPropagation();
                  setActiveKey(row.key);
                  items.current.get(row.key)?.focus();
                  setExpanded(row.key, !row.expanded);
                }}
              >
                <ChevronRight className={`size-3.5 transition-transform ${row.expanded ? "rotate-90" : ""}`} />
              </span>
            ) : (
              <span aria-hidden className="size-4 shrink-0" />
            )}
            <RowContent row={row} checking={row.type === "connection" && checking.has(row.connection.id)} />
          </div>
        ))}
      </div>
      <ConnectionMenu
        target={
          // The latest state of the connection, not the one from when the menu opened.
          menu && { ...menu, connection: connections.find((c) => c.id === menu.connection.id) ?? menu.connection }
        }
        open={menuOpen}
        onClose={() => setMenuOpen(false)}
      />
    </>
  );
}
