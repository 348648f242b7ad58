// Cloning a guest, like PVE's clone window: target node, VM ID (the next free one, checked
// when the field is left), name, linked or full clone (linked only from a template), the
// full clone's storage and the pool. The clone runs as a task in the task bar; a refusal is
// shown in place with every field kept, each field's message under the field.
import { useQuery } from "@tanstack/react-query";
import { Copy } from "lucide-react";
import { useId, useRef, useState } from "react";
import { api, toAppError, type CloneInput, type CloneOptions } from "@/backend";
import { connectionsQuery } from "@/features/connections/queries";
import { formatBytes } from "@/features/summary/format";
import { ErrorNotice } from "@/ui/ErrorNotice";
import { Field, Segmented } from "@/ui/form";
import {
  ActionDialog,
  DialogFooter,
  LoadingNotice,
  RefusalNotice,
  SelectField,
  TextField,
  useDraft,
  useRefusal,
  type GuestDialogProps,
} from "./dialogParts";
import { guestLabel } from "./power";
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

export function CloneDialog({ guest, target, returnFocus, onClose }: GuestDialogProps) {
  const id = useId();
  const options = useQuery(cloneOptionsQuery(guest));
  const connections = useQuery(connectionsQuery);
  const boundPool = connections.data?.find((c) => c.id === guest.connectionId)?.pool ?? null;
  const clone = useGuestClone(guest);

  const [form, update] = useDraft(options.data ? initialDraft(options.data, guest.node, boundPool) : null);
  const { refusal, fieldError, touch, clearEdited } = useRefusal(clone);
  // Editing a field hides the refusal's message under it.
  const edit = (field: "name" | "storage" | "pool") => (value: string) => {
    touch(field);
    update({ [field]: value });
  };

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
    clearEdited();
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
    <ActionDialog
      onClose={onClose}
      testId="clone-dialog"
      returnFocus={returnFocus}
      icon={<Copy aria-hidden className="size-5 text-muted" />}
      title={`Clone ${guestLabel(target)}`}
      onSubmit={submit}
      footer={
        <DialogFooter
          cancelTestId="clone-cancel"
          submitTestId="clone-submit"
          onCancel={onClose}
          pending={clone.isPending}
          disabled={!form || clone.isPending}
        >
          Clone
        </DialogFooter>
      }
    >
      {options.isError ? (
        <ErrorNotice error={options.error} title="Could not read what the clone can use" />
      ) : !form ? (
        <LoadingNotice testId="clone-loading">Reading the next free VM ID, nodes and pools…</LoadingNotice>
      ) : (
        <div className="space-y-3 text-sm">
          <RefusalNotice testId="clone-error" error={refusal} title={`Could not clone ${guestLabel(target)}`} />
          <div className="grid grid-cols-2 gap-3">
            <SelectField
              id={ids.node}
              label="Target node"
              testId="clone-node"
              error={fieldError("target")}
              errorTestId="clone-target-error"
              value={form.node}
              onChange={(node) => {
                touch("target");
                // Another node has other storages: the choice starts over.
                update({ node, storage: "" });
              }}
            >
              {(options.data?.nodes.length ? options.data.nodes : [guest.node]).map((n) => (
                <option key={n} value={n}>
                  {n}
                  {n === guest.node ? " (source)" : ""}
                </option>
              ))}
            </SelectField>
            <TextField
              id={ids.vmid}
              label="VM ID"
              testId="clone-newid"
              error={newidError}
              errorTestId="clone-newid-error"
              inputMode="numeric"
              value={form.vmid}
              onChange={(vmid) => {
                touch("newid");
                setVmidError(null);
                update({ vmid });
              }}
              onBlur={checkVmid}
            />
          </div>
          <TextField
            id={ids.name}
            label={guest.kind === "lxc" ? "Hostname" : "Name"}
            testId="clone-name"
            error={fieldError("name")}
            errorTestId="clone-name-error"
            spellCheck={false}
            placeholder={`The new guest's ${noun} (optional)`}
            value={form.name}
            onChange={edit("name")}
          />
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
            <SelectField
              id={ids.storage}
              label="Target storage"
              testId="clone-storage"
              error={fieldError("storage")}
              errorTestId="clone-storage-error"
              hint={storages.isError ? `Could not list the storages of ${form.node}: ${toAppError(storages.error).message}` : undefined}
              value={form.storage}
              onChange={edit("storage")}
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
            </SelectField>
          ) : null}
          <SelectField
            id={ids.pool}
            label="Pool"
            testId="clone-pool"
            error={fieldError("pool")}
            errorTestId="clone-pool-error"
            hint={boundPool ? `This connection is bound to the pool ${boundPool}: the clone goes there.` : undefined}
            value={form.pool}
            disabled={boundPool !== null}
            onChange={edit("pool")}
          >
            <option value="">No pool</option>
            {poolChoices.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </SelectField>
        </div>
      )}
    </ActionDialog>
  );
}
