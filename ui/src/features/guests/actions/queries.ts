// Running a guest action: the task it returns goes into the task bar at once. The reads the
// action dialogs need (clone, migrate, HA) are fetched fresh each time a dialog opens and
// dropped when it closes; the inventory refreshes itself when a task ends.
import { queryOptions, useMutation, useQueryClient, type QueryKey } from "@tanstack/react-query";
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
  return useTaskMutation((r: PowerRequest) => api.guestPower(r.connectionId, r.node, r.kind, r.vmid, r.action));
}

const guestKey = (g: GuestRef) => [g.connectionId, g.node, g.kind, g.vmid] as const;

/** A read for an action dialog: not kept once the dialog closes, and not retried. */
function dialogQuery<Key extends QueryKey, T>(queryKey: Key, queryFn: () => Promise<T>) {
  return queryOptions({ queryKey, queryFn, gcTime: 0, retry: false });
}

/** What the clone form offers (the next free VMID, nodes, pools): read anew on every open. */
export function cloneOptionsQuery(guest: GuestRef) {
  return dialogQuery(["guest-clone-options", ...guestKey(guest)] as const, () => api.guestCloneOptions(guest));
}

/** The storages a full clone's disks can go to on `node`. */
export function storagesQuery(connectionId: string, node: string, kind: GuestType) {
  return dialogQuery(["guest-storages", connectionId, node, kind] as const, () =>
    api.guestStorages(connectionId, node, kind),
  );
}

/** Where the guest may move, and what moves with it. */
export function migrateOptionsQuery(guest: GuestRef) {
  return dialogQuery(["guest-migrate-options", ...guestKey(guest)] as const, () => api.guestMigrateOptions(guest));
}

/** The guest's HA resource, or `null` when HA does not manage it. */
export function haQuery(guest: GuestRef) {
  return dialogQuery(["guest-ha", ...guestKey(guest)] as const, () => api.guestHa(guest));
}

/** A mutation whose result is a task: the task bar is asked to refresh at once. */
function useTaskMutation<V, R>(mutationFn: (v: V) => Promise<R>) {
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
