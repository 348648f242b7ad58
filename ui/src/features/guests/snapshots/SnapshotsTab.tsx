// The guest's Snapshots tab, like PVE's: the snapshot tree (each under its parent, "NOW" where
// the guest is), and Take Snapshot, Rollback and Remove. A started task shows in the task bar;
// when it ends the list is read again.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Camera, History, MemoryStick, Trash2 } from "lucide-react";
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { onTasksUpdated, type TrackedTask } from "@/backend";
import { useGuestActionGate } from "@/features/permissions/gate";
import { buttonClass } from "@/ui/button";
import { ErrorNotice } from "@/ui/ErrorNotice";
import { DisabledReason } from "@/ui/Tooltip";
import type { GuestTabProps } from "../tabs";
import { snapshotsKey, snapshotsQuery } from "./queries";
import { RemoveSnapshotDialog, RollbackDialog, TakeSnapshotDialog } from "./SnapshotDialogs";
import { formatSnaptime, snapshotTree } from "./tree";

type Asking = "take" | "rollback" | "remove" | null;

const GRID = "minmax(12rem, 1.2fr) 10.5rem 3.5rem minmax(10rem, 2fr)";

export function SnapshotsTab({ guest, name, status, template, blockedReason }: GuestTabProps) {
  const queryClient = useQueryClient();
  const list = useQuery(snapshotsQuery(guest));
  const gate = useGuestActionGate(guest.connectionId, guest.vmid);
  const rows = useMemo(() => snapshotTree(list.data ?? []), [list.data]);
  const [selected, setSelected] = useState<string | null>(null);
  const [asking, setAsking] = useState<Asking>(null);
  // Tasks this tab started that are still running, and the last one that ended.
  const [running, setRunning] = useState<TrackedTask[]>([]);
  const [ended, setEnded] = useState<TrackedTask | null>(null);
  const following = useRef(new Set<string>());
  const scroller = useRef<HTMLDivElement>(null);

  const { connectionId, vmid } = guest;
  const refetch = useCallback(
    () => void queryClient.invalidateQueries({ queryKey: snapshotsKey(connectionId, vmid) }),
    [queryClient, connectionId, vmid],
  );

  useEffect(
    () =>
      onTasksUpdated((tasks) => {
        const done = tasks.filter((task) => !task.running && following.current.has(task.upid));
        if (done.length === 0) return;
        for (const task of done) following.current.delete(task.upid);
        setRunning((prev) => prev.filter((t) => !done.some((d) => d.upid === t.upid)));
        setEnded(done.at(-1) ?? null);
        refetch();
      }),
    [refetch],
  );

  const onStarted = (task: TrackedTask) => {
    setEnded(null);
    if (task.running) {
      following.current.add(task.upid);
      setRunning((prev) => [...prev, task]);
    } else {
      setEnded(task);
      refetch();
    }
  };

  // The selection is a snapshot by name; NOW and a snapshot that went away select nothing.
  const chosen = rows.find((r) => !r.snapshot.current && r.snapshot.name === selected)?.snapshot ?? null;
  const busy = running.length > 0 ? "A snapshot task is running: wait for it to end" : null;
  const base = blockedReason ?? busy;
  const pick = "Select a snapshot first";
  const takeReason = base ?? (template ? "A template cannot take snapshots" : null) ?? gate("snapshot");
  const rollbackReason =
    base ?? (template ? "A template cannot be rolled back" : null) ?? (chosen ? null : pick) ?? gate("rollback");
  const removeReason = base ?? (chosen ? null : pick) ?? gate("snapshot");

  const activeIndex = rows.findIndex((r) => r.snapshot.name === selected && (r.snapshot.current || r.snapshot === chosen));
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    let next: number;
    switch (e.key) {
      case "ArrowDown":
        next = Math.min(rows.length - 1, activeIndex + 1);
        break;
      case "ArrowUp":
        next = Math.max(0, activeIndex - 1);
        break;
      case "Home":
        next = 0;
        break;
      case "End":
        next = rows.length - 1;
        break;
      default:
        return;
    }
    const row = rows[next];
    if (row) setSelected(row.snapshot.name);
    e.preventDefault();
  };
  const rowId = (n: string) => `snapshot-row-${guest.connectionId}-${guest.vmid}-${n}`;
  const activeRow = activeIndex >= 0 ? rows[activeIndex] : undefined;
  const label = name ? `${guest.vmid} (${name})` : String(guest.vmid);

  return (
    <section data-testid="guest-snapshots" aria-label={`Snapshots of ${label}`} className="flex min-h-0 flex-col gap-2">
      <div className="flex flex-wrap items-center gap-1.5">
        <DisabledReason reason={takeReason}>
          <button
            type="button"
            data-testid="snapshot-take-open"
            className={buttonClass("secondary", "h-7 px-2.5")}
            onClick={() => setAsking("take")}
          >
            <Camera aria-hidden className="size-3.5" />
            Take Snapshot
          </button>
        </DisabledReason>
        <DisabledReason reason={rollbackReason}>
          <button
            type="button"
            data-testid="snapshot-rollback-open"
            className={buttonClass("secondary", "h-7 px-2.5")}
            onClick={() => setAsking("rollback")}
          >
            <History aria-hidden className="size-3.5" />
            Rollback
          </button>
        </DisabledReason>
        <DisabledReason reason={removeReason}>
          <button
            type="button"
            data-testid="snapshot-remove-open"
            className={buttonClass("secondary", "h-7 px-2.5")}
            onClick={() => setAsking("remove")}
          >
            <Trash2 aria-hidden className="size-3.5" />
            Remove
          </button>
        </DisabledReason>
        {running.length > 0 ? (
          <span data-testid="snapshot-task-running" className="ml-auto text-sm text-muted">
            {running[running.length - 1]?.description}: running…
          </span>
        ) : ended && ended.exitstatus !== null && ended.exitstatus !== "OK" && !ended.exitstatus.startsWith("WARNINGS") ? (
          <span data-testid="snapshot-task-failed" role="alert" className="ml-auto text-sm text-error">
            {ended.description} failed: {ended.exitstatus}
          </span>
        ) : null}
      </div>

      {list.isError ? (
        <ErrorNotice error={list.error} title={`Could not read the snapshots of ${label}`} />
      ) : list.isPending ? (
        <p className="text-muted">Loading snapshots…</p>
      ) : (
        <div
          ref={scroller}
          role="treegrid"
          tabIndex={0}
          aria-label="Snapshots"
          aria-activedescendant={activeRow ? rowId(activeRow.snapshot.name) : undefined}
          data-testid="snapshot-tree"
          onKeyDown={onKeyDown}
          className="min-h-0 overflow-auto rounded border border-line bg-surface text-sm focus-visible:-outline-offset-2"
        >
          <div
            role="row"
            className="sticky top-0 grid h-7 items-center border-b border-line-strong bg-raised font-medium text-muted"
            style={{ gridTemplateColumns: GRID }}
          >
            <span role="columnheader" className="px-2">
              Name
            </span>
            <span role="columnheader" className="px-2">
              Date/Status
            </span>
            <span role="columnheader" className="px-2">
              RAM
            </span>
            <span role="columnheader" className="px-2">
              Description
            </span>
          </div>
          {rows.map(({ snapshot: s, depth }) => {
            const isSelected = s.name === selected && (s.current || s === chosen);
            return (
              <div
                key={s.current ? "\u0000current" : s.name}
                id={rowId(s.name)}
                role="row"
                aria-level={depth + 1}
                aria-selected={isSelected}
                data-testid={s.current ? "snapshot-row-current" : `snapshot-row-${s.name}`}
                data-depth={depth}
                onClick={() => setSelected(s.name)}
                className="grid min-h-6.5 cursor-default items-center border-b border-line/60 select-none last:border-b-0 hover:bg-sunken aria-selected:bg-accent-soft"
                style={{ gridTemplateColumns: GRID }}
              >
                <span role="gridcell" className="flex min-w-0 items-center gap-1.5 px-2" style={{ paddingLeft: 8 + depth * 16 }}>
                  {s.current ? (
                    <span className="truncate font-medium text-accent">NOW</span>
                  ) : (
                    <>
                      <Camera aria-hidden className="size-3.5 shrink-0 text-muted" />
                      <span className="truncate">{s.name}</span>
                    </>
                  )}
                </span>
                <span role="gridcell" className="truncate px-2 tabular-nums text-muted">
                  {s.current ? "" : formatSnaptime(s.snaptime)}
                </span>
                <span role="gridcell" className="px-2">
                  {s.vmstate ? (
                    <span title="Includes the RAM state" data-testid="snapshot-ram-marker" className="inline-flex items-center">
                      <MemoryStick aria-hidden className="size-3.5 text-muted" />
                      <span className="sr-only">Includes RAM</span>
                    </span>
                  ) : null}
                </span>
                <span role="gridcell" className="truncate px-2" title={s.current ? undefined : s.description}>
                  {s.current ? "You are here!" : s.description}
                </span>
              </div>
            );
          })}
          {rows.every((r) => r.snapshot.current) ? (
            <p data-testid="snapshot-empty" className="px-3 py-3 text-muted">
              No snapshots yet. Take one before a risky change: a rollback brings the guest back to it.
            </p>
          ) : null}
        </div>
      )}

      {asking === "take" ? (
        <TakeSnapshotDialog
          guest={guest}
          offerRam={guest.kind === "qemu" && status === "running"}
          existing={list.data ?? []}
          onClose={() => setAsking(null)}
          onStarted={onStarted}
        />
      ) : null}
      {asking === "rollback" && chosen ? (
        <RollbackDialog
          guest={guest}
          snapshot={chosen.name}
          offerStart={status !== "running"}
          onClose={() => setAsking(null)}
          onStarted={onStarted}
        />
      ) : null}
      {asking === "remove" && chosen ? (
        <RemoveSnapshotDialog
          guest={guest}
          snapshot={chosen.name}
          onClose={() => setAsking(null)}
          onStarted={onStarted}
        />
      ) : null}
    </section>
  );
}
