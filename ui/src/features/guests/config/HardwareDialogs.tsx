// The Hardware tab's edit dialogs: Memory, Processors, a network device, and disk resize.
import { useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { api, type GuestConfig, type GuestRef } from "@/backend";
import { tasksQuery } from "@/features/tasks/queries";
import { CheckboxField, describedBy, Field, FieldError, inputClass, selectClass } from "@/ui/form";
import { EditDialog } from "./EditDialog";
import {
  buildNet,
  CPU_TYPES,
  cpuType,
  formValue,
  NET_MODELS,
  parseNet,
  withCpuType,
} from "./propertyString";
import { guestConfigQuery } from "./queries";
import { checkFields, intError } from "./shared";
import { diffValues, useConfigEdit } from "./useConfigEdit";

interface DialogProps {
  guest: GuestRef;
  config: GuestConfig;
  onClose: () => void;
}

export function MemoryDialog({ guest, config, onClose }: DialogProps) {
  const vm = guest.kind === "qemu";
  const second = vm ? "balloon" : "swap";
  const edit = useConfigEdit(guest, config, ["memory", second]);
  const id = useId();
  const [memory, setMemory] = useState(formValue(config, "memory") ?? "512");
  const [extra, setExtra] = useState(formValue(config, second) ?? (vm ? "" : "512"));
  return (
    <EditDialog
      title="Memory"
      testId="edit-memory"
      fields={["memory", second]}
      onClose={onClose}
      reload={edit.reload}
      save={async () => {
        checkFields({
          memory: intError(memory, "Memory", 16),
          [second]: extra.trim() === "" && vm ? null : intError(extra, vm ? "Minimum memory" : "Swap", 0),
        });
        const start = { memory: formValue(edit.base, "memory") ?? "512", [second]: formValue(edit.base, second) ?? (vm ? null : "512") };
        const { set, remove } = diffValues(start, { memory: memory.trim(), [second]: extra.trim() || null });
        if (Object.keys(set).length + remove.length > 0) await edit.save(set, remove);
      }}
    >
      {(errors) => (
        <>
          <Field label="Memory (MiB)" htmlFor={`${id}-memory`} error={errors.memory}>
            <input
              {...describedBy(`${id}-memory`, { error: errors.memory })}
              data-testid="edit-memory-input"
              inputMode="numeric"
              className={inputClass}
              value={memory}
              onChange={(e) => setMemory(e.target.value)}
            />
          </Field>
          <Field
            label={vm ? "Minimum memory (MiB, balloon)" : "Swap (MiB)"}
            htmlFor={`${id}-${second}`}
            error={errors[second]}
            hint={vm ? "Empty: the same as the memory (no ballooning range); 0 turns the balloon device off." : undefined}
          >
            <input
              {...describedBy(`${id}-${second}`, { error: errors[second], hint: vm })}
              data-testid={`edit-${second}-input`}
              inputMode="numeric"
              className={inputClass}
              value={extra}
              onChange={(e) => setExtra(e.target.value)}
            />
          </Field>
        </>
      )}
    </EditDialog>
  );
}

export function ProcessorsDialog({ guest, config, onClose }: DialogProps) {
  const vm = guest.kind === "qemu";
  const keys = vm ? ["sockets", "cores", "cpu"] : ["cores"];
  const edit = useConfigEdit(guest, config, keys);
  const id = useId();
  const [sockets, setSockets] = useState(formValue(config, "sockets") ?? "1");
  const [cores, setCores] = useState(formValue(config, "cores") ?? (vm ? "1" : ""));
  const startType = cpuType(formValue(config, "cpu")) ?? "";
  const [type, setType] = useState(startType);
  const types = [...CPU_TYPES, ...(startType && !(CPU_TYPES as readonly string[]).includes(startType) ? [startType] : [])];
  return (
    <EditDialog
      title="Processors"
      testId="edit-processors"
      fields={keys}
      onClose={onClose}
      reload={edit.reload}
      save={async () => {
        checkFields({
          sockets: vm ? intError(sockets, "Sockets", 1, 4) : null,
          cores: !vm && cores.trim() === "" ? null : intError(cores, "Cores", 1, 8192),
        });
        const base = edit.base;
        const startCpu = formValue(base, "cpu");
        const start: Record<string, string | null> = vm
          ? { sockets: formValue(base, "sockets") ?? "1", cores: formValue(base, "cores") ?? "1", cpu: startCpu }
          : { cores: formValue(base, "cores") };
        const next: Record<string, string | null> = vm
          ? {
              sockets: sockets.trim(),
              cores: cores.trim(),
              cpu: type === (cpuType(startCpu) ?? "") ? startCpu : type === "" ? null : withCpuType(startCpu, type),
            }
          : { cores: cores.trim() || null };
        const { set, remove } = diffValues(start, next);
        if (Object.keys(set).length + remove.length > 0) await edit.save(set, remove);
      }}
    >
      {(errors) => (
        <>
          {vm ? (
            <Field label="Sockets" htmlFor={`${id}-sockets`} error={errors.sockets}>
              <input
                {...describedBy(`${id}-sockets`, { error: errors.sockets })}
                data-testid="edit-sockets-input"
                inputMode="numeric"
                className={inputClass}
                value={sockets}
                onChange={(e) => setSockets(e.target.value)}
              />
            </Field>
          ) : null}
          <Field
            label="Cores"
            htmlFor={`${id}-cores`}
            error={errors.cores}
            hint={vm ? undefined : "Empty: all of the node's cores."}
          >
            <input
              {...describedBy(`${id}-cores`, { error: errors.cores, hint: !vm })}
              data-testid="edit-cores-input"
              inputMode="numeric"
              className={inputClass}
              value={cores}
              onChange={(e) => setCores(e.target.value)}
            />
          </Field>
          {vm ? (
            <Field label="Type" htmlFor={`${id}-cpu`} error={errors.cpu}>
              <select
                {...describedBy(`${id}-cpu`, { error: errors.cpu })}
                data-testid="edit-cpu-select"
                className={selectClass}
                value={type}
                onChange={(e) => setType(e.target.value)}
              >
                <option value="">Default (kvm64)</option>
                {types.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </select>
            </Field>
          ) : null}
        </>
      )}
    </EditDialog>
  );
}

export function NetworkDialog({ guest, config, onClose, netKey }: DialogProps & { netKey: string }) {
  const vm = guest.kind === "qemu";
  const edit = useConfigEdit(guest, config, [netKey]);
  const id = useId();
  const startNet = parseNet(formValue(config, netKey) ?? "");
  const [bridge, setBridge] = useState(startNet.bridge);
  const [model, setModel] = useState(startNet.model ?? "virtio");
  const [tag, setTag] = useState(startNet.tag === null ? "" : String(startNet.tag));
  const [firewall, setFirewall] = useState(startNet.firewall);
  const models = [...NET_MODELS, ...(startNet.model && !(NET_MODELS as readonly string[]).includes(startNet.model) ? [startNet.model] : [])];
  return (
    <EditDialog
      title={`Network device (${netKey})`}
      testId="edit-network"
      fields={[netKey, "bridge", "tag"]}
      onClose={onClose}
      reload={edit.reload}
      save={async () => {
        checkFields({
          bridge: bridge.trim() === "" ? "A bridge is needed (vmbr0…)." : null,
          tag: tag.trim() === "" ? null : intError(tag, "The VLAN tag", 1, 4094),
        });
        const original = formValue(edit.base, netKey) ?? "";
        const parsed = parseNet(original);
        const next = buildNet(original, {
          model: vm ? model : null,
          mac: parsed.mac,
          bridge: bridge.trim(),
          tag: tag.trim() === "" ? null : Number(tag.trim()),
          firewall,
        });
        if (next !== original) await edit.save({ [netKey]: next });
      }}
    >
      {(errors) => (
        <>
          <Field label="Bridge" htmlFor={`${id}-bridge`} error={errors.bridge}>
            <input
              {...describedBy(`${id}-bridge`, { error: errors.bridge })}
              data-testid="edit-bridge-input"
              className={inputClass}
              value={bridge}
              onChange={(e) => setBridge(e.target.value)}
            />
          </Field>
          {vm ? (
            <Field label="Model" htmlFor={`${id}-model`}>
              <select
                id={`${id}-model`}
                data-testid="edit-model-select"
                className={selectClass}
                value={model}
                onChange={(e) => setModel(e.target.value)}
              >
                {models.map((m) => (
                  <option key={m} value={m}>
                    {m === "virtio" ? "VirtIO (paravirtualized)" : m}
                  </option>
                ))}
              </select>
            </Field>
          ) : null}
          <Field
            label="VLAN tag"
            htmlFor={`${id}-tag`}
            error={errors.tag}
            hint="1–4094; empty: no VLAN."
          >
            <input
              {...describedBy(`${id}-tag`, { error: errors.tag, hint: true })}
              data-testid="edit-tag-input"
              inputMode="numeric"
              placeholder="no VLAN"
              className={inputClass}
              value={tag}
              onChange={(e) => setTag(e.target.value)}
            />
          </Field>
          <CheckboxField testId="edit-firewall-input" checked={firewall} onChange={setFirewall}>
            Firewall
          </CheckboxField>
          <p className="text-sm text-muted">
            MAC address: <span className="font-mono">{startNet.mac ?? "generated by PVE"}</span> (kept)
          </p>
          <FieldError id={`${id}-net`} error={errors[netKey]} testId="edit-net-error" />
        </>
      )}
    </EditDialog>
  );
}

export function ResizeDialog({ guest, config, onClose, disk }: DialogProps & { disk: string }) {
  const queryClient = useQueryClient();
  const [base, setBase] = useState(config);
  const id = useId();
  const [gib, setGib] = useState("8");
  return (
    <EditDialog
      title={`Resize disk (${disk})`}
      testId="edit-resize"
      fields={["size"]}
      saveLabel="Resize disk"
      onClose={onClose}
      reload={async () => {
        const fresh = await queryClient.fetchQuery({ ...guestConfigQuery(guest), staleTime: 0 });
        setBase(fresh);
        return null;
      }}
      save={async () => {
        checkFields({ size: intError(gib, "The increment", 1, 1024 * 1024) });
        await api.guestDiskResize(guest, { disk, size: `+${gib.trim()}G`, digest: base.digest });
        void queryClient.invalidateQueries({ queryKey: tasksQuery.queryKey });
        void queryClient.invalidateQueries({ queryKey: guestConfigQuery(guest).queryKey });
      }}
    >
      {(errors) => (
        <>
          <p className="text-sm break-all text-muted">{formValue(base, disk)}</p>
          <Field
            label="Size increment (GiB)"
            htmlFor={`${id}-size`}
            error={errors.size}
            hint="Disks only grow; shrinking is not possible."
          >
            <input
              {...describedBy(`${id}-size`, { error: errors.size, hint: true })}
              data-testid="edit-size-input"
              inputMode="numeric"
              className={inputClass}
              value={gib}
              onChange={(e) => setGib(e.target.value)}
            />
          </Field>
        </>
      )}
    </EditDialog>
  );
}
