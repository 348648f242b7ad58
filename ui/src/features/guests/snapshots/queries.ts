// A guest's snapshot list, keyed by cluster and VMID (the node can change with a migration).
import { queryOptions } from "@tanstack/react-query";
import { api, type GuestRef } from "@/backend";

export const snapshotsKey = (connectionId: string, vmid: number) => ["guest-snapshots", connectionId, vmid] as const;

export function snapshotsQuery(guest: GuestRef) {
  return queryOptions({
    queryKey: snapshotsKey(guest.connectionId, guest.vmid),
    queryFn: () => api.guestSnapshots(guest),
    retry: false,
  });
}
