// Acting on many guests at once (across clusters) from the guest table's selection: a bar with
// the count and the actions, a confirmation that lists what will run and what is skipped (and
// why), and a per-guest result list. The back end keeps a bounded number of calls in flight.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { CheckCircle2, XCircle } from "lucide-react";
import { useState } from "react";
import { api, toAppError, type BulkOutcome, type PowerAction } from "@/backend";
import type { Guest } from "@/features/guests/guestRows";
import { actionsBlockedReason, useNow } from "@/features/inventory/freshness";
import { useInventory } from "@/features/inventory/useInventory";
import { tasksQuery } from "@/features/tasks/queries";
import { buttonClass } from "@/ui/button";
import { Dialog } from "@/ui/Dialog";
import { guestLabel, powerBlocked, type PowerTarget } from "./power";

const BULK: { action: PowerAction; label: string }[] = [
  { action: "start", label: "Start" },
  { action: "shutdown", label: "Shutdown" },
  { action: "reboot", label: "Reboot" },
  { action: "stop", label: "Stop" },
];

const targetOf = (g: Guest): PowerTarget => ({
  kind: g.type,
  vmid: g.vmid,
  name: g.name || null,
  status: g.resource.status ?? g.status,
  template: g.template,
  lock: g.lock || null,
});

export interface BulkPlan {
  run: Guest[];
  skipped: { guest: Guest; reason: string }[];
}

/** Which of `guests` `action` runs on, and why the others are skipped. */
export function planBulk(
  guests: readonly Guest[],
  action: PowerAction,
  blockedByCluster: (connectionId: string) => string | null,
): BulkPlan {
  const plan: BulkPlan = { run: [], skipped: [] };
  for (const g of guests) {
    const reason = blockedByCluster(g.connectionId) ?? powerBlocked(action, targetOf(g));
    if (reason) plan.skipped.push({ guest: g, reason });
    else plan.run.push(g);
  }
  return plan;
}

const label = (g: Guest) => `${guestLabel(targetOf(g))} · ${g.cluster}`;

export function BulkBar({ selected, onClear }: { selected: Guest[]; onClear: () => void }) {
  const queryClient = useQueryClient();
  const { connections, resourcesByConnection } = useInventory();
  const now = useNow();
  const [asking, setAsking] = useState<{ action: PowerAction; label: string; plan: BulkPlan } | null>(null);
  const run = useMutation({
    mutationFn: ({ action, guests }: { action: PowerAction; guests: Guest[] }) =>
      api.guestsPowerMany(
        guests.map((g) => ({ connectionId: g.connectionId, node: g.node, kind: g.type, vmid: g.vmid })),
        action,
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: tasksQuery.queryKey }),
  });
  const blockedByCluster = (id: string) => {
    const c = connections.find((x) => x.id === id);
    const r = resourcesByConnection.get(id);
    return actionsBlockedReason(
      c?.name ?? id,
      { stale: r?.stale ?? false, fetchedAt: r?.fetchedAt ?? null, error: r?.error?.message ?? null, disabled: c ? !c.enabled : false },
      now,
    );
  };
  const clusters = new Set(selected.map((g) => g.connectionId)).size;

  return (
    <div
      role="toolbar"
      aria-label="Actions on the selected guests"
      data-testid="bulk-bar"
      className="flex flex-wrap items-center gap-1.5 border-b border-line bg-accent-soft px-3 py-1.5 text-sm"
    >
      <span data-testid="bulk-count" className="mr-2 font-medium">
        {selected.length} selected{clusters > 1 ? ` on ${clusters} clusters` : ""}
      </span>
      {BULK.map((b) => (
        <button
          key={b.action}
          type="button"
          data-testid={`bulk-${b.action}`}
          disabled={run.isPending}
          className={buttonClass("secondary", "h-7 px-2.5")}
          onClick={() => setAsking({ ...b, plan: planBulk(selected, b.action, blockedByCluster) })}
        >
          {b.label}…
        </button>
      ))}
      <button type="button" data-testid="bulk-clear" className={buttonClass("ghost", "ml-auto h-7 px-2.5")} onClick={onClear}>
        Clear selection
      </button>

      <Dialog
        open={asking !== null}
        onOpenChange={(open) => {
          if (!open) setAsking(null);
        }}
        testId="bulk-confirm"
        tone={asking?.action === "stop" ? "danger" : "warning"}
        title={asking ? `${asking.label} ${asking.plan.run.length} ${asking.plan.run.length === 1 ? "guest" : "guests"}` : ""}
        onSubmit={() => {
          if (asking && asking.plan.run.length > 0) run.mutate({ action: asking.action, guests: asking.plan.run });
          setAsking(null);
        }}
        footer={
          <>
            <button type="button" className={buttonClass("secondary", "h-8 px-3")} onClick={() => setAsking(null)}>
              Cancel
            </button>
            <button
              type="submit"
              data-testid="bulk-confirm-ok"
              disabled={!asking || asking.plan.run.length === 0}
              className={buttonClass("primary", "h-8 px-3")}
            >
              {asking?.label} {asking?.plan.run.length}
            </button>
          </>
        }
      >
        {asking ? (
          <div className="space-y-2 text-sm">
            <p>
              {asking.plan.run.length > 0
                ? `${asking.label} these guests? At most 8 calls are sent at a time; each becomes a task in the task bar.`
                : "None of the selected guests can do that now."}
            </p>
            <ul data-testid="bulk-run-list" className="max-h-40 overflow-auto rounded border border-line px-2 py-1">
              {asking.plan.run.map((g) => (
                <li key={g.key}>{label(g)}</li>
              ))}
            </ul>
            {asking.plan.skipped.length > 0 ? (
              <>
                <p className="font-medium">Skipped ({asking.plan.skipped.length}):</p>
                <ul data-testid="bulk-skip-list" className="max-h-32 overflow-auto text-muted">
                  {asking.plan.skipped.map((s) => (
                    <li key={s.guest.key}>
                      {label(s.guest)}: {s.reason}
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
          </div>
        ) : null}
      </Dialog>

      <Dialog
        open={run.isSuccess || run.isError}
        onOpenChange={(open) => {
          if (!open) run.reset();
        }}
        testId="bulk-results"
        width="max-w-2xl"
        title={run.isError ? "The action could not be sent" : `${run.data?.filter((o) => o.task).length ?? 0} started`}
        footer={
          <button type="button" className={buttonClass("primary", "h-8 px-3")} onClick={() => run.reset()}>
            Close
          </button>
        }
      >
        {run.isError ? (
          <p role="alert">{toAppError(run.error).message}</p>
        ) : (
          <Results outcomes={run.data ?? []} guests={run.variables?.guests ?? []} />
        )}
      </Dialog>
    </div>
  );
}

function Results({ outcomes, guests }: { outcomes: BulkOutcome[]; guests: Guest[] }) {
  const byKey = new Map(guests.map((g) => [`${g.connectionId}/${g.vmid}`, g]));
  return (
    <ul data-testid="bulk-result-list" className="max-h-[50vh] space-y-0.5 overflow-auto text-sm">
      {outcomes.map((o) => {
        const g = byKey.get(`${o.guest.connectionId}/${o.guest.vmid}`);
        const name = g ? label(g) : `${o.guest.kind === "lxc" ? "CT" : "VM"} ${o.guest.vmid}`;
        return (
          <li key={`${o.guest.connectionId}/${o.guest.vmid}`} className="flex items-start gap-2" data-ok={o.task ? "true" : "false"}>
            {o.task ? (
              <CheckCircle2 aria-hidden className="mt-0.5 size-3.5 shrink-0 text-running" />
            ) : (
              <XCircle aria-hidden className="mt-0.5 size-3.5 shrink-0 text-error" />
            )}
            <span>
              {name}: {o.task ? `${o.task.description} started` : (o.error?.message ?? "not started")}
            </span>
          </li>
        );
      })}
    </ul>
  );
}
