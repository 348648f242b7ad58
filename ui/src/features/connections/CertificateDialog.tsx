// Trust on first use: the node's certificate is not trusted by the system (or no longer
// matches its pin). The admin compares the fingerprint with the node's and pins it, or not.
import { ShieldAlert, ShieldQuestion } from "lucide-react";
import { Fragment, useRef, type ReactNode } from "react";
import type { CertificateInfo, ConnectionKind } from "@/backend";
import { buttonClass } from "@/ui/button";
import { Dialog } from "@/ui/Dialog";
import { formatDateTime, isPast } from "@/ui/time";

/** `AA:BB:…` in groups of eight bytes, each group on its own line when the width asks for it. */
function GroupedFingerprint({ fingerprint }: { fingerprint: string }) {
  const bytes = fingerprint.split(":");
  const groups: string[] = [];
  for (let i = 0; i < bytes.length; i += 8) groups.push(bytes.slice(i, i + 8).join(":"));
  return (
    <code
      data-testid="cert-fingerprint"
      className="block w-[24ch] font-mono text-sm leading-5 break-normal whitespace-normal select-all"
    >
      {groups.map((group, i) => (
        <Fragment key={i}>
          {i > 0 ? ":" : null}
          {i > 0 ? <wbr /> : null}
          {group}
        </Fragment>
      ))}
    </code>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="contents">
      <dt className="text-muted">{label}</dt>
      <dd className="min-w-0 break-words">{children}</dd>
    </div>
  );
}

const WHERE_TO_COMPARE: Record<ConnectionKind, ReactNode> = {
  pve: (
    <>
      Compare with the node&apos;s fingerprint (Node → System → Certificates, or{" "}
      <code className="font-mono text-xs">pvenode cert info</code>).
    </>
  ),
  pbs: (
    <>
      Compare with the server&apos;s fingerprint (Dashboard → Show Fingerprint, or{" "}
      <code className="font-mono text-xs">proxmox-backup-manager cert info</code>).
    </>
  ),
};

export function CertificateDialog({
  info,
  changed,
  kind,
  onTrust,
  onCancel,
}: {
  /** The certificate to decide on; the dialog is open while set. */
  info: CertificateInfo | null;
  /** The connection had a pinned fingerprint and the certificate no longer matches it. */
  changed: boolean;
  kind: ConnectionKind;
  onTrust: (info: CertificateInfo) => void;
  onCancel: () => void;
}) {
  const cancelRef = useRef<HTMLButtonElement>(null);
  const expired = info ? isPast(info.notAfter) : false;
  return (
    <Dialog
      open={info !== null}
      onOpenChange={(open) => {
        if (!open) onCancel();
      }}
      testId="cert-dialog"
      tone={changed ? "danger" : "warning"}
      width="max-w-xl"
      icon={
        changed ? (
          <ShieldAlert aria-hidden className="size-5 text-error" />
        ) : (
          <ShieldQuestion aria-hidden className="size-5 text-warning" />
        )
      }
      title={changed ? "The certificate has changed" : "Trust this certificate?"}
      description={
        changed
          ? "The node no longer presents the certificate pinned for this connection."
          : "Your system does not trust the certificate this node presents."
      }
      onOpenAutoFocus={(e) => {
        // The safe choice has the focus: Enter does not trust by accident.
        e.preventDefault();
        cancelRef.current?.focus();
      }}
      footer={
        <>
          <span className="flex-1" />
          <button
            ref={cancelRef}
            type="button"
            data-testid="cert-cancel"
            className={buttonClass("secondary", "h-7 px-3")}
            onClick={onCancel}
          >
            Cancel
          </button>
          <button
            type="button"
            data-testid="cert-trust"
            className={
              changed
                ? buttonClass("primary", "h-7 px-3 bg-error enabled:hover:bg-error/85")
                : buttonClass("primary", "h-7 px-3")
            }
            onClick={() => {
              if (info) onTrust(info);
            }}
          >
            {changed ? "Trust the new certificate" : "Trust and pin"}
          </button>
        </>
      }
    >
      {info ? (
        <div className="space-y-3">
          {changed ? (
            <div
              role="alert"
              data-testid="cert-changed"
              className="rounded border border-error/40 bg-error-soft px-3 py-2 text-sm"
            >
              <p className="font-medium">Do not trust it unless you know why it changed.</p>
              <p className="mt-0.5">
                A renewed or replaced certificate looks like this — and so does someone intercepting the connection.
                Proxdeck will not talk to this node until you confirm the new fingerprint.
              </p>
            </div>
          ) : (
            <p className="text-sm">
              Proxmox installs a self-signed certificate, so this is expected for a new node. Pinning its fingerprint
              makes Proxdeck trust exactly this certificate and refuse any other.
            </p>
          )}
          <dl className="grid grid-cols-[7rem_minmax(0,1fr)] gap-x-3 gap-y-1.5 text-sm">
            <Row label="Address">
              <span className="font-mono text-xs break-all">{info.url}</span>
            </Row>
            <Row label="SHA-256">
              <GroupedFingerprint fingerprint={info.fingerprint} />
            </Row>
            <Row label="Subject">{info.subject}</Row>
            <Row label="Issuer">{info.issuer}</Row>
            <Row label="Valid until">
              <span className={expired ? "font-medium text-error" : undefined}>
                {formatDateTime(info.notAfter)}
                {expired ? " (expired)" : ""}
              </span>
            </Row>
          </dl>
          <p className="rounded border border-line bg-raised px-3 py-2 text-sm">{WHERE_TO_COMPARE[kind]}</p>
        </div>
      ) : null}
    </Dialog>
  );
}
