// `/c/$conn/guest/$vmid`: a guest's status, configuration, addresses and history charts.
// The route has only the VMID; its node and type come from the cluster's resources.
import { useQuery } from "@tanstack/react-query";
import { getRouteApi } from "@tanstack/react-router";
import type { GuestSummary, GuestType, Resource } from "@/backend";
import { connectionsQuery } from "@/features/connections/queries";
import { useFreshness } from "@/features/inventory/freshness";
import { useInventory } from "@/features/inventory/useInventory";
import { GuestToolbar } from "@/features/guests/actions/GuestToolbar";
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

function Addresses({ g }: { g: GuestSummary }) {
  if (g.interfaces === null) {
    const why =
      g.status !== "running"
        ? "Shown while the guest runs."
        : g.kind === "qemu" && !g.agent
          ? "Enable the QEMU guest agent to see them."
          : "The guest does not report them.";
    return (
      <p data-testid="guest-ips" className="text-muted">
        No addresses. {why}
      </p>
    );
  }
  const shown = g.interfaces.filter((i) => i.name !== "lo" && !i.name.startsWith("Loopback"));
  return (
    <ul data-testid="guest-ips" className="space-y-1">
      {shown.map((i) => (
        <li key={i.name}>
          <span className="font-medium">{i.name}</span>
          {i.mac ? <span className="ml-2 font-mono text-xs text-muted">{i.mac}</span> : null}
          <div className="font-mono text-sm">
            {i.addresses.length > 0 ? i.addresses.join(", ") : <span className="text-muted">no address</span>}
          </div>
        </li>
      ))}
      {shown.length === 0 ? <li className="text-muted">No addresses reported.</li> : null}
    </ul>
  );
}

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

function GuestBody({ conn, resource, vmid }: { conn: string; resource: Resource & { node: string }; vmid: number }) {
  const { node } = resource;
  const kind = resource.kind as GuestType;
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
            <Addresses g={g} />
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
    body = <GuestBody conn={conn} resource={{ ...resource, node: resource.node }} vmid={vmid} />;
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
