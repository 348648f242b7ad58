// The admin area's list of connections: every server with its health, and the same edit,
// enable / disable and remove actions as the tree's context menu.
import { useQuery } from "@tanstack/react-query";
import { DatabaseBackup, Network, Pencil, Plus, Trash2 } from "lucide-react";
import type { Connection } from "@/backend";
import { buttonClass } from "@/ui/button";
import { ErrorNotice } from "@/ui/ErrorNotice";
import { checkboxClass } from "@/ui/form";
import { DisabledReason } from "@/ui/Tooltip";
import { useConnectionDialogs } from "./ConnectionDialogs";
import { HEALTH_LABEL, healthText } from "./health";
import { HealthDot } from "./HealthDot";
import { connectionsQuery, useSetConnectionEnabled } from "./queries";

const DEMO_REASON = "Part of the demo datacenter: close the demo to remove it";

function accessText(c: Connection): string {
  return c.access === "apiToken" ? (c.tokenId ?? "API token") : c.username;
}

function Row({ connection: c }: { connection: Connection }) {
  const dialogs = useConnectionDialogs();
  const setEnabled = useSetConnectionEnabled();
  const demoReason = c.demo ? DEMO_REASON : null;
  const Icon = c.kind === "pbs" ? DatabaseBackup : Network;
  return (
    <tr data-testid={`admin-connection-${c.name}`} className="border-t border-line align-top">
      <td className="py-1.5 pr-3 pl-3">
        <span className="flex items-center gap-1.5">
          <Icon aria-hidden className="size-3.5 shrink-0 text-muted" />
          <span className={`font-medium ${c.enabled ? "" : "text-muted"}`}>{c.name}</span>
          {c.demo ? (
            <span className="rounded bg-accent-soft px-1 text-2xs leading-4 font-medium text-accent uppercase">
              demo
            </span>
          ) : null}
        </span>
      </td>
      <td className="py-1.5 pr-3 whitespace-nowrap text-muted">{c.kind === "pbs" ? "Backup Server" : "Proxmox VE"}</td>
      <td className="py-1.5 pr-3">
        <span className="font-mono text-xs break-all">{c.url}</span>
        {c.urls.length > 1 ? <span className="block text-xs text-muted">+{c.urls.length - 1} more</span> : null}
      </td>
      <td className="py-1.5 pr-3">
        <span className="block text-xs text-muted">{c.access === "apiToken" ? "API token" : "Credential"}</span>
        <span className="font-mono text-xs break-all">{accessText(c)}</span>
      </td>
      <td className="py-1.5 pr-3" title={healthText(c.health)}>
        <span className="flex items-center gap-1.5">
          <HealthDot health={c.health} />
          {HEALTH_LABEL[c.health.state]}
        </span>
        {c.health.message ? <span className="block text-xs text-muted">{c.health.message}</span> : null}
      </td>
      <td className="py-1.5 pr-3 text-center">
        <DisabledReason reason={demoReason}>
          <input
            type="checkbox"
            data-testid={`admin-conn-enabled-${c.name}`}
            aria-label={`Enabled: ${c.name}`}
            className={checkboxClass}
            checked={c.enabled}
            disabled={setEnabled.isPending}
            onChange={(e) => setEnabled.mutate({ id: c.id, enabled: e.target.checked })}
          />
        </DisabledReason>
        {setEnabled.isError ? (
          <span role="alert" className="mt-0.5 block text-left text-xs text-error">
            {setEnabled.error.message}
          </span>
        ) : null}
      </td>
      <td className="py-1.5 pr-3">
        <span className="flex justify-end gap-1">
          <DisabledReason reason={demoReason}>
            <button
              type="button"
              data-testid={`admin-conn-edit-${c.name}`}
              aria-label={`Edit ${c.name}`}
              title="Edit…"
              className={buttonClass("ghost", "size-6")}
              onClick={() => dialogs.openEdit(c)}
            >
              <Pencil aria-hidden className="size-3.5" />
            </button>
          </DisabledReason>
          <DisabledReason reason={demoReason}>
            <button
              type="button"
              data-testid={`admin-conn-remove-${c.name}`}
              aria-label={`Remove ${c.name}`}
              title="Remove…"
              className={buttonClass("ghost", "size-6 enabled:hover:text-error")}
              onClick={() => dialogs.openRemove(c)}
            >
              <Trash2 aria-hidden className="size-3.5" />
            </button>
          </DisabledReason>
        </span>
      </td>
    </tr>
  );
}

export function ConnectionsSection() {
  const connections = useQuery(connectionsQuery);
  const dialogs = useConnectionDialogs();
  return (
    <section
      aria-labelledby="connections"
      data-testid="admin-connections"
      className="rounded-md border border-line bg-surface"
    >
      <div className="flex items-center justify-between border-b border-line px-4 py-2">
        <h2 id="connections" className="text-base font-semibold">
          Connections
        </h2>
        <button
          type="button"
          data-testid="admin-conn-add"
          className={buttonClass("secondary", "h-7 px-2.5")}
          onClick={() => dialogs.openAdd()}
        >
          <Plus aria-hidden className="size-3.5" />
          Add connection
        </button>
      </div>
      {connections.isPending ? <p className="px-4 py-3 text-muted">Loading connections…</p> : null}
      {connections.isError ? (
        <div className="p-4">
          <ErrorNotice error={connections.error} title="Could not load the connections" />
        </div>
      ) : null}
      {connections.data?.length === 0 ? (
        <p className="px-4 py-3 text-muted">No connections yet. Add a Proxmox VE cluster or a Backup Server.</p>
      ) : null}
      {connections.data && connections.data.length > 0 ? (
        <div className="overflow-x-auto">
          <table className="w-full text-sm">
            <thead>
              <tr className="text-left text-xs text-muted">
                <th scope="col" className="py-1.5 pr-3 pl-3 font-medium">
                  Name
                </th>
                <th scope="col" className="py-1.5 pr-3 font-medium">
                  Type
                </th>
                <th scope="col" className="py-1.5 pr-3 font-medium">
                  Address
                </th>
                <th scope="col" className="py-1.5 pr-3 font-medium">
                  Access
                </th>
                <th scope="col" className="py-1.5 pr-3 font-medium">
                  Health
                </th>
                <th scope="col" className="py-1.5 pr-3 text-center font-medium">
                  Enabled
                </th>
                <th scope="col" className="py-1.5 pr-3 text-right font-medium">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {connections.data.map((c) => (
                <Row key={c.id} connection={c} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
