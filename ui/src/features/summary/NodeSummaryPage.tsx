// `/c/$conn/node/$node`: a node's status, usage and versions, and its history charts.
import { useQuery } from "@tanstack/react-query";
import { getRouteApi } from "@tanstack/react-router";
import { connectionsQuery } from "@/features/connections/queries";
import { Breadcrumbs } from "@/ui/Breadcrumbs";
import { useFreshness } from "@/features/inventory/freshness";
import { formatBytes, formatPercent, formatUptime } from "./format";
import { Fetched, OfflineBanner } from "./Offline";
import { KeyValues, Panel, SummaryBody, UsageBar } from "./Panel";
import { nodeStatusQuery } from "./queries";
import { RrdChart } from "./RrdChart";

const route = getRouteApi("/c/$conn/node/$node");

export function NodeSummaryPage() {
  const { conn, node } = route.useParams();
  const connections = useQuery(connectionsQuery);
  const connName = connections.data?.find((c) => c.id === conn)?.name ?? conn;
  const status = useQuery(nodeStatusQuery(conn, node));
  const freshness = useFreshness(conn);
  return (
    <>
      <Breadcrumbs items={[{ label: "Datacenter", to: "/" }, { label: connName }, { label: node }]} />
      <SummaryBody testId="summary-node">
        <h1 className="text-xl font-semibold">
          Node {node} <span className="text-base font-normal text-muted">({connName})</span>
        </h1>
        <OfflineBanner conn={conn} />
        <Fetched
          query={status}
          freshness={freshness}
          what="the node status"
          errorTitle={`Could not load the status of ${node}`}
        >
          {(s) => (
          <div className="grid gap-4 md:grid-cols-2">
            <Panel title="Status">
              <KeyValues
                rows={[
                  [
                    "Status",
                    freshness.stale ? (
                      <span key="s" className="text-muted">
                        not answering
                      </span>
                    ) : (
                      <span key="s" className="text-running">
                        online
                      </span>
                    ),
                  ],
                  ["Uptime", formatUptime(s.uptime)],
                  ["Load average", s.loadavg.map((l) => (l === null ? "–" : l.toFixed(2))).join(", ")],
                  ["CPU", `${formatPercent(s.cpu)} of ${s.cpus} CPUs`],
                  ["CPU model", `${s.cpuModel} (${s.sockets} ${s.sockets === 1 ? "socket" : "sockets"})`],
                  ["PVE manager", s.pveVersion],
                  ["Kernel", s.kernelVersion],
                ]}
              />
            </Panel>
            <Panel title="Usage">
              <div className="space-y-3">
                <UsageBar label="CPU usage" used={s.cpu} total={1} format={(v) => formatPercent(v)} />
                <UsageBar label="Memory" used={s.memory.used} total={s.memory.total} format={formatBytes} />
                <UsageBar label="Swap" used={s.swap.used} total={s.swap.total} format={formatBytes} />
                <UsageBar label="Root disk" used={s.rootfs.used} total={s.rootfs.total} format={formatBytes} />
              </div>
            </Panel>
          </div>
          )}
        </Fetched>
        <RrdChart conn={conn} target={{ type: "node", node }} />
      </SummaryBody>
    </>
  );
}
