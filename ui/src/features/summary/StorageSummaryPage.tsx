// `/c/$conn/storage/$node/$storage`: a storage's usage and what it holds, on one node.
import { useQuery } from "@tanstack/react-query";
import { getRouteApi } from "@tanstack/react-router";
import { connectionsQuery } from "@/features/connections/queries";
import { Breadcrumbs } from "@/ui/Breadcrumbs";
import { useFreshness } from "@/features/inventory/freshness";
import { formatBytes } from "./format";
import { Fetched, OfflineBanner } from "./Offline";
import { KeyValues, Panel, SummaryBody, UsageBar } from "./Panel";
import { storageStatusQuery } from "./queries";

const route = getRouteApi("/c/$conn/storage/$node/$storage");

/** PVE's names for content types. */
const CONTENT_LABEL: Record<string, string> = {
  images: "Disk image",
  rootdir: "Container",
  iso: "ISO image",
  vztmpl: "Container template",
  backup: "VZDump backup file",
  snippets: "Snippets",
  import: "Import",
};

export function StorageSummaryPage() {
  const { conn, node, storage } = route.useParams();
  const connections = useQuery(connectionsQuery);
  const connName = connections.data?.find((c) => c.id === conn)?.name ?? conn;
  const status = useQuery(storageStatusQuery(conn, node, storage));
  const freshness = useFreshness(conn);
  return (
    <>
      <Breadcrumbs
        items={[{ label: "Datacenter", to: "/" }, { label: connName }, { label: node }, { label: storage }]}
      />
      <SummaryBody testId="summary-storage">
        <h1 className="text-xl font-semibold">
          Storage {storage} <span className="text-base font-normal text-muted">on {node}</span>
        </h1>
        <OfflineBanner conn={conn} />
        <Fetched
          query={status}
          freshness={freshness}
          what="the storage status"
          errorTitle={`Could not load the status of ${storage}`}
        >
          {(s) => (
          <div className="grid gap-4 md:grid-cols-2">
            <Panel title="Status">
              <KeyValues
                rows={[
                  ["Type", s.kind],
                  ["Enabled", s.enabled ? "Yes" : "No"],
                  ["Active", s.active ? "Yes" : "No"],
                  ["Shared", s.shared ? "Yes" : "No"],
                  ["Content", s.content.map((c) => CONTENT_LABEL[c] ?? c).join(", ") || null],
                ]}
              />
            </Panel>
            <Panel title="Usage">
              <div className="space-y-3">
                <UsageBar label="Usage" used={s.usage.used} total={s.usage.total} format={formatBytes} />
                <KeyValues rows={[["Available", formatBytes(s.avail)]]} />
              </div>
            </Panel>
          </div>
          )}
        </Fetched>
      </SummaryBody>
    </>
  );
}
