// Guests' addresses: every guest's last-known ones (the all-guests table) and one guest's
// asked for now (the Summary tab's panel). Both live under one key prefix, and a guest asked
// directly is merged into the known list, so the table and the panel always agree.
import { queryOptions, type QueryClient } from "@tanstack/react-query";
import { api, type GuestIps, type GuestRef } from "@/backend";

/** The table re-reads the known addresses this often (the Rust side asks running guests every 3 min). */
export const IPS_KNOWN_REFRESH_MS = 60_000;

/** The panel asks its running guest again this often, like the Rust side's poll. */
export const IPS_GUEST_REFRESH_MS = 180_000;

export const GUEST_IPS_KEY = ["guest-ips"] as const;

export const guestIpsKnownQuery = queryOptions({
  queryKey: [...GUEST_IPS_KEY, "known"] as const,
  queryFn: () => api.guestIpsKnown(),
  refetchInterval: IPS_KNOWN_REFRESH_MS,
  retry: false,
});

/** `<connection id>/<vmid>`: the guest table's row key. */
export const ipsKey = (ips: Pick<GuestIps, "connectionId" | "vmid">) => `${ips.connectionId}/${ips.vmid}`;

/** The newer of two answers (by `checkedAt`). */
export function newerIps(a: GuestIps | undefined, b: GuestIps | undefined): GuestIps | undefined {
  if (!a) return b;
  if (!b) return a;
  return Date.parse(b.checkedAt) > Date.parse(a.checkedAt) ? b : a;
}

/** Puts one guest's fresh answer into the known list (if it is loaded), replacing an older one. */
export function mergeKnownIps(queryClient: QueryClient, ips: GuestIps) {
  queryClient.setQueryData(guestIpsKnownQuery.queryKey, (list) => {
    if (!list) return list;
    const key = ipsKey(ips);
    const at = list.findIndex((e) => ipsKey(e) === key);
    if (at < 0) return [...list, ips];
    if (newerIps(list[at], ips) !== ips) return list;
    const next = list.slice();
    next[at] = ips;
    return next;
  });
}

/** The last-known answer for a guest in the known list, if any. */
export function knownIpsOf(list: readonly GuestIps[] | undefined, guest: Pick<GuestRef, "connectionId" | "vmid">) {
  return list?.find((e) => e.connectionId === guest.connectionId && e.vmid === guest.vmid);
}

export function guestIpsQuery(queryClient: QueryClient, guest: GuestRef, poll: boolean) {
  return queryOptions({
    queryKey: [...GUEST_IPS_KEY, "guest", guest.connectionId, guest.vmid] as const,
    queryFn: async () => {
      const ips = await api.guestIps(guest);
      mergeKnownIps(queryClient, ips);
      return ips;
    },
    // Start from the known answer: a fresh one is not asked again on opening the tab.
    initialData: () => knownIpsOf(queryClient.getQueryData(guestIpsKnownQuery.queryKey), guest),
    initialDataUpdatedAt: () => {
      const known = knownIpsOf(queryClient.getQueryData(guestIpsKnownQuery.queryKey), guest);
      return known ? Date.parse(known.checkedAt) : undefined;
    },
    staleTime: IPS_GUEST_REFRESH_MS,
    refetchInterval: poll ? IPS_GUEST_REFRESH_MS : false,
    retry: false,
  });
}
