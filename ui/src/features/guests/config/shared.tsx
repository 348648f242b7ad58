// Pieces the configuration tabs share: a current value with its pending one beneath (as PVE
// shows them), the action buttons with their disabled reason, and the gate of each section.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { api, AppErrorException, type GuestConfig, type GuestRef } from "@/backend";
import { useGuestActionGate } from "@/features/permissions/gate";
import type { GuestTabProps } from "@/features/guests/tabs";
import { useFreshness } from "@/features/inventory/freshness";
import type { GuestAction } from "@/features/permissions/privileges";
import { Fetched } from "@/features/summary/Offline";
import { buttonClass } from "@/ui/button";
import { DisabledReason } from "@/ui/Tooltip";
import { guestConfigQuery } from "./queries";

/** The current value; beneath it the pending one in red with "(pending)"; a pending removal struck through. */
export function PendingValue({
  current,
  pending,
  deleted,
  testId,
}: {
  current: ReactNode;
  /** `undefined`: nothing pending. */
  pending?: ReactNode;
  deleted?: boolean;
  testId: string;
}) {
  return (
    <div className="min-w-0 break-words">
      {current !== null && current !== undefined && current !== "" ? (
        <div className={deleted ? "text-error line-through" : ""} data-testid={`${testId}-current`}>
          {current}
        </div>
      ) : null}
      {deleted ? (
        <div data-testid={`${testId}-pending`} className="text-xs text-error">
          (pending removal)
        </div>
      ) : pending !== undefined ? (
        <div data-testid={`${testId}-pending`} className="font-medium text-error">
          {pending} <span className="text-xs font-normal">(pending)</span>
        </div>
      ) : null}
    </div>
  );
}

/** A small button in a table row, disabled with its reason. */
export function RowButton({
  reason,
  onClick,
  testId,
  children,
  label,
}: {
  reason: string | null;
  onClick: () => void;
  testId: string;
  children: ReactNode;
  /** The accessible name, when the visible text is not enough ("Edit Memory"). */
  label?: string;
}) {
  return (
    <DisabledReason reason={reason}>
      <button
        type="button"
        data-testid={testId}
        aria-label={label}
        className={buttonClass("secondary", "h-6 px-2 text-xs")}
        onClick={onClick}
      >
        {children}
      </button>
    </DisabledReason>
  );
}

/** Why an action of a section is disabled now: the cluster is offline, or the login lacks the privilege. */
export function useSectionGate(guest: GuestRef, blockedReason: string | null): (action: GuestAction) => string | null {
  const gate = useGuestActionGate(guest.connectionId, guest.vmid);
  return (action) => blockedReason ?? gate(action);
}

/** Drops the pending changes of `keys` (PVE's `revert`), with the digest the table was read with. */
export function useRevert(guest: GuestRef) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ config, keys }: { config: GuestConfig; keys: string[] }) =>
      api.guestConfigUpdate(guest, { digest: config.digest, set: {}, delete: [], revert: keys }),
    onSuccess: (next) => queryClient.setQueryData(guestConfigQuery(guest).queryKey, next),
    onError: (e) => {
      if (e instanceof AppErrorException && e.code === "Conflict") {
        void queryClient.invalidateQueries({ queryKey: guestConfigQuery(guest).queryKey });
      }
    },
  });
}

/** Throws an `Invalid` error for the fields a form found wrong itself (shown like PVE's own). */
export function checkFields(fields: Record<string, string | null>) {
  const wrong = Object.fromEntries(Object.entries(fields).filter(([, m]) => m !== null)) as Record<string, string>;
  if (Object.keys(wrong).length > 0) {
    throw new AppErrorException({ code: "Invalid", message: "Check the marked fields.", fields: wrong });
  }
}

/** A whole number within bounds, or the message saying why not. */
export function intError(text: string, label: string, min: number, max = Number.MAX_SAFE_INTEGER): string | null {
  if (!/^\d+$/.test(text.trim())) return `${label} must be a whole number.`;
  const n = Number(text.trim());
  if (n < min || n > max) return `${label} must be between ${min} and ${max}.`;
  return null;
}

/** A tab drawn from the guest's configuration: loaded (or last known while offline), then `render`. */
export function ConfigTab({
  props,
  testId,
  what,
  render,
}: {
  props: GuestTabProps;
  testId: string;
  what: string;
  render: (config: GuestConfig) => ReactNode;
}) {
  const query = useQuery(guestConfigQuery(props.guest));
  const freshness = useFreshness(props.guest.connectionId);
  return (
    <div data-testid={testId}>
      <Fetched query={query} freshness={freshness} what={what} errorTitle="Could not load the configuration">
        {render}
      </Fetched>
    </div>
  );
}
