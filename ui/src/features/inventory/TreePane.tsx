// The left pane: the view switch and the resource tree, or the first-run empty state
// while there are no connections.
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { FlaskConical, LoaderCircle, Network, Table2, X } from "lucide-react";
import { useId, useState } from "react";
import type { Settings } from "@/backend";
import { settingsQuery } from "@/features/admin/queries";
import { FirstRunActions } from "@/features/connections/FirstRunActions";
import { useCloseDemo } from "@/features/connections/queries";
import { buttonClass } from "@/ui/button";
import { ErrorNotice } from "@/ui/ErrorNotice";
import { ResourceTree } from "./ResourceTree";
import type { GuestOrder, TreeView } from "./treeModel";
import { useInventory } from "./useInventory";

const VIEWS = [
  { value: "servers", label: "Servers" },
  { value: "pools", label: "Pools" },
  { value: "tags", label: "Tags" },
] as const satisfies readonly { value: TreeView; label: string }[];

/** The guest order setting ("vmid" or "name"); vmid while the settings do not have it. */
export function guestOrderOf(settings: Settings | undefined): GuestOrder {
  const value = (settings as { guestOrder?: unknown } | undefined)?.guestOrder;
  return value === "name" ? "name" : "vmid";
}

/** "All guests": the table of every guest in every cluster. */
function AllGuestsLink() {
  return (
    <Link
      to="/guests"
      data-testid="tree-all-guests"
      className="flex h-7 shrink-0 items-center gap-1.5 border-b border-line px-2.5 text-sm text-fg hover:bg-sunken [&.active]:bg-accent-soft [&.active]:text-accent"
    >
      <Table2 aria-hidden className="size-3.5 text-muted" />
      All guests
    </Link>
  );
}

function EmptyState() {
  return (
    <div className="flex flex-1 flex-col items-center overflow-auto px-3 pt-10 text-center">
      <Network aria-hidden className="mb-3 size-8 text-faint" strokeWidth={1.5} />
      <p className="font-medium">No connections yet</p>
      <p className="mt-1 mb-4 max-w-60 text-sm text-muted">
        Add a Proxmox VE cluster or Backup Server, or look around in the demo datacenter.
      </p>
      <FirstRunActions testIdPrefix="empty" size="compact" />
    </div>
  );
}

/** Says the demo connections are simulated, and closes them. */
function DemoBar() {
  const closeDemo = useCloseDemo();
  return (
    <div className="shrink-0 border-b border-line bg-raised">
      <div className="flex h-7 items-center gap-1.5 pr-1 pl-2.5 text-sm text-muted">
        <FlaskConical aria-hidden className="size-3.5 shrink-0" />
        <span className="min-w-0 flex-1 truncate">Demo datacenter (simulated)</span>
        <button
          type="button"
          data-testid="demo-close"
          title="Close the demo datacenter"
          aria-label="Close the demo datacenter"
          disabled={closeDemo.isPending}
          aria-busy={closeDemo.isPending}
          onClick={() => closeDemo.mutate()}
          className={buttonClass("ghost", "h-5 shrink-0 px-1.5 text-xs")}
        >
          {closeDemo.isPending ? (
            <LoaderCircle aria-hidden className="size-3 animate-spin" />
          ) : (
            <X aria-hidden className="size-3" />
          )}
          Close demo
        </button>
      </div>
      {closeDemo.isError ? (
        <div className="px-2 pb-2">
          <ErrorNotice error={closeDemo.error} title="Could not close the demo datacenter" />
        </div>
      ) : null}
    </div>
  );
}

export function TreePane() {
  const [view, setView] = useState<TreeView>("servers");
  const selectId = useId();
  const inventory = useInventory();
  const settings = useQuery(settingsQuery);
  const guestOrder = guestOrderOf(settings.data);

  let body;
  if (inventory.pending) {
    body = <p className="px-3 py-2 text-sm text-muted">Loading connections…</p>;
  } else if (inventory.error) {
    body = (
      <div className="p-2">
        <ErrorNotice error={inventory.error} title="Could not load the connections" />
      </div>
    );
  } else if (inventory.connections.length === 0) {
    body = <EmptyState />;
  } else {
    body = (
      <>
        {inventory.connections.some((c) => c.demo) ? <DemoBar /> : null}
        <AllGuestsLink />
        <ResourceTree inventory={inventory} view={view} guestOrder={guestOrder} />
      </>
    );
  }

  return (
    <div className="flex h-full flex-col">
      <div className="flex h-9 shrink-0 items-center gap-2 border-b border-line px-2.5">
        <label htmlFor={selectId} className="text-sm text-muted">
          View:
        </label>
        <select
          id={selectId}
          value={view}
          onChange={(e) => setView(e.target.value as TreeView)}
          className="h-6 flex-1 rounded border border-line-strong bg-surface px-1.5 text-sm text-fg"
        >
          {VIEWS.map((v) => (
            <option key={v.value} value={v.value}>
              {v.label}
            </option>
          ))}
        </select>
      </div>
      {body}
    </div>
  );
}
