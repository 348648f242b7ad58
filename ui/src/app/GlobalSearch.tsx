// One search box for everything across all clusters. Ctrl+K (Cmd+K) focuses it.
// There is nothing to search before the first connection, and it says so.
import { Search } from "lucide-react";
import { useEffect, useId, useRef, useState } from "react";

export function GlobalSearch() {
  const input = useRef<HTMLInputElement>(null);
  const [query, setQuery] = useState("");
  const [open, setOpen] = useState(false);
  const panelId = useId();

  useEffect(() => {
    const onKeyDown = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === "k") {
        e.preventDefault();
        input.current?.focus();
        input.current?.select();
      }
    };
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, []);

  const trimmed = query.trim();
  return (
    <div className="relative w-full max-w-xl">
      <Search aria-hidden className="pointer-events-none absolute top-1/2 left-2.5 size-3.5 -translate-y-1/2 text-faint" />
      <input
        ref={input}
        type="search"
        data-testid="global-search"
        aria-label="Search guests, nodes, storages and tasks"
        aria-describedby={open ? panelId : undefined}
        placeholder="Search guests, nodes, storages, tasks…"
        autoComplete="off"
        spellCheck={false}
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={(e) => {
          if (e.key !== "Escape") return;
          if (query) setQuery("");
          else e.currentTarget.blur();
        }}
        className="h-7 w-full rounded border border-line-strong bg-surface pr-14 pl-8 text-sm text-fg placeholder:text-faint focus:border-accent focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-accent/35"
      />
      <kbd className="pointer-events-none absolute top-1/2 right-2 -translate-y-1/2 rounded border border-line bg-raised px-1 font-sans text-2xs text-muted">
        Ctrl K
      </kbd>
      {open ? (
        <div
          id={panelId}
          role="status"
          className="absolute top-full right-0 left-0 z-40 mt-1 rounded-md border border-line-strong bg-surface px-3 py-3 shadow-xl"
        >
          <p className="font-medium">{trimmed ? `Nothing found for “${trimmed}”` : "No connections yet"}</p>
          <p className="mt-0.5 text-sm text-muted">
            {trimmed
              ? "No connections yet, so there is nothing to search."
              : "Once you add a connection, this finds guests, nodes, storages and tasks in all your clusters."}
          </p>
        </div>
      ) : null}
    </div>
  );
}
