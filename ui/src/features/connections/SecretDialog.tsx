// The token wizard's last word: the new token's secret, shown this once, with a Copy button.
import { Check, Copy, KeyRound } from "lucide-react";
import { useRef, useState } from "react";
import type { CreatedToken } from "@/backend";
import { buttonClass } from "@/ui/button";
import { Dialog } from "@/ui/Dialog";

export function SecretDialog({ created, onDone }: { created: CreatedToken | null; onDone: () => void }) {
  const [copy, setCopy] = useState<"idle" | "copied" | "failed">("idle");
  const copyRef = useRef<HTMLButtonElement>(null);
  const close = () => {
    setCopy("idle");
    onDone();
  };
  return (
    <Dialog
      open={created !== null}
      onOpenChange={(open) => {
        if (!open) close();
      }}
      testId="secret-dialog"
      width="max-w-lg"
      icon={<KeyRound aria-hidden className="size-5 text-accent" />}
      title="API token created"
      description={created?.tokenId}
      onOpenAutoFocus={(e) => {
        e.preventDefault();
        copyRef.current?.focus();
      }}
      footer={
        <>
          <span role="status" className="flex-1 text-sm text-muted">
            {copy === "copied"
              ? "Copied to the clipboard."
              : copy === "failed"
                ? "Could not copy; select the secret and copy it."
                : ""}
          </span>
          <button
            ref={copyRef}
            type="button"
            data-testid="secret-copy"
            className={buttonClass("secondary", "h-7 px-3")}
            onClick={() => {
              if (!created) return;
              navigator.clipboard.writeText(created.secret).then(
                () => setCopy("copied"),
                () => setCopy("failed"),
              );
            }}
          >
            {copy === "copied" ? <Check aria-hidden className="size-3.5" /> : <Copy aria-hidden className="size-3.5" />}
            Copy
          </button>
          <button type="button" data-testid="secret-done" className={buttonClass("primary", "h-7 px-3")} onClick={close}>
            Done
          </button>
        </>
      }
    >
      {created ? (
        <div className="space-y-3 text-sm">
          <p>
            This secret is shown only now.{" "}
            {created.storedInKeychain
              ? "Proxdeck stored it in the keychain for this connection; copy it only if another tool needs it."
              : "Proxdeck filled it into the form and will store it in the keychain when you save the connection; copy it only if another tool needs it."}
          </p>
          <div className="rounded border border-line bg-sunken px-3 py-2">
            <p className="text-xs text-muted">Secret</p>
            <code data-testid="secret-value" className="block font-mono text-sm break-all select-all">
              {created.secret}
            </code>
          </div>
          <details className="text-muted">
            <summary className="cursor-default rounded">What the wizard set up</summary>
            <ul className="mt-1 space-y-0.5 pl-4 text-xs">
              <li>
                {created.userCreated ? "Created the user" : "Used the existing user"} {created.tokenId.split("!")[0]}
              </li>
              {created.rolesCreated.length > 0 ? <li>Created roles: {created.rolesCreated.join(", ")}</li> : null}
              {created.acls.map((acl) => (
                <li key={`${acl.path} ${acl.ugid} ${acl.role}`} className="font-mono">
                  {acl.path} · {acl.role} · {acl.ugid}
                  {acl.propagate ? " (propagated)" : ""}
                </li>
              ))}
            </ul>
          </details>
        </div>
      ) : null}
    </Dialog>
  );
}
