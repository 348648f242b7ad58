// The digest a config form was filled from, the save that sends it, and the reload after a
// conflict (which takes the new digest and says what changed on the keys the form edits).
import { useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { api, type GuestConfig, type GuestRef } from "@/backend";
import { formValue } from "./propertyString";
import { guestConfigQuery } from "./queries";

export interface ConfigEdit {
  /** The config the form was filled from (the reloaded one after a conflict). */
  base: GuestConfig;
  save: (set: Record<string, string>, remove?: string[]) => Promise<void>;
  reload: () => Promise<ReactNode>;
}

export function useConfigEdit(guest: GuestRef, config: GuestConfig, keys: readonly string[]): ConfigEdit {
  const queryClient = useQueryClient();
  const [base, setBase] = useState(config);
  const query = guestConfigQuery(guest);
  return {
    base,
    save: async (set, remove = []) => {
      const next = await api.guestConfigUpdate(guest, { digest: base.digest, set, delete: remove, revert: [] });
      queryClient.setQueryData(query.queryKey, next);
    },
    reload: async () => {
      const fresh = await queryClient.fetchQuery({ ...query, staleTime: 0 });
      const changed = keys
        .map((k) => [k, formValue(base, k), formValue(fresh, k)] as const)
        .filter(([, before, after]) => before !== after);
      setBase(fresh);
      if (changed.length === 0) return null;
      return (
        <div>
          <p>Reloaded. Changed elsewhere (your values are kept; save to apply them over it):</p>
          <ul className="mt-1 font-mono text-xs">
            {changed.map(([k, before, after]) => (
              <li key={k}>
                {k}: {before ?? "(none)"} → {after ?? "(none)"}
              </li>
            ))}
          </ul>
        </div>
      );
    },
  };
}

/** The keys a form changed: `set` those that differ from where it started, `delete` those emptied. */
export function diffValues(
  start: Record<string, string | null>,
  next: Record<string, string | null>,
): { set: Record<string, string>; remove: string[] } {
  const set: Record<string, string> = {};
  const remove: string[] = [];
  for (const [k, v] of Object.entries(next)) {
    const before = start[k] ?? null;
    if (v === before) continue;
    if (v === null || v === "") {
      if (before !== null) remove.push(k);
    } else {
      set[k] = v;
    }
  }
  return { set, remove };
}
