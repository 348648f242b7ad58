// The guest's Hardware tab, as PVE's Hardware panel: memory, processors, the read-only
// firmware rows, every disk, network device and unused disk, each with its pending value
// beneath it. Memory, processors and network devices open an edit dialog; disks can grow;
// a pending change can be reverted.
import { useState } from "react";
import type { ConfigEntry, GuestConfig, GuestRef } from "@/backend";
import type { GuestTabProps } from "@/features/guests/tabs";
import type { GuestAction } from "@/features/permissions/privileges";
import { ErrorNotice } from "@/ui/ErrorNotice";
import { MemoryDialog, NetworkDialog, ProcessorsDialog, ResizeDialog } from "./HardwareDialogs";
import { cpuType, effectiveValue, entriesByKey, hasPending, naturalKeyOrder } from "./propertyString";
import { ConfigTab, PendingValue, RowButton, useRevert, useSectionGate } from "./shared";

type Get = (key: string) => string | null;
type EditKind = "memory" | "processors" | "network" | "resize";

interface HwRow {
  id: string;
  label: string;
  keys: string[];
  show: (get: Get) => string | null;
  edit?: "memory" | "processors" | "network";
  resize?: boolean;
  action: GuestAction;
}

const DISK = /^(scsi|virtio|sata|ide)\d+$/;
const CT_DISK = /^(rootfs|mp\d+)$/;

function mib(v: string | null, fallback: string): string {
  return `${v ?? fallback} MiB`;
}

function diskLabel(key: string, value: string | null): string {
  if (key === "efidisk0") return "EFI Disk";
  if (key === "tpmstate0") return "TPM State";
  if (key === "rootfs") return "Root Disk";
  if (key.startsWith("mp")) return `Mount Point (${key})`;
  if (value?.includes("media=cdrom")) return `CD/DVD Drive (${key})`;
  return `Hard Disk (${key})`;
}

/** The rows of the table, from the keys present now or pending. */
export function hardwareRows(guest: GuestRef, entries: Map<string, ConfigEntry>): HwRow[] {
  const vm = guest.kind === "qemu";
  const rows: HwRow[] = [
    { id: "memory", label: "Memory", keys: ["memory"], show: (g) => mib(g("memory"), "512"), edit: "memory", action: "configure.memory" },
    vm
      ? {
          id: "balloon",
          label: "Minimum memory (balloon)",
          keys: ["balloon"],
          show: (g) => {
            const b = g("balloon");
            return b === null ? "Same as memory" : b === "0" ? "Ballooning off" : `${b} MiB`;
          },
          edit: "memory",
          action: "configure.memory",
        }
      : { id: "swap", label: "Swap", keys: ["swap"], show: (g) => mib(g("swap"), "512"), edit: "memory", action: "configure.memory" },
    vm
      ? {
          id: "processors",
          label: "Processors",
          keys: ["sockets", "cores", "cpu"],
          show: (g) => {
            const s = Number(g("sockets") ?? "1");
            const c = Number(g("cores") ?? "1");
            return `${s * c} (${s} socket${s === 1 ? "" : "s"}, ${c} core${c === 1 ? "" : "s"}) [${cpuType(g("cpu")) ?? "kvm64"}]`;
          },
          edit: "processors",
          action: "configure.cpu",
        }
      : {
          id: "processors",
          label: "Cores",
          keys: ["cores"],
          show: (g) => g("cores") ?? "unlimited",
          edit: "processors",
          action: "configure.cpu",
        },
  ];
  if (vm) {
    rows.push(
      { id: "bios", label: "BIOS", keys: ["bios"], show: (g) => (g("bios") === "ovmf" ? "OVMF (UEFI)" : g("bios") ?? "Default (SeaBIOS)"), action: "configure.options" },
      { id: "machine", label: "Machine", keys: ["machine"], show: (g) => g("machine") ?? "Default (i440fx)", action: "configure.options" },
      { id: "scsihw", label: "SCSI Controller", keys: ["scsihw"], show: (g) => g("scsihw") ?? "Default (LSI 53C895A)", action: "configure.options" },
    );
  }
  const keys = [...entries.keys()].sort(naturalKeyOrder);
  const disks = vm
    ? [...keys.filter((k) => DISK.test(k)), ...keys.filter((k) => k === "efidisk0" || k === "tpmstate0")]
    : [...keys.filter((k) => k === "rootfs"), ...keys.filter((k) => k !== "rootfs" && CT_DISK.test(k))];
  for (const key of disks) {
    const e = entries.get(key);
    const value = e?.value ?? e?.pending ?? null;
    const cdrom = value?.includes("media=cdrom") ?? false;
    rows.push({
      id: key,
      label: diskLabel(key, value),
      keys: [key],
      show: (g) => g(key),
      resize: !cdrom && key !== "efidisk0" && key !== "tpmstate0" && e?.value !== null,
      action: "configure.disk",
    });
  }
  for (const key of keys.filter((k) => /^net\d+$/.test(k))) {
    rows.push({ id: key, label: `Network Device (${key})`, keys: [key], show: (g) => g(key), edit: "network", action: "configure.network" });
  }
  for (const key of keys.filter((k) => /^unused\d+$/.test(k))) {
    rows.push({ id: key, label: `Unused Disk ${key.slice(6)}`, keys: [key], show: (g) => g(key), action: "configure.disk" });
  }
  return rows;
}

function HardwareTable({ props, config }: { props: GuestTabProps; config: GuestConfig }) {
  const { guest } = props;
  const reason = useSectionGate(guest, props.blockedReason);
  const revert = useRevert(guest);
  const [editing, setEditing] = useState<{ kind: EditKind; key: string } | null>(null);
  const entries = entriesByKey(config);
  const rows = hardwareRows(guest, entries);
  const close = () => setEditing(null);
  return (
    <div className="space-y-3">
      {revert.isError ? <ErrorNotice error={revert.error} title="Could not revert the pending change" /> : null}
      <table className="w-full border-collapse text-sm" data-testid="hardware-table">
        <thead>
          <tr className="border-b border-line text-left text-xs text-muted">
            <th className="w-56 px-2 py-1 font-medium">Device</th>
            <th className="px-2 py-1 font-medium">Value</th>
            <th className="w-1 px-2 py-1 font-medium">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const rowEntries = row.keys.map((k) => entries.get(k));
            const pending = rowEntries.some(hasPending);
            // A key only pending has no current value; a key absent altogether shows its default.
            const present = rowEntries.filter((e) => e !== undefined);
            const onlyPending = present.length > 0 && present.every((e) => e.value === null);
            const deleted = rowEntries.filter(Boolean).length > 0 && rowEntries.every((e) => !e || e.delete);
            const current = onlyPending ? null : row.show((k) => entries.get(k)?.value ?? null);
            const next = pending && !deleted ? row.show((k) => effectiveValue(entries.get(k))) : undefined;
            const pendingKeys = row.keys.filter((k) => hasPending(entries.get(k)));
            const why = reason(row.action);
            return (
              <tr key={row.id} data-testid={`hw-row-${row.id}`} className="border-b border-line align-top">
                <th scope="row" className="px-2 py-1.5 text-left font-medium whitespace-nowrap">
                  {row.label}
                </th>
                <td className="px-2 py-1.5 font-mono text-xs tabular-nums">
                  <PendingValue current={current} pending={next ?? undefined} deleted={deleted && pending} testId={`hw-${row.id}`} />
                </td>
                <td className="px-2 py-1 whitespace-nowrap">
                  <div className="flex justify-end gap-1">
                    {row.edit ? (
                      <RowButton
                        reason={why}
                        testId={`hw-edit-${row.id}`}
                        label={`Edit ${row.label}`}
                        onClick={() => setEditing({ kind: row.edit!, key: row.id })}
                      >
                        Edit
                      </RowButton>
                    ) : null}
                    {row.resize ? (
                      <RowButton
                        reason={why}
                        testId={`hw-resize-${row.id}`}
                        label={`Resize ${row.label}`}
                        onClick={() => setEditing({ kind: "resize", key: row.id })}
                      >
                        Resize disk
                      </RowButton>
                    ) : null}
                    {pendingKeys.length > 0 ? (
                      <RowButton
                        reason={why ?? (revert.isPending ? "Reverting…" : null)}
                        testId={`hw-revert-${row.id}`}
                        label={`Revert ${row.label}`}
                        onClick={() => revert.mutate({ config, keys: pendingKeys })}
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
      {editing?.kind === "memory" ? <MemoryDialog guest={guest} config={config} onClose={close} /> : null}
      {editing?.kind === "processors" ? <ProcessorsDialog guest={guest} config={config} onClose={close} /> : null}
      {editing?.kind === "network" ? (
        <NetworkDialog guest={guest} config={config} netKey={editing.key} onClose={close} />
      ) : null}
      {editing?.kind === "resize" ? (
        <ResizeDialog guest={guest} config={config} disk={editing.key} onClose={close} />
      ) : null}
    </div>
  );
}

export function HardwareTab(props: GuestTabProps) {
  return (
    <ConfigTab
      props={props}
      testId="guest-hardware"
      what="the hardware configuration"
      render={(config) => <HardwareTable props={props} config={config} />}
    />
  );
}
