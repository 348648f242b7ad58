// Running a guest action: the task it returns goes into the task bar at once. The reads the
// action dialogs need (clone, migrate, HA) are fetched fresh each time a dialog opens and
// dropped when it closes; the inventory refreshes itself when a task ends.
import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import {
  api,
  type CloneInput,
  type DeleteInput,
  type GuestRef,
  type GuestType,
  type HaSettings,
  type PowerAction,
} from "@/backend";
import { tasksQuery } from "@/features/tasks/queries";

export interface PowerRequest {
  connectionId: string;
  node: string;
  kind: GuestType;
  vmid: number;
  action: PowerAction;
}

export function useGuestPower() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (r: PowerRequest) => api.guestPower(r.connectionId, r.node, r.kind, r.vmid, r.action),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: tasksQuery.queryKey }),
  });
}

const guestKey = (g: GuestRef) => [g.connectionId, g.node, g.kind, g.vmid] as const;

/** What the clone form offers (the next free VMID, nodes, pools): read anew on every open. */
export function cloneOptionsQuery(guest: GuestRef) {
  return queryOptions({
    queryKey: ["guest-clone-options", ...guestKey(guest)] as const,
    queryFn: () => api.guestCloneOptions(guest),
    gcTime: 0,
    retry: false,
  });
}

/** The storages a full clone's disks can go to on `node`. */
export function storagesQuery(connectionId: string, node: string, kind: GuestType) {
  return queryOptions({
    queryKey: ["guest-storages", connectionId, node, kind] as const,
    queryFn: () => api.guestStorages(connectionId, node, kind),
    gcTime: 0,
    retry: false,
  });
}

/** Where the guest may move, and what moves with it. */
export function migrateOptionsQuery(guest: GuestRef) {
  return queryOptions({
    queryKey: ["guest-migrate-options", ...guestKey(guest)] as const,
    queryFn: () => api.guestMigrateOptions(guest),
    gcTime: 0,
    retry: false,
  });
}

/** The guest's HA resource, or `null` when HA does not manage it. */
export function haQuery(guest: GuestRef) {
  return queryOptions({
    queryKey: ["guest-ha", ...guestKey(guest)] as const,
    queryFn: () => api.guestHa(guest),
    gcTime: 0,
    retry: false,
  });
}

/** A mutation whose result is a task: the task bar is asked to refresh at once. */
function useTaskMutation<V>(mutationFn: (v: V) => Promise<unknown>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: tasksQuery.queryKey }),
  });
}

export function useGuestClone(guest: GuestRef) {
  return useTaskMutation((input: CloneInput) => api.guestClone(guest, input));
}

export function useGuestMigrate(guest: GuestRef) {
  return useTaskMutation((target: string) => api.guestMigrate(guest, target));
}

export function useGuestDelete(guest: GuestRef) {
  return useTaskMutation((input: DeleteInput) => api.guestDelete(guest, input));
}

export function useGuestHaSet(guest: GuestRef) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (settings: HaSettings) => api.guestHaSet(guest, settings),
    onSuccess: (resource) => queryClient.setQueryData(haQuery(guest).queryKey, resource),
  });
}

export function useGuestHaRemove(guest: GuestRef) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.guestHaRemove(guest),
    onSuccess: () => queryClient.setQueryData(haQuery(guest).queryKey, null),
  });
}
