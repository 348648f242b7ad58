// The guest configuration and cloud-init reads, and the edits that replace them in the cache.
import { queryOptions } from "@tanstack/react-query";
import { api, type GuestRef } from "@/backend";

export function guestConfigQuery(guest: GuestRef) {
  return queryOptions({
    queryKey: ["guest", "config", guest.connectionId, guest.node, guest.kind, guest.vmid] as const,
    queryFn: () => api.guestConfig(guest),
    retry: false,
  });
}

export function cloudinitQuery(guest: GuestRef) {
  return queryOptions({
    queryKey: ["guest", "cloudinit", guest.connectionId, guest.node, guest.vmid] as const,
    queryFn: () => api.guestCloudinit(guest),
    retry: false,
  });
}
