// The frame that is always there: top bar, tree | main pane, task bar.
import { Outlet } from "@tanstack/react-router";
import { Profiler, useState, type ReactNode } from "react";
import { ConnectionDialogsProvider } from "@/features/connections/ConnectionDialogs";
import { useConnectionEvents } from "@/features/connections/queries";
import { TreePane } from "@/features/inventory/TreePane";
import { TaskBar } from "@/features/tasks/TaskBar";
import { Splitter } from "@/ui/Splitter";
import { PROFILER_EFFECT_HOOKS, PROFILING, recordRender } from "./perfMarks";
import { TopBar } from "./TopBar";

const COLLAPSED_TASK_BAR = 33;

/** Times an area's renders in profiling builds (the window bench's attribution); nothing otherwise. */
function Profiled({ id, children }: { id: string; children: ReactNode }) {
  return PROFILING ? (
    <Profiler id={id} onRender={recordRender} {...(PROFILER_EFFECT_HOOKS as unknown as Record<string, never>)}>
      {children}
    </Profiler>
  ) : (
    children
  );
}

export function AppFrame() {
  const [treeWidth, setTreeWidth] = useState(280);
  const [taskBarHeight, setTaskBarHeight] = useState(168);
  const [tasksExpanded, setTasksExpanded] = useState(true);
  useConnectionEvents();

  return (
    <ConnectionDialogsProvider>
      <div className="flex h-full flex-col bg-app text-fg">
        <Profiled id="top bar">
          <TopBar />
        </Profiled>
        <div className="flex min-h-0 flex-1">
          <aside
            data-testid="tree-pane"
            aria-label="Resource tree"
            className="shrink-0 overflow-hidden border-r border-line bg-surface"
            style={{ width: treeWidth }}
          >
            <Profiled id="tree">
              <TreePane />
            </Profiled>
          </aside>
          <Splitter
            orientation="vertical"
            label="Resize resource tree"
            value={treeWidth}
            min={200}
            max={560}
            onChange={setTreeWidth}
          />
          <main data-testid="main-pane" className="flex min-w-0 flex-1 flex-col">
            <Profiled id="main pane">
              <Outlet />
            </Profiled>
          </main>
        </div>
        {tasksExpanded ? (
          <Splitter
            orientation="horizontal"
            label="Resize task bar"
            value={taskBarHeight}
            min={96}
            max={480}
            invert
            onChange={setTaskBarHeight}
          />
        ) : null}
        <div className="shrink-0" style={{ height: tasksExpanded ? taskBarHeight : COLLAPSED_TASK_BAR }}>
          <Profiled id="task bar">
            <TaskBar expanded={tasksExpanded} onToggle={() => setTasksExpanded((v) => !v)} />
          </Profiled>
        </div>
      </div>
    </ConnectionDialogsProvider>
  );
}
