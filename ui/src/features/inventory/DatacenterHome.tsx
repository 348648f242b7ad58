// The datacenter root: the per-cluster summary once anything is connected, the welcome
// (what Proxdeck is and how to begin) while nothing is.
import { useQuery } from "@tanstack/react-query";
import { lazy, Suspense } from "react";
import { connectionsQuery } from "@/features/connections/queries";
import { Breadcrumbs } from "@/ui/Breadcrumbs";
import { DatacenterWelcome } from "./DatacenterWelcome";

const DatacenterSummary = lazy(() =>
  import("@/features/summary/DatacenterSummary").then((m) => ({ default: m.DatacenterSummary })),
);

export function DatacenterHome() {
  const connections = useQuery(connectionsQuery);
  if (!connections.data || connections.data.length === 0) return <DatacenterWelcome />;
  return (
    <>
      <Breadcrumbs items={[{ label: "Datacenter" }]} />
      <div className="flex-1 overflow-auto">
        <div className="mx-auto max-w-6xl px-6 py-5">
          <Suspense fallback={null}>
            <DatacenterSummary />
          </Suspense>
        </div>
      </div>
    </>
  );
}
