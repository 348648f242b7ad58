// The guest's Options tab, as PVE's Options panel: name, start at boot, boot order, the QEMU
// guest agent, tags, description and protection; each row opens the same edit flow.
import { ArrowDown, ArrowUp } from "lucide-react";
import { useId, useState, type ReactNode } from "react";
import type { GuestConfig, GuestRef } from "@/backend";
import type { GuestTabProps } from "@/features/guests/tabs";
import { buttonClass } from "@/ui/button";
import { ErrorNotice } from "@/ui/ErrorNotice";
import { checkboxClass, describedBy, Field, FieldError, inputClass, textareaClass } from "@/ui/form";
import { EditDialog } from "./EditDialog";
import {
  agentEnabled,
  bootOrder,
  effectiveValue,
  entriesByKey,
  formValue,
  hasPending,
  naturalKeyOrder,
  splitTags,
  withAgentEnabled,
  withBootOrder,
} from "./propertyString";
import { ConfigTab, PendingValue, RowButton, useRevert, useSectionGate } from "./shared";
import { diffValues, useConfigEdit } from "./useConfigEdit";

type OptionId = "name" | "onboot" | "boot" | "agent" | "tags" | "description" | "protection";

interface OptionRow {
  id: OptionId;
  label: string;
  key: string;
  show: (v: string | null) => ReactNode;
}

const yesNo = (v: string | null) => (v === "1" ? "Yes" : "No");

function Chips({ tags }: { tags: string[] }) {
  if (tags.length === 0) return <span className="text-muted">none</span>;
  return (
    <span className="inline-flex flex-wrap gap-1">
      {tags.map((t) => (
        <span key={t} data-testid="tag-chip" className="rounded-full border border-line-strong bg-sunken px-2 py-px font-sans text-xs">
          {t}
        </span>
      ))}
    </span>
  );
}

function optionRows(guest: GuestRef): OptionRow[] {
  const vm = guest.kind === "qemu";
  const rows: (OptionRow | null)[] = [
    { id: "name", label: "Name", key: vm ? "name" : "hostname", show: (v) => v ?? `${vm ? "VM" : "CT"} ${guest.vmid}` },
    { id: "onboot", label: "Start at boot", key: "onboot", show: yesNo },
    vm
      ? {
          id: "boot",
          label: "Boot order",
          key: "boot",
          show: (v) => {
            const order = bootOrder(v);
            return order ? order.join(", ") || "none" : (v ?? "Default (disk, network)");
          },
        }
      : null,
    vm
      ? {
          id: "agent",
          label: "QEMU Guest Agent",
          key: "agent",
          show: (v) => (agentEnabled(v) ? `Enabled${v && v !== "1" ? ` (${v})` : ""}` : "Default (Disabled)"),
        }
      : null,
    { id: "tags", label: "Tags", key: "tags", show: (v) => <Chips tags={splitTags(v)} /> },
    {
      id: "description",
      label: "Description",
      key: "description",
      show: (v) => (v ? <span className="whitespace-pre-wrap font-sans">{v}</span> : <span className="text-muted">none</span>),
    },
    { id: "protection", label: "Protection", key: "protection", show: yesNo },
  ];
  return rows.filter((r): r is OptionRow => r !== null);
}

/** The devices that can boot: disks and network devices, present or pending. */
function bootable(config: GuestConfig): string[] {
  return config.entries
    .map((e) => e.key)
    .filter((k) => /^(scsi|virtio|sata|ide|net)\d+$/.test(k))
    .sort(naturalKeyOrder);
}

function OptionDialog({
  guest,
  config,
  row,
  onClose,
}: {
  guest: GuestRef;
  config: GuestConfig;
  row: OptionRow;
  onClose: () => void;
}) {
  const edit = useConfigEdit(guest, config, [row.key]);
  const id = useId();
  const start = formValue(config, row.key);
  const [text, setText] = useState(
    row.id === "tags" ? splitTags(start).join("; ") : (start ?? ""),
  );
  const [checked, setChecked] = useState(row.id === "agent" ? agentEnabled(start) : start === "1");
  const devices = bootable(config);
  const startOrder = bootOrder(start) ?? [];
  const [order, setOrder] = useState<{ dev: string; on: boolean }[]>(() => [
    ...startOrder.map((dev) => ({ dev, on: true })),
    ...devices.filter((d) => !startOrder.includes(d)).map((dev) => ({ dev, on: false })),
  ]);

  const nextValue = (base: string | null): string | null => {
    switch (row.id) {
      case "name":
        return text.trim() || null;
      case "tags":
        return splitTags(text).join(";") || null;
      case "description":
        return text === "" ? null : text;
      case "onboot":
      case "protection":
        return checked ? "1" : null;
      case "agent":
        return agentEnabled(base) === checked ? base : withAgentEnabled(base, checked);
      case "boot": {
        const chosen = order.filter((o) => o.on).map((o) => o.dev);
        const before = bootOrder(base);
        if (before !== null && before.join(";") === chosen.join(";")) return base;
        return withBootOrder(base, chosen);
      }
    }
  };

  const move = (i: number, by: -1 | 1) =>
    setOrder((o) => {
      const j = i + by;
      if (j < 0 || j >= o.length) return o;
      const copy = [...o];
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
      return copy;
    });

  return (
    <EditDialog
      title={row.label}
      testId={`edit-option-${row.id}`}
      fields={[row.key]}
      onClose={onClose}
      reload={edit.reload}
      save={async () => {
        const base = formValue(edit.base, row.key);
        const { set, remove } = diffValues({ [row.key]: base }, { [row.key]: nextValue(base) });
        if (Object.keys(set).length + remove.length > 0) await edit.save(set, remove);
      }}
    >
      {(errors) => {
        const error = errors[row.key];
        const cid = `${id}-${row.key}`;
        switch (row.id) {
          case "name":
          case "tags":
            return (
              <Field
                label={row.label}
                htmlFor={cid}
                error={error}
                hint={row.id === "tags" ? "Separate tags with ; (or , or spaces)." : undefined}
              >
                <input
                  {...describedBy(cid, { error, hint: row.id === "tags" })}
                  data-testid={`edit-${row.id}-input`}
                  className={inputClass}
                  value={text}
                  onChange={(e) => setText(e.target.value)}
                />
              </Field>
            );
          case "description":
            return (
              <Field label={row.label} htmlFor={cid} error={error}>
                <textarea
                  {...describedBy(cid, { error })}
                  data-testid="edit-description-input"
                  rows={8}
                  className={textareaClass}
                  value={text}
                  onChange={(e) => setText(e.target.value)}
                />
              </Field>
            );
          case "onboot":
          case "protection":
          case "agent":
            return (
              <div>
                <label className="flex items-center gap-2 text-sm">
                  <input
                    type="checkbox"
                    {...describedBy(cid, { error })}
                    data-testid={`edit-${row.id}-input`}
                    className={checkboxClass}
                    checked={checked}
                    onChange={(e) => setChecked(e.target.checked)}
                  />
                  {row.id === "onboot"
                    ? "Start at boot"
                    : row.id === "protection"
                      ? "Protection (no removal of the guest or its disks)"
                      : "Use the QEMU Guest Agent"}
                </label>
                <FieldError id={cid} error={error} />
              </div>
            );
          case "boot":
            return (
              <div>
                <p className="mb-1 text-sm text-muted">Checked devices boot in this order.</p>
                <ol className="space-y-1" data-testid="boot-order-list">
                  {order.map((o, i) => (
                    <li key={o.dev} data-testid={`boot-item-${o.dev}`} className="flex items-center gap-2 rounded border border-line px-2 py-1 text-sm">
                      <span className="w-5 text-right tabular-nums text-muted">{i + 1}.</span>
                      <label className="flex flex-1 items-center gap-2">
                        <input
                          type="checkbox"
                          data-testid={`boot-on-${o.dev}`}
                          className={checkboxClass}
                          checked={o.on}
                          onChange={(e) => setOrder((all) => all.map((x) => (x.dev === o.dev ? { ...x, on: e.target.checked } : x)))}
                        />
                        <span className="font-mono">{o.dev}</span>
                        <span className="truncate text-xs text-muted">{effectiveValue(config.entries.find((e) => e.key === o.dev))}</span>
                      </label>
                      <button
                        type="button"
                        aria-label={`Move ${o.dev} up`}
                        data-testid={`boot-up-${o.dev}`}
                        disabled={i === 0}
                        className={buttonClass("ghost", "size-6")}
                        onClick={() => move(i, -1)}
                      >
                        <ArrowUp aria-hidden className="size-3.5" />
                      </button>
                      <button
                        type="button"
                        aria-label={`Move ${o.dev} down`}
                        data-testid={`boot-down-${o.dev}`}
                        disabled={i === order.length - 1}
                        className={buttonClass("ghost", "size-6")}
                        onClick={() => move(i, 1)}
                      >
                        <ArrowDown aria-hidden className="size-3.5" />
                      </button>
                    </li>
                  ))}
                </ol>
                <FieldError id={cid} error={error} />
              </div>
            );
        }
      }}
    </EditDialog>
  );
}

function OptionsTable({ props, config }: { props: GuestTabProps; config: GuestConfig }) {
  const { guest } = props;
  const reason = useSectionGate(guest, props.blockedReason)("configure.options");
  const revert = useRevert(guest);
  const [editing, setEditing] = useState<OptionId | null>(null);
  const entries = entriesByKey(config);
  const rows = optionRows(guest);
  const row = rows.find((r) => r.id === editing);
  return (
    <div className="space-y-3">
      {revert.isError ? <ErrorNotice error={revert.error} title="Could not revert the pending change" /> : null}
      <table className="w-full border-collapse text-sm" data-testid="options-table">
        <tbody>
          {rows.map((r) => {
            const e = entries.get(r.key);
            const pending = hasPending(e);
            return (
              <tr key={r.id} data-testid={`opt-row-${r.id}`} className="border-b border-line align-top">
                <th scope="row" className="w-56 px-2 py-1.5 text-left font-medium whitespace-nowrap">
                  {r.label}
                </th>
                <td className="px-2 py-1.5">
                  <PendingValue
                    current={e?.value === null && pending ? null : r.show(e?.value ?? null)}
                    pending={pending && !e?.delete ? r.show(effectiveValue(e)) : undefined}
                    deleted={!!e?.delete}
                    testId={`opt-${r.id}`}
                  />
                </td>
                <td className="w-1 px-2 py-1 whitespace-nowrap">
                  <div className="flex justify-end gap-1">
                    <RowButton reason={reason} testId={`opt-edit-${r.id}`} label={`Edit ${r.label}`} onClick={() => setEditing(r.id)}>
                      Edit
                    </RowButton>
                    {pending ? (
                      <RowButton
                        reason={reason ?? (revert.isPending ? "Reverting…" : null)}
                        testId={`opt-revert-${r.id}`}
                        label={`Revert ${r.label}`}
                        onClick={() => revert.mutate({ config, keys: [r.key] })}
                      >
                        Revert
                      </RowButton>
                    ) : null}
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {row ? <OptionDialog guest={guest} config={config} row={row} onClose={() => setEditing(null)} /> : null}
    </div>
  );
}

export function OptionsTab(props: GuestTabProps) {
  return (
    <ConfigTab
      props={props}
      testId="guest-options"
      what="the options"
      render={(config) => <OptionsTable props={props} config={config} />}
    />
  );
}
