// The VM's Cloud-Init tab, as PVE's Cloud-Init panel: user, password (write-only), SSH keys,
// DNS, and one IP Config row per network device. Values not yet in the generated image are
// marked, and "Regenerate Image" applies them.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { RefreshCw } from "lucide-react";
import { useId, useRef, useState, type ReactNode } from "react";
import { api, type CloudInitConfig, type CloudInitInput, type GuestRef } from "@/backend";
import type { GuestTabProps } from "@/features/guests/tabs";
import { useFreshness } from "@/features/inventory/freshness";
import { Fetched } from "@/features/summary/Offline";
import { buttonClass } from "@/ui/button";
import { ErrorNotice } from "@/ui/ErrorNotice";
import { describedBy, Field, FieldError, inputClass, Segmented, textareaClass } from "@/ui/form";
import { DisabledReason } from "@/ui/Tooltip";
import { EditDialog } from "./EditDialog";
import { buildIpConfig, parseIpConfig, type Ip4Mode, type Ip6Mode, type IpConfig } from "./propertyString";
import { cloudinitQuery } from "./queries";
import { checkFields, RowButton, useSectionGate } from "./shared";

type CiField = "user" | "password" | "sshKeys" | "searchdomain" | "nameserver" | `ipconfig${number}`;

interface CiRow {
  id: CiField;
  label: string;
  /** PVE's key, as `changed` names it. */
  pveKey: string;
  show: (c: CloudInitConfig) => ReactNode;
}

const none = <span className="text-muted">none</span>;

function ipText(value: string | undefined): ReactNode {
  if (!value) return none;
  return value;
}

function ciRows(c: CloudInitConfig): CiRow[] {
  return [
    { id: "user", label: "User", pveKey: "ciuser", show: (c) => c.user ?? <span className="text-muted">Default (image's user)</span> },
    { id: "password", label: "Password", pveKey: "cipassword", show: (c) => (c.passwordSet ? "set" : none) },
    { id: "searchdomain", label: "DNS domain", pveKey: "searchdomain", show: (c) => c.searchdomain ?? <span className="text-muted">use host settings</span> },
    { id: "nameserver", label: "DNS servers", pveKey: "nameserver", show: (c) => c.nameserver ?? <span className="text-muted">use host settings</span> },
    {
      id: "sshKeys",
      label: "SSH public keys",
      pveKey: "sshkeys",
      show: (c) =>
        c.sshKeys.length === 0 ? none : (
          <ul className="space-y-0.5">
            {c.sshKeys.map((k, i) => (
              <li key={i} className="truncate font-mono text-xs" title={k}>
                {k}
              </li>
            ))}
          </ul>
        ),
    },
    ...c.nets.map((net): CiRow => {
      const key = `ipconfig${net.slice(3)}` as CiField;
      return { id: key, label: `IP Config (${net})`, pveKey: key, show: (c) => ipText(c.ipconfig[key]) };
    }),
  ];
}

function IpConfigFields({
  value,
  onChange,
  error,
  id,
}: {
  value: IpConfig;
  onChange: (v: IpConfig) => void;
  error: string | undefined;
  id: string;
}) {
  return (
    <div className="space-y-3">
      <div className="space-y-2">
        <span id={`${id}-v4`} className="block text-sm font-medium">
          IPv4
        </span>
        <Segmented<Ip4Mode>
          labelledBy={`${id}-v4`}
          value={value.ip4}
          onChange={(ip4) => onChange({ ...value, ip4 })}
          options={[
            { value: "none", label: "None", testId: "ip4-none" },
            { value: "dhcp", label: "DHCP", testId: "ip4-dhcp" },
            { value: "static", label: "Static", testId: "ip4-static" },
          ]}
        />
        {value.ip4 === "static" ? (
          <div className="grid grid-cols-2 gap-2">
            <Field label="IPv4/CIDR" htmlFor={`${id}-ip4`}>
              <input
                id={`${id}-ip4`}
                data-testid="ip4-cidr"
                placeholder="192.0.2.10/24"
                className={inputClass}
                value={value.ip4Cidr}
                onChange={(e) => onChange({ ...value, ip4Cidr: e.target.value })}
              />
            </Field>
            <Field label="Gateway (IPv4)" htmlFor={`${id}-gw4`}>
              <input
                id={`${id}-gw4`}
                data-testid="ip4-gw"
                placeholder="192.0.2.1"
                className={inputClass}
                value={value.gw4}
                onChange={(e) => onChange({ ...value, gw4: e.target.value })}
              />
            </Field>
          </div>
        ) : null}
      </div>
      <div className="space-y-2">
        <span id={`${id}-v6`} className="block text-sm font-medium">
          IPv6
        </span>
        <Segmented<Ip6Mode>
          labelledBy={`${id}-v6`}
          value={value.ip6}
          onChange={(ip6) => onChange({ ...value, ip6 })}
          options={[
            { value: "none", label: "None", testId: "ip6-none" },
            { value: "dhcp", label: "DHCP", testId: "ip6-dhcp" },
            { value: "auto", label: "SLAAC", testId: "ip6-auto" },
            { value: "static", label: "Static", testId: "ip6-static" },
          ]}
        />
        {value.ip6 === "static" ? (
          <div className="grid grid-cols-2 gap-2">
            <Field label="IPv6/CIDR" htmlFor={`${id}-ip6`}>
              <input
                id={`${id}-ip6`}
                data-testid="ip6-cidr"
                placeholder="2001:db8::10/64"
                className={inputClass}
                value={value.ip6Cidr}
                onChange={(e) => onChange({ ...value, ip6Cidr: e.target.value })}
              />
            </Field>
            <Field label="Gateway (IPv6)" htmlFor={`${id}-gw6`}>
              <input
                id={`${id}-gw6`}
                data-testid="ip6-gw"
                className={inputClass}
                value={value.gw6}
                onChange={(e) => onChange({ ...value, gw6: e.target.value })}
              />
            </Field>
          </div>
        ) : null}
      </div>
      <FieldError id={`${id}-ip`} error={error} testId="ipconfig-error" />
    </div>
  );
}

function CiDialog({
  guest,
  config,
  row,
  onClose,
}: {
  guest: GuestRef;
  config: CloudInitConfig;
  row: CiRow;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const id = useId();
  const [digest, setDigest] = useState(config.digest);
  const initial =
    row.id === "user"
      ? (config.user ?? "")
      : row.id === "searchdomain"
        ? (config.searchdomain ?? "")
        : row.id === "nameserver"
          ? (config.nameserver ?? "")
          : row.id === "sshKeys"
            ? config.sshKeys.join("\n")
            : "";
  const [text, setText] = useState(initial);
  // The password lives in this field only: never filled from the cluster, emptied once sent.
  const password = useRef<HTMLInputElement>(null);
  const [ip, setIp] = useState(() => parseIpConfig(row.id.startsWith("ipconfig") ? config.ipconfig[row.id] : ""));
  const isIp = row.id.startsWith("ipconfig");

  return (
    <EditDialog
      title={row.label}
      testId={`edit-ci-${row.id}`}
      fields={[row.id]}
      onClose={onClose}
      reload={async () => {
        const fresh = await queryClient.fetchQuery({ ...cloudinitQuery(guest), staleTime: 0 });
        setDigest(fresh.digest);
        return null;
      }}
      save={async () => {
        const input: CloudInitInput = { digest, ipconfig: {} };
        if (isIp) {
          checkFields({
            [row.id]:
              (ip.ip4 === "static" && !ip.ip4Cidr.includes("/")) || (ip.ip6 === "static" && !ip.ip6Cidr.includes("/"))
                ? "A static address needs its prefix length (192.0.2.10/24)."
                : null,
          });
          input.ipconfig = { [row.id]: buildIpConfig(ip) };
        } else if (row.id === "password") {
          input.password = password.current?.value ?? "";
        } else if (row.id === "sshKeys") {
          input.sshKeys = text
            .split("\n")
            .map((l) => l.trim())
            .filter(Boolean);
        } else {
          input[row.id as "user" | "searchdomain" | "nameserver"] = text.trim();
        }
        try {
          const next = await api.guestCloudinitSet(guest, input);
          queryClient.setQueryData(cloudinitQuery(guest).queryKey, next);
        } finally {
          // Not kept in memory longer than the call: the input object drops it too.
          if (input.password !== undefined) input.password = null;
        }
        if (password.current) password.current.value = "";
      }}
    >
      {(errors) => {
        const error = errors[row.id];
        const cid = `${id}-${row.id}`;
        if (isIp) return <IpConfigFields value={ip} onChange={setIp} error={error} id={cid} />;
        if (row.id === "password") {
          return (
            <Field
              label="New password"
              htmlFor={cid}
              error={error}
              hint={`Currently ${config.passwordSet ? "set" : "none"}. It is sent to the cluster once and never shown again; empty removes it.`}
            >
              <input
                {...describedBy(cid, { error, hint: true })}
                ref={password}
                type="password"
                autoComplete="new-password"
                data-testid="edit-ci-password-input"
                className={inputClass}
              />
            </Field>
          );
        }
        if (row.id === "sshKeys") {
          return (
            <Field label={row.label} htmlFor={cid} error={error} hint="One OpenSSH public key per line.">
              <textarea
                {...describedBy(cid, { error, hint: true })}
                data-testid="edit-ci-sshkeys-input"
                rows={6}
                className={`${textareaClass} font-mono text-xs`}
                value={text}
                onChange={(e) => setText(e.target.value)}
              />
            </Field>
          );
        }
        return (
          <Field
            label={row.label}
            htmlFor={cid}
            error={error}
            hint={row.id === "nameserver" ? "Space-separated addresses; empty: the host's." : undefined}
          >
            <input
              {...describedBy(cid, { error, hint: row.id === "nameserver" })}
              data-testid={`edit-ci-${row.id}-input`}
              className={inputClass}
              value={text}
              onChange={(e) => setText(e.target.value)}
            />
          </Field>
        );
      }}
    </EditDialog>
  );
}

function CloudInitPanel({ props, config }: { props: GuestTabProps; config: CloudInitConfig }) {
  const { guest } = props;
  const queryClient = useQueryClient();
  const reason = useSectionGate(guest, props.blockedReason)("configure.cloudinit");
  const [editing, setEditing] = useState<CiField | null>(null);
  const regenerate = useMutation({
    mutationFn: () => api.guestCloudinitRegenerate(guest),
    onSuccess: (next) => queryClient.setQueryData(cloudinitQuery(guest).queryKey, next),
  });
  const rows = ciRows(config);
  const row = rows.find((r) => r.id === editing);
  const changed = new Set(config.changed);
  return (
    <div className="space-y-3">
      {!config.hasDrive ? (
        <p role="status" data-testid="ci-no-drive" className="rounded border border-warning/50 bg-warning-soft px-3 py-2 text-sm">
          This VM has no cloud-init drive, so these values are not used yet. Add a CloudInit drive in its Hardware on the
          PVE side; you can still edit the values now.
        </p>
      ) : null}
      <div className="flex items-center gap-2">
        <DisabledReason reason={reason ?? (regenerate.isPending ? "Regenerating…" : null)}>
          <button
            type="button"
            data-testid="ci-regenerate"
            className={buttonClass(changed.size > 0 ? "primary" : "secondary", "h-7 px-2.5")}
            onClick={() => regenerate.mutate()}
          >
            <RefreshCw aria-hidden className="size-3.5" />
            Regenerate Image
          </button>
        </DisabledReason>
        {changed.size > 0 ? (
          <span className="text-sm text-warning" data-testid="ci-changed-note">
            Changed values apply once the image is regenerated.
          </span>
        ) : null}
      </div>
      {regenerate.isError ? <ErrorNotice error={regenerate.error} title="Could not regenerate the image" /> : null}
      <table className="w-full border-collapse text-sm" data-testid="cloudinit-table">
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-testid={`ci-row-${r.id}`} className="border-b border-line align-top">
              <th scope="row" className="w-56 px-2 py-1.5 text-left font-medium whitespace-nowrap">
                {r.label}
              </th>
              <td className="px-2 py-1.5">
                <div className={changed.has(r.pveKey) ? "font-medium text-error" : ""}>{r.show(config)}</div>
                {changed.has(r.pveKey) ? (
                  <div data-testid={`ci-changed-${r.id}`} className="text-xs text-error">
                    (pending: regenerate the image)
                  </div>
                ) : null}
              </td>
              <td className="w-1 px-2 py-1 whitespace-nowrap">
                <RowButton reason={reason} testId={`ci-edit-${r.id}`} label={`Edit ${r.label}`} onClick={() => setEditing(r.id)}>
                  Edit
                </RowButton>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {row ? <CiDialog guest={guest} config={config} row={row} onClose={() => setEditing(null)} /> : null}
    </div>
  );
}

export function CloudInitTab(props: GuestTabProps) {
  const query = useQuery(cloudinitQuery(props.guest));
  const freshness = useFreshness(props.guest.connectionId);
  return (
    <div data-testid="guest-cloudinit">
      <Fetched query={query} freshness={freshness} what="the cloud-init settings" errorTitle="Could not load the cloud-init settings">
        {(config) => <CloudInitPanel props={props} config={config} />}
      </Fetched>
    </div>
  );
}
