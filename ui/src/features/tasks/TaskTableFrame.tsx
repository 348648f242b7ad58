// The task table's columns, shared by the empty bar (shown at once) and the loaded table.
import type { ReactNode, Ref } from "react";

export const COLUMNS = ["Start time", "Cluster", "Node", "User", "Description", "Status"] as const;

export function TaskTableFrame({
  id,
  children,
  scrollRef,
}: {
  id: string;
  children: ReactNode;
  /** The scrolling element, for the table's virtualizer. */
  scrollRef?: Ref<HTMLDivElement>;
}) {
  return (
    <div id={id} ref={scrollRef} data-testid="task-table" className="min-h-0 flex-1 overflow-auto">
      <table className="w-full table-fixed border-collapse text-sm tabular-nums">
        <colgroup>
          <col className="w-40" />
          <col className="w-32" />
          <col className="w-24" />
          <col className="w-32" />
          <col />
          <col className="w-40" />
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
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** The bar before the first task. */
export function NoTasks({ id }: { id: string }) {
  return (
    <TaskTableFrame id={id}>
      <tr>
        <td colSpan={COLUMNS.length} className="px-2.5 py-4 text-center text-muted">
          No tasks yet. Starting, migrating or backing up a guest shows its progress here.
        </td>
      </tr>
    </TaskTableFrame>
  );
}
