// Cloning a guest, like PVE's clone window: target node, VM ID (the next free one, checked
// when the field is left), name, linked or full clone (linked only from a template), the
// full clone's storage and the pool. The clone runs as a task in the task bar; a refusal is
// shown in place with every field kept, each field's message under the field.
import { useQuery } from "@tanstack/react-query";
import { Copy, LoaderCircle } from "lucide-react";
import { useId, useRef, useState } from "react";
import { api, toAppError, type CloneInput, type CloneOptions, type GuestRef } from "@/backend";
import { connectionsQuery } from "@/features/connections/queries";
import { formatBytes } from "@/features/summary/format";
import { buttonClass } from "@/ui/button";
import { Dialog } from "@/ui/Dialog";
import { ErrorNotice } from "@/ui/ErrorNotice";
import { describedBy, Field, inputClass, Segmented, selectClass } from "@/ui/form";
import { guestLabel, type PowerTarget } from "./power";
import { cloneOptionsQuery, storagesQuery, useGuestClone } from "./queries";

interface Draft {
  node: string;
  vmid: string;
  name: string;
  full: boolean;
  /** "" = the same storage as the source. */
  storage: string;
  /** "" = no pool. */
  pool: string;
}

const VMID_RANGE = "The VM ID is a whole number from 100 to 999999999";

/** The VMID typed, or `null` when it is not one PVE accepts. */
export function parseVmid(text: string): number | null {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return n >= 100 && n <= 999_999_999 ? n : null;
}

function initialDraft(options: CloneOptions, sourceNode: string, boundPool: string | null): Draft {
  return {
    node: options.nodes[0] ?? sourceNode,
    vmid: String(options.nextVmid),
    name: options.name ? `${options.name}-clone` : "",
    full: !options.template,
    storage: "",
    pool: boundPool ?? "",
  };
}

export function CloneDialog({
  guest,
  target,
  returnFocus,
  onClose,
}: {
  guest: GuestRef;
  target: PowerTarget;
  returnFocus: HTMLElement | null;
  onClose: () => void;
}) {
  const id = useId();
  const options = useQuery(cloneOptionsQuery(guest));
  const connections = useQuery(connectionsQuery);
  const boundPool = connections.data?.find((c) => c.id === guest.connectionId)?.pool ?? null;
  const clone = useGuestClone(guest);

  // The form shows the proposed values until the first edit; from then on, what was typed.
  const [draft, setDraft] = useState<Draft | null>(null);
  const form = draft ?? (options.data ? initialDraft(options.data, guest.node, boundPool) : null);
  const update = (patch: Partial<Draft>) => {
    if (form) setDraft({ ...form, ...patch });
  };

  // Fields edited since the last refusal: their message from that refusal is no longer shown.
  const [edited, setEdited] = useState<ReadonlySet<string>>(new Set());
  const touch = (field: string) => setEdited((s) => (s.has(field) ? s : new Set(s).add(field)));
  const refusal = clone.isError ? toAppError(clone.error) : null;
  const fieldError = (field: string) => (refusal && !edited.has(field) ? (refusal.fields[field] ?? null) : null);

  // The VMID is checked when its field is left; only the latest check's answer counts.
  const [vmidError, setVmidError] = useState<string | null>(null);
  const checkSeq = useRef(0);
  const checkVmid = (text: string) => {
    const seq = ++checkSeq.current;
    const vmid = parseVmid(text);
    if (vmid === null) {
      setVmidError(VMID_RANGE);
      return;
    }
    // The proposed one is the cluster's next free VMID: nothing to ask.
    if (vmid === options.data?.nextVmid) {
      setVmidError(null);
      return;
    }
    api.guestCheckVmid(guest.connectionId, vmid).then(
      () => {
        if (seq === checkSeq.current) setVmidError(null);
      },
      (e: unknown) => {
        if (seq !== checkSeq.current) return;
        const error = toAppError(e);
        setVmidError(error.fields.newid ?? error.message);
      },
    );
  };

  const storages = useQuery({
    ...storagesQuery(guest.connectionId, form?.node ?? guest.node, guest.kind),
    enabled: form?.full ?? false,
  });

  const template = options.data?.template ?? false;
  const pools = options.data?.pools ?? [];
  const poolChoices = boundPool && !pools.includes(boundPool) ? [boundPool, ...pools] : pools;

  const submit = () => {
    if (!form || clone.isPending) return;
    const newid = parseVmid(form.vmid);
    if (newid === null) {
      setVmidError(VMID_RANGE);
      return;
    }
    const input: CloneInput = {
      newid,
      name: form.name.trim() || null,
      target: form.node === guest.node ? null : form.node,
      full: form.full,
      storage: form.full && form.storage ? form.storage : null,
      pool: form.pool || null,
    };
    setEdited(new Set());
    clone.mutate(input, { onSuccess: onClose });
  };

  const ids = {
    node: `${id}-node`,
    vmid: `${id}-vmid`,
    name: `${id}-name`,
    mode: `${id}-mode`,
    storage: `${id}-storage`,
    pool: `${id}-pool`,
  };
  const newidError = vmidError ?? fieldError("newid");
  const noun = guest.kind === "lxc" ? "hostname" : "name";

  return (
    <Dialog
      open
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      testId="clone-dialog"
      returnFocus={returnFocus}
      icon={<Copy aria-hidden className="size-5 text-muted" />}
      title={`Clone ${guestLabel(target)}`}
      onSubmit={submit}
      footer={
        <>
          <span className="flex-1" />
          <button type="button" data-testid="clone-cancel" className={buttonClass("secondary", "h-7 px-3")} onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            data-testid="clone-submit"
            className={buttonClass("primary", "h-7 px-3")}
            disabled={!form || clone.isPending}
            aria-busy={clone.isPending}
          >
            {clone.isPending ? <LoaderCircle aria-hidden className="size-3.5 animate-spin" /> : null}
            Clone
          </button>
        </>
      }
    >
      {options.isError ? (
        <ErrorNotice error={options.error} title="Could not read what the clone can use" />
      ) : !form ? (
        <p className="flex items-center gap-2 text-sm text-muted" data-testid="clone-loading">
          <LoaderCircle aria-hidden className="size-3.5 animate-spin" />
          Reading the next free VM ID, nodes and pools…
        </p>
      ) : (
        <div className="space-y-3 text-sm">
          {refusal ? (
            <div data-testid="clone-error">
              <ErrorNotice error={refusal} title={`Could not clone ${guestLabel(target)}`} />
            </div>
          ) : null}
          <div className="grid grid-cols-2 gap-3">
            <Field label="Target node" htmlFor={ids.node} error={fieldError("target")} errorTestId="clone-target-error">
              <select
                {...describedBy(ids.node, { error: fieldError("target") })}
                data-testid="clone-node"
                className={selectClass}
                value={form.node}
                onChange={(e) => {
                  touch("target");
                  // Another node has other storages: the choice starts over.
                  update({ node: e.target.value, storage: "" });
                }}
              >
                {(options.data?.nodes.length ? options.data.nodes : [guest.node]).map((n) => (
                  <option key={n} value={n}>
                    {n}
                    {n === guest.node ? " (source)" : ""}
                  </option>
                ))}
              </select>
            </Field>
            <Field label="VM ID" htmlFor={ids.vmid} error={newidError} errorTestId="clone-newid-error">
              <input
                {...describedBy(ids.vmid, { error: newidError })}
                data-testid="clone-newid"
                className={inputClass}
                inputMode="numeric"
                autoComplete="off"
                value={form.vmid}
                onChange={(e) => {
                  touch("newid");
                  setVmidError(null);
                  update({ vmid: e.target.value });
                }}
                onBlur={(e) => checkVmid(e.target.value)}
              />
            </Field>
          </div>
          <Field
            label={guest.kind === "lxc" ? "Hostname" : "Name"}
            htmlFor={ids.name}
            error={fieldError("name")}
            errorTestId="clone-name-error"
          >
            <input
              {...describedBy(ids.name, { error: fieldError("name") })}
              data-testid="clone-name"
              className={inputClass}
              autoComplete="off"
              spellCheck={false}
              placeholder={`The new guest's ${noun} (optional)`}
              value={form.name}
              onChange={(e) => {
                touch("name");
                update({ name: e.target.value });
              }}
            />
          </Field>
          <Field
            label="Mode"
            labelId={ids.mode}
            hint={
              template
                ? form.full
                  ? "Copies every disk: the clone does not depend on the template."
                  : "Shares the template's disks and stores only the changes: quick and small, but the template must stay."
                : "A linked clone can only be made from a template."
            }
          >
            <Segmented
              labelledBy={ids.mode}
              value={form.full ? "full" : "linked"}
              disabled={!template}
              onChange={(v) => update({ full: v === "full", storage: "" })}
              options={[
                { value: "linked", label: "Linked clone", testId: "clone-mode-linked" },
                { value: "full", label: "Full clone", testId: "clone-mode-full" },
              ]}
            />
          </Field>
          {form.full ? (
            <Field
              label="Target storage"
              htmlFor={ids.storage}
              error={fieldError("storage")}
              errorTestId="clone-storage-error"
              hint={storages.isError ? `Could not list the storages of ${form.node}: ${toAppError(storages.error).message}` : undefined}
            >
              <select
                {...describedBy(ids.storage, { error: fieldError("storage"), hint: storages.isError })}
                data-testid="clone-storage"
                className={selectClass}
                value={form.storage}
                onChange={(e) => {
                  touch("storage");
                  update({ storage: e.target.value });
                }}
              >
                <option value="">Same as source</option>
                {form.storage && !storages.data?.some((s) => s.storage === form.storage) ? (
                  <option value={form.storage}>{form.storage}</option>
                ) : null}
                {(storages.data ?? []).map((s) => (
                  <option key={s.storage} value={s.storage}>
                    {s.storage} ({s.kind}
                    {s.shared ? ", shared" : ""}
                    {s.avail != null ? `, ${formatBytes(s.avail)} free` : ""})
                  </option>
                ))}
              </select>
            </Field>
          ) : null}
          <Field
            label="Pool"
            htmlFor={ids.pool}
            error={fieldError("pool")}
            errorTestId="clone-pool-error"
            hint={boundPool ? `This connection is bound to the pool ${boundPool}: the clone goes there.` : undefined}
          >
            <select
              {...describedBy(ids.pool, { error: fieldError("pool"), hint: boundPool !== null })}
              data-testid="clone-pool"
              className={selectClass}
              value={form.pool}
              disabled={boundPool !== null}
              onChange={(e) => {
                touch("pool");
                update({ pool: e.target.value });
              }}
            >
              <option value="">No pool</option>
              {poolChoices.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          </Field>
        </div>
      )}
    </Dialog>
  );
}
