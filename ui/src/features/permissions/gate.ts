// Hooks that turn the login's privileges into a reason an action is disabled (or null).
import { useQuery } from "@tanstack/react-query";
import { useCallback } from "react";
import { ACTION_PRIVILEGES, type GuestAction, guestPath, privilegeReason } from "./privileges";
import { privilegesQuery } from "./queries";

/** Shown on every gated action until the privileges are known. */
export const CHECKING_PERMISSIONS = "Checking permissions…";

/** Says why an action needing `needed` (all, or one with `any`) is not allowed, or null. */
export type PrivilegeGate = (needed: string | readonly string[], opts?: { any?: boolean }) => string | null;

/**
 * The gate for one ACL path of one connection. While the privileges load, every action is
 * held back with {@link CHECKING_PERMISSIONS}. When they cannot be read (cluster down, an
 * old server, a login that may not even read its own permissions) nothing is held back:
 * the cluster still checks every call, and its 403 names the missing privilege, which is
 * better than disabling actions the login may well be allowed.
 */
export function usePrivilegeGate(conn: string, path: string): PrivilegeGate {
  const { data, isError } = useQuery(privilegesQuery(conn, path));
  return useCallback<PrivilegeGate>(
    (needed, opts) => {
      if (isError) return null;
      if (data === undefined) return CHECKING_PERMISSIONS;
      return privilegeReason(data, needed, path, opts?.any ?? false);
    },
    [data, isError, path],
  );
}

/**
 * The gate for a guest's actions by name ({@link ACTION_PRIVILEGES}): each action is checked
 * on the guest's path, or on its fixed path (HA on `/`).
 */
export function useGuestActionGate(conn: string, vmid: number): (action: GuestAction) => string | null {
  const onGuest = usePrivilegeGate(conn, guestPath(vmid));
  const onRoot = usePrivilegeGate(conn, "/");
  return useCallback(
    (action: GuestAction) => {
      const need = ACTION_PRIVILEGES[action];
      const gate = need.path === "/" ? onRoot : onGuest;
      return gate(need.privileges, { any: need.any });
    },
    [onGuest, onRoot],
  );
}
