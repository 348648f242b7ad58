// The resource tree. No connections exist yet, so it shows the first-run empty state.
import { Network } from "lucide-react";
import { useId, useState } from "react";
import { FirstRunActions } from "@/features/connections/FirstRunActions";

const VIEWS = [
  { value: "servers", label: "Servers" },
  { value: "pools", label: "Pools" },
  { value: "tags", label: "Tags" },
] as const;

type TreeView = (typeof VIEWS)[number]["value"];

export function TreePane() {
  const [view, setView] = useState<TreeView>("servers");
  const selectId = useId();
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
      <div className="flex flex-1 flex-col items-center overflow-auto px-3 pt-10 text-center">
        <Network aria-hidden className="mb-3 size-8 text-faint" strokeWidth={1.5} />
        <p className="font-medium">No connections yet</p>
        <p className="mt-1 mb-4 max-w-60 text-sm text-muted">
          Add a Proxmox VE cluster or Backup Server, or look around in the demo datacenter.
        </p>
        <FirstRunActions testIdPrefix="empty" size="compact" />
      </div>
    </div>
  );
}
