// A guest's IP addresses as its agent (a VM) or its host (a container) reports them: IPv4
// first, each copyable, the interfaces folded, and why there are none said plainly.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Check, ChevronRight, Copy, RefreshCw } from "lucide-react";
import { useEffect, useState } from "react";
import { toAppError, type AgentState, type GuestIps, type GuestRef } from "@/backend";
import { ageText, useNow } from "@/features/inventory/freshness";
import { buttonClass } from "@/ui/button";
import { DisabledReason } from "@/ui/Tooltip";
import { guestIpsKnownQuery, guestIpsQuery, knownIpsOf, newerIps } from "./queries";

/** What each agent state says, in words (`answered` lists the addresses instead). */
export const AGENT_STATE_TEXT: Record<Exclude<AgentState, "answered">, string> = {
  guestStopped: "Guest is not running",
  notConfigured: "QEMU guest agent not enabled (Options → QEMU Guest Agent)",
  agentNotRunning: "Guest agent not running inside the guest",
  noAnswer: "Guest agent did not answer",
  notPermitted: "Needs VM.GuestAgent.Audit or VM.Monitor",
};

function CopyButton({ text }: { text: string }) {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = window.setTimeout(() => setCopied(false), 1500);
    return () => window.clearTimeout(timer);
  }, [copied]);
  return (
    <button
      type="button"
      aria-label={copied ? `Copied ${text}` : `Copy ${text}`}
      title={copied ? "Copied" : "Copy to the clipboard"}
      data-testid={`guest-ip-copy-${text}`}
      className={buttonClass("ghost", "size-6")}
      onClick={() => {
        navigator.clipboard.writeText(text).then(
          () => setCopied(true),
          () => setCopied(false),
        );
      }}
    >
      {copied ? <Check aria-hidden className="size-3.5 text-running" /> : <Copy aria-hidden className="size-3.5" />}
    </button>
  );
}

function Interfaces({ ips }: { ips: GuestIps }) {
  const shown = ips.interfaces.filter((i) => i.name !== "lo" && !i.name.startsWith("Loopback"));
  if (shown.length === 0) return null;
  return (
    <details data-testid="guest-ip-interfaces" className="group mt-2">
      <summary className="flex cursor-pointer list-none items-center gap-1 text-sm text-muted hover:text-fg [&::-webkit-details-marker]:hidden">
        <ChevronRight aria-hidden className="size-3.5 transition-transform group-open:rotate-90" />
        Interfaces ({shown.length})
      </summary>
      <ul className="mt-1 space-y-1 pl-4.5">
        {shown.map((i) => (
          <li key={i.name} data-testid={`guest-ip-interface-${i.name}`}>
            <span className="font-medium">{i.name}</span>
            {i.mac ? <span className="ml-2 font-mono text-xs text-muted">{i.mac}</span> : null}
            <div className="font-mono text-sm">
              {i.addresses.length > 0 ? i.addresses.join(", ") : <span className="text-muted">no address</span>}
            </div>
          </li>
        ))}
      </ul>
    </details>
  );
}

/** A state without addresses, said calmly (no red): what it is, and the cluster's detail. */
function StateLine({ text, detail }: { text: string; detail?: string | null }) {
  return (
    <div data-testid="guest-ips-state">
      <p className="text-muted">{text}</p>
      {detail ? <p className="mt-0.5 break-words text-xs text-faint">{detail}</p> : null}
    </div>
  );
}

export function GuestIpsPanel({ guest, running, agent }: { guest: GuestRef; running: boolean; agent: boolean }) {
  const queryClient = useQueryClient();
  const now = useNow();
  // Asked on its own only where an answer can come: a running container, or a running VM
  // whose agent is enabled. The refresh button asks in any case while the guest runs.
  const poll = running && (guest.kind === "lxc" || agent);
  const own = useQuery({ ...guestIpsQuery(queryClient, guest, poll), enabled: poll });
  const known = useQuery(guestIpsKnownQuery);
  const ips = newerIps(own.data, knownIpsOf(known.data, guest));

  let body;
  if (!running) {
    body = <StateLine text={AGENT_STATE_TEXT.guestStopped} />;
  } else if (ips && ips.state !== "answered") {
    body = <StateLine text={AGENT_STATE_TEXT[ips.state]} detail={ips.detail} />;
  } else if (ips) {
    body = (
      <>
        {ips.addresses.length > 0 ? (
          <ul data-testid="guest-ip-list" className="space-y-0.5">
            {ips.addresses.map((address) => (
              <li key={address} data-testid="guest-ip" className="flex items-center gap-1">
                <span className="font-mono text-sm select-text">{address}</span>
                <CopyButton text={address} />
              </li>
            ))}
          </ul>
        ) : (
          <StateLine text="No addresses reported" />
        )}
        <Interfaces ips={ips} />
      </>
    );
  } else if (guest.kind === "qemu" && !agent) {
    body = <StateLine text={AGENT_STATE_TEXT.notConfigured} />;
  } else if (own.isError) {
    body = null;
  } else {
    body = <p className="text-muted">Asking the guest…</p>;
  }

  const refreshBlocked = !running ? "The guest is not running" : own.isFetching ? "Asking the guest…" : null;
  return (
    <div data-testid="guest-ips" className="space-y-1">
      <div className="flex items-center justify-end gap-2 text-xs text-muted">
        {running && ips ? (
          <span data-testid="guest-ips-checked" title={ips.checkedAt}>
            checked {ageText(ips.checkedAt, now)}
          </span>
        ) : null}
        <DisabledReason reason={refreshBlocked}>
          <button
            type="button"
            data-testid="guest-ips-refresh"
            aria-label="Refresh the addresses"
            title="Ask the guest now"
            className={buttonClass("ghost", "size-6")}
            onClick={() => void own.refetch()}
          >
            <RefreshCw aria-hidden className={`size-3.5 ${own.isFetching ? "animate-spin" : ""}`} />
          </button>
        </DisabledReason>
      </div>
      {body}
      {running && own.isError ? (
        <p data-testid="guest-ips-error" className="text-sm text-muted">
          Could not ask the guest: {toAppError(own.error).message}
        </p>
      ) : null}
    </div>
  );
}
