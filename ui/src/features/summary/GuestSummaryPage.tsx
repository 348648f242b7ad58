// `/c/$conn/guest/$vmid`: a guest's page, with the tabs an admin knows from PVE (Summary,
// Hardware, Cloud-Init, Options, Snapshots) under its toolbar; the selected tab is the
// route's `tab` search parameter. The route has only the VMID; its node and type come from
// the cluster's resources.
import { useQuery } from "@tanstack/react-query";
import { getRouteApi } from "@tanstack/react-router";
import { useRef, type KeyboardEvent } from "react";
import type { GuestRef, GuestType, Resource } from "@/backend";
import { connectionsQuery } from "@/features/connections/queries";
import { useFreshness } from "@/features/inventory/freshness";
import { useInventory } from "@/features/inventory/useInventory";
import { GuestToolbar } from "@/features/guests/actions/GuestToolbar";
import { GuestIpsPanel } from "@/features/guests/agent/GuestIpsPanel";
import { CloudInitTab } from "@/features/guests/config/CloudInitTab";
import { HardwareTab } from "@/features/guests/config/HardwareTab";
import { OptionsTab } from "@/features/guests/config/OptionsTab";
import { SnapshotsTab } from "@/features/guests/snapshots/SnapshotsTab";
import { tabsFor, type GuestTab, type GuestTabProps } from "@/features/guests/tabs";
import { Breadcrumbs } from "@/ui/Breadcrumbs";
import { ErrorNotice } from "@/ui/ErrorNotice";
import { formatBytes, formatPercent, formatUptime } from "./format";
import { KeyValues, Loading, Panel, SummaryBody, UsageBar } from "./Panel";
import { OfflineBanner } from "./Offline";
import { guestSummaryQuery } from "./queries";
import { RrdChart } from "./RrdChart";

const route = getRouteApi("/c/$conn/guest/$vmid");

const STATUS_TONE: Record<string, string> = {
  running: "text-running",
  stopped: "text-stopped",
  paused: "text-warning",
};

/** What the inventory last said of a guest, for when its cluster does not answer. */
function LastKnown({ resource }: { resource: Resource }) {
  return (
    <Panel title="Last known state" testId="guest-last-known">
      <KeyValues
        rows={[
          ["Status", resource.status],
          ["Node", resource.node],
          ["CPU", resource.maxcpu ? `${formatPercent(resource.cpu ?? 0)} of ${resource.maxcpu} CPUs` : null],
          [
            "Memory",
            resource.maxmem ? `${formatBytes(resource.mem ?? 0)} of ${formatBytes(resource.maxmem)}` : null,
          ],
          ["Uptime", resource.uptime ? formatUptime(resource.uptime) : null],
        ]}
      />
    </Panel>
  );
}

/** The Summary tab: status, configuration, addresses, notes and history charts. */
function GuestBody({ conn, resource, vmid }: { conn: string; resource: Resource & { node: string }; vmid: number }) {
  const { node } = resource;
  const kind = resource.kind as GuestType;
  const guestRef: GuestRef = { connectionId: conn, node, kind, vmid };
  const summary = useQuery(guestSummaryQuery(conn, node, kind, vmid));
  const freshness = useFreshness(conn);
  const offline = freshness.stale || freshness.error !== null;
  const g = summary.data;
  return (
    <>
      {!g && offline ? (
        <LastKnown resource={resource} />
      ) : !g && summary.isError ? (
        <ErrorNotice error={summary.error} title={`Could not load the summary of ${vmid}`} />
      ) : !g ? (
        <Loading what="the guest summary" />
      ) : (
        <div className="grid gap-4 md:grid-cols-2">
          <Panel title="Status">
            <KeyValues
              rows={[
                [
                  "Status",
                  <span key="s" className={offline ? "text-muted" : (STATUS_TONE[g.status] ?? "text-warning")}>
                    {g.status}
                    {g.template ? " (template)" : ""}
                    {offline ? " (last known)" : ""}
                  </span>,
                ],
                ["Node", g.node],
                ["Type", g.kind === "qemu" ? "Virtual machine" : "Container"],
                ["HA state", g.haState ?? "not managed"],
                ["Lock", g.lock ?? "none"],
                ["Uptime", formatUptime(g.uptime)],
                ["CPU", `${formatPercent(g.cpu)} of ${g.cpus} CPUs`],
              ]}
            />
            <div className="mt-3 space-y-3">
              <UsageBar label="Memory" used={g.memory.used} total={g.memory.total} format={formatBytes} />
              {g.kind === "lxc" ? (
                <UsageBar label="Root disk" used={g.disk.used} total={g.disk.total} format={formatBytes} />
              ) : null}
            </div>
          </Panel>
          <Panel title="Configuration">
            <KeyValues
              rows={[
                ["Cores", g.cores === null ? null : `${g.cores}${g.sockets ? ` × ${g.sockets} sockets` : ""}`],
                ["Memory", g.memoryMib === null ? null : formatBytes(g.memoryMib * 1024 * 1024)],
                ["OS type", g.ostype],
                ...g.disks.map((d): [string, string] => [d.key, d.value]),
                ...g.nets.map((n): [string, string] => [n.key, n.value]),
              ]}
            />
          </Panel>
          <Panel title="IP addresses">
            <GuestIpsPanel guest={guestRef} running={g.status === "running"} agent={g.agent} />
          </Panel>
          <Panel title="Notes">
            {g.description ? (
              <p className="whitespace-pre-wrap">{g.description}</p>
            ) : (
              <p className="text-muted">No notes.</p>
            )}
          </Panel>
        </div>
      )}
      <RrdChart conn={conn} target={{ type: "guest", node, kind, vmid }} />
    </>
  );
}

/** The tab strip (ARIA tabs: arrow keys, Home and End move and select) and the selected tab. */
function GuestTabs({ conn, resource, vmid }: { conn: string; resource: Resource & { node: string }; vmid: number }) {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const freshness = useFreshness(conn);
  const kind = resource.kind as GuestType;
  const tabs = tabsFor(kind);
  const selected: GuestTab = tabs.some((t) => t.id === search.tab) ? (search.tab ?? "summary") : "summary";
  const refs = useRef(new Map<GuestTab, HTMLButtonElement>());
  const select = (tab: GuestTab) =>
    void navigate({ search: (prev) => ({ ...prev, tab: tab === "summary" ? undefined : tab }), replace: true });
  const onKeyDown = (e: KeyboardEvent) => {
    const at = tabs.findIndex((t) => t.id === selected);
    const to =
      e.key === "ArrowRight"
        ? (at + 1) % tabs.length
        : e.key === "ArrowLeft"
          ? (at - 1 + tabs.length) % tabs.length
          : e.key === "Home"
            ? 0
            : e.key === "End"
              ? tabs.length - 1
              : null;
    if (to === null) return;
    e.preventDefault();
    const tab = tabs[to]!.id;
    refs.current.get(tab)?.focus();
    select(tab);
  };
  const props: GuestTabProps = {
    guest: { connectionId: conn, node: resource.node, kind, vmid },
    name: resource.name ?? null,
    status: resource.status ?? "unknown",
    template: resource.template,
    blockedReason: freshness.actionsBlocked,
  };
  const tabId = (t: GuestTab) => `guest-tab-${t}`;
  return (
    <>
      <div
        role="tablist"
        aria-label="Guest sections"
        data-testid="guest-tabs"
        className="flex gap-0.5 border-b border-line"
        onKeyDown={onKeyDown}
      >
        {tabs.map((t) => (
          <button
            key={t.id}
            ref={(el) => {
              if (el) refs.current.set(t.id, el);
              else refs.current.delete(t.id);
            }}
            type="button"
            role="tab"
            id={tabId(t.id)}
            data-testid={tabId(t.id)}
            aria-selected={t.id === selected}
            aria-controls="guest-tabpanel"
            tabIndex={t.id === selected ? 0 : -1}
            onClick={() => select(t.id)}
            className={
              "-mb-px border-b-2 px-3 py-1.5 text-sm focus-visible:rounded-t focus-visible:outline-2 focus-visible:outline-accent " +
              (t.id === selected
                ? "border-accent font-medium text-fg"
                : "border-transparent text-muted hover:text-fg")
            }
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id="guest-tabpanel" aria-labelledby={tabId(selected)} className="space-y-4">
        {selected === "summary" ? (
          <GuestBody conn={conn} resource={resource} vmid={vmid} />
        ) : selected === "hardware" ? (
          <HardwareTab {...props} />
        ) : selected === "cloudinit" ? (
          <CloudInitTab {...props} />
        ) : selected === "options" ? (
          <OptionsTab {...props} />
        ) : (
          <SnapshotsTab {...props} />
        )}
      </div>
    </>
  );
}

export function GuestSummaryPage() {
  const { conn, vmid: vmidParam } = route.useParams();
  const vmid = Number(vmidParam);
  const connections = useQuery(connectionsQuery);
  const connName = connections.data?.find((c) => c.id === conn)?.name ?? conn;
  const known = useInventory().resourcesByConnection.get(conn);
  const resource = known?.resources.find((r) => (r.kind === "qemu" || r.kind === "lxc") && r.vmid === vmid);
  const title = resource?.name ? `${vmid} (${resource.name})` : String(vmid);
  let body;
  if (resource?.node) {
    body = <GuestTabs conn={conn} resource={{ ...resource, node: resource.node }} vmid={vmid} />;
  } else if (known?.error && known.fetchedAt === null) {
    body = <ErrorNotice error={known.error} title="Could not find the guest" />;
  } else if (known && known.fetchedAt !== null) {
    body = (
      <p role="alert" className="text-muted">
        Guest {vmid} is not in {connName}. It may have been removed or migrated to another cluster.
      </p>
    );
  } else {
    body = <Loading what="the guest" />;
  }
  return (
    <>
      <Breadcrumbs
        items={[
          { label: "Datacenter", to: "/" },
          { label: connName },
          ...(resource?.node ? [{ label: resource.node }] : []),
          { label: title },
        ]}
      />
      <SummaryBody testId="summary-guest">
        <h1 className="text-xl font-semibold">
          {resource?.kind === "lxc" ? "Container" : "Virtual machine"} {title}
        </h1>
        <OfflineBanner conn={conn} />
        {resource?.node ? (
          <GuestToolbar
            connectionId={conn}
            node={resource.node}
            target={{
              kind: resource.kind as GuestType,
              vmid,
              name: resource.name ?? null,
              status: resource.status ?? "unknown",
              template: resource.template,
              lock: resource.lock ?? null,
            }}
          />
        ) : null}
        {body}
      </SummaryBody>
    </>
  );
}
