// One search box for everything across all clusters: guests (by VMID, name or tag), nodes and
// storages. Ctrl+K (Cmd+K) focuses it; the arrow keys pick a result, Enter opens it, Esc closes.
import { useNavigate } from "@tanstack/react-router";
import { Container, Database, FileBox, Monitor, Search, Server } from "lucide-react";
import { useEffect, useId, useMemo, useRef, useState } from "react";
import { openTarget } from "@/features/inventory/open";
import { search, searchItems, searchResultTestId, type SearchItem } from "@/features/inventory/search";
import { useInventory } from "@/features/inventory/useInventory";

const TONE_DOT: Record<string, string> = {
  running: "bg-running",
  online: "bg-running",
  available: "bg-running",
  stopped: "bg-stopped",
  offline: "bg-stopped",
};

const ICON_CLASS = "size-3.5 text-muted";

function KindIcon({ item }: { item: SearchItem }) {
  if (item.kind === "node") return <Server aria-hidden className={ICON_CLASS} />;
  if (item.kind === "storage") return <Database aria-hidden className={ICON_CLASS} />;
  if (item.template) return <FileBox aria-hidden className={ICON_CLASS} />;
  if (item.guestType === "lxc") return <Container aria-hidden className={ICON_CLASS} />;
  return <Monitor aria-hidden className={ICON_CLASS} />;
}

function detailOf(item: SearchItem): string {
  const kind = item.kind === "guest" ? (item.guestType === "lxc" ? "CT" : "VM") : item.kind;
  const parts = [kind, item.connectionName];
  if (item.kind !== "node") parts.push(item.node);
  return parts.join(" · ");
}

function ResultRow({ item, id, active }: { item: SearchItem; id: string; active: boolean }) {
  const tone = item.template ? null : (TONE_DOT[item.status] ?? "bg-warning");
  return (
    <div
      id={id}
      role="option"
      aria-selected={active}
      data-testid={searchResultTestId(item)}
      className={`flex h-7 items-center gap-2 rounded px-2 aria-selected:bg-accent-soft ${item.stale ? "text-muted" : ""}`}
    >
      <span className="relative inline-flex shrink-0">
        <KindIcon item={item} />
        {tone && !item.stale ? (
          <span
            aria-hidden
            className={`absolute -right-0.5 -bottom-0.5 size-[7px] rounded-full ring-[1.5px] ring-surface ${tone}`}
          />
        ) : null}
      </span>
      <span className="min-w-0 truncate">{item.label}</span>
      {item.tags.length > 0 ? (
        <span className="flex min-w-0 shrink gap-1 overflow-hidden">
          {item.tags.map((tag) => (
            <span key={tag} className="shrink-0 rounded bg-sunken px-1 text-2xs leading-4 text-muted">
              {tag}
            </span>
          ))}
        </span>
      ) : null}
      <span className="ml-auto shrink-0 pl-2 text-xs text-muted">
        {detailOf(item)}
        {item.stale ? " · stale" : ""}
      </span>
    </div>
  );
}

export function GlobalSearch() {
  const input = useRef<HTMLInputElement>(null);
  const navigate = useNavigate();
  const { connections, resourcesByConnection } = useInventory();
  const [query, setQuery] = useState("");
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const panelId = useId();

  useEffect(() => {
    const onKeyDown = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === "k") {
        e.preventDefault();
        if (document.activeElement !== input.current) {
          input.current?.focus();
          input.current?.select();
        }
        setOpen(true);
      }
    };
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, []);

  const items = searchItems(connections, resourcesByConnection);
  const trimmed = query.trim();
  const result = useMemo(() => search(items, trimmed), [items, trimmed]);
  const hits = result.items;
  const activeIndex = Math.min(active, Math.max(hits.length - 1, 0));
  const activeItem = hits[activeIndex];
  const showList = open && trimmed !== "" && hits.length > 0;
  const optionId = (i: number) => `${panelId}-option-${i}`;

  const choose = (item: SearchItem) => {
    openTarget(navigate, item.target);
    setOpen(false);
    setQuery("");
    input.current?.blur();
  };

  let panel = null;
  if (open && !showList) {
    const nothingYet = connections.length === 0;
    panel = (
      <div
        id={panelId}
        role="status"
        className="absolute top-full right-0 left-0 z-40 mt-1 rounded-md border border-line-strong bg-surface px-3 py-3 shadow-xl"
      >
        {trimmed ? (
          <>
            <p className="font-medium">Nothing found for “{trimmed}”</p>
            <p className="mt-0.5 text-sm text-muted">
              {nothingYet
                ? "No connections yet, so there is nothing to search."
                : "Search by VMID, guest name, tag, node or storage name, in all clusters."}
            </p>
          </>
        ) : (
          <>
            <p className="font-medium">{nothingYet ? "No connections yet" : "Search all clusters"}</p>
            <p className="mt-0.5 text-sm text-muted">
              {nothingYet
                ? "Once you add a connection, this finds guests, nodes, storages and tasks in all your clusters."
                : "Type a VMID, a guest name or tag, a node or a storage; ↑ ↓ to pick, Enter to open."}
            </p>
          </>
        )}
      </div>
    );
  } else if (showList) {
    panel = (
      <div className="absolute top-full right-0 left-0 z-40 mt-1 rounded-md border border-line-strong bg-surface p-1 shadow-xl">
        <div
          id={panelId}
          role="listbox"
          aria-label="Search results"
          data-testid="search-results"
          className="max-h-96 overflow-auto"
        >
          {hits.map((item, i) => (
            <div
              key={`${item.kind}/${item.connectionId}/${item.id}`}
              onMouseDown={(e) => e.preventDefault()}
              onMouseMove={() => setActive(i)}
              onClick={() => choose(item)}
            >
              <ResultRow item={item} id={optionId(i)} active={i === activeIndex} />
            </div>
          ))}
        </div>
        {result.total > hits.length ? (
          <p className="border-t border-line px-2 pt-1 pb-0.5 text-xs text-muted">
            {result.total - hits.length} more — type more to narrow it down
          </p>
        ) : null}
      </div>
    );
  }

  return (
    <div className="relative w-full max-w-xl">
      <Search aria-hidden className="pointer-events-none absolute top-1/2 left-2.5 size-3.5 -translate-y-1/2 text-faint" />
      <input
        ref={input}
        type="search"
        role="combobox"
        data-testid="global-search"
        aria-label="Search guests, nodes, storages and tasks"
        aria-expanded={showList}
        aria-controls={showList ? panelId : undefined}
        aria-autocomplete="list"
        aria-activedescendant={showList && activeItem ? optionId(activeIndex) : undefined}
        aria-describedby={open && !showList ? panelId : undefined}
        placeholder="Search guests, nodes, storages, tasks…"
        autoComplete="off"
        spellCheck={false}
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={(e) => {
          switch (e.key) {
            case "ArrowDown":
              if (!open) setOpen(true);
              else if (hits.length > 0) setActive((activeIndex + 1) % hits.length);
              break;
            case "ArrowUp":
              if (hits.length > 0) setActive((activeIndex - 1 + hits.length) % hits.length);
              break;
            case "Enter":
              if (showList && activeItem) choose(activeItem);
              break;
            case "Escape":
              if (query) {
                setQuery("");
                setOpen(false);
              } else if (open) setOpen(false);
              else e.currentTarget.blur();
              break;
            default:
              return;
          }
          e.preventDefault();
        }}
        className="h-7 w-full rounded border border-line-strong bg-surface pr-14 pl-8 text-sm text-fg placeholder:text-faint focus:border-accent focus-visible:ring-2 focus-visible:ring-accent/35 focus-visible:outline-none"
      />
      <kbd className="pointer-events-none absolute top-1/2 right-2 -translate-y-1/2 rounded border border-line bg-raised px-1 font-sans text-2xs text-muted">
        Ctrl K
      </kbd>
      {panel}
    </div>
  );
}
