// Recent tasks of all clusters. Tasks arrive with connections; for now it teaches the columns.
import { ChevronDown, ChevronUp, ListChecks } from "lucide-react";
import { useId } from "react";

const COLUMNS = ["Start time", "Cluster", "Node", "User", "Description", "Status"] as const;

export function TaskBar({ expanded, onToggle }: { expanded: boolean; onToggle: () => void }) {
  const bodyId = useId();
  return (
    <section
      data-testid="task-bar"
      aria-label="Tasks"
      className="flex h-full min-h-0 flex-col border-t border-line bg-surface"
    >
      <div className="flex h-8 shrink-0 items-center gap-2 border-b border-line bg-raised px-2">
        <button
          type="button"
          onClick={onToggle}
          aria-expanded={expanded}
          aria-controls={bodyId}
          className="inline-flex h-6 items-center gap-1.5 rounded px-1.5 text-sm font-semibold hover:bg-sunken"
        >
          <ListChecks aria-hidden className="size-3.5 text-muted" />
          Tasks
          {expanded ? (
            <ChevronDown aria-hidden className="size-3.5 text-muted" />
          ) : (
            <ChevronUp aria-hidden className="size-3.5 text-muted" />
          )}
        </button>
        <span className="text-sm text-muted">0 running</span>
      </div>
      {expanded ? (
        <div id={bodyId} className="min-h-0 flex-1 overflow-auto">
          <table className="w-full table-fixed border-collapse text-sm">
            <colgroup>
              <col className="w-40" />
              <col className="w-32" />
              <col className="w-24" />
              <col className="w-32" />
              <col />
              <col className="w-28" />
            </colgroup>
            <thead className="sticky top-0 bg-surface text-left text-muted">
              <tr>
                {COLUMNS.map((c) => (
                  <th key={c} scope="col" className="border-b border-line px-2.5 py-1 font-medium">
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              <tr>
                <td colSpan={COLUMNS.length} className="px-2.5 py-4 text-center text-muted">
                  No tasks yet. Starting, migrating or backing up a guest shows its progress here.
                </td>
              </tr>
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
