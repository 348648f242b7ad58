// Shows a failed back end call where it happened: what went wrong, its code, details.
import { AlertTriangle } from "lucide-react";
import { toAppError } from "@/backend";

export function ErrorNotice({ error, title }: { error: unknown; title: string }) {
  const appError = toAppError(error);
  return (
    <div
      role="alert"
      className="flex gap-2.5 rounded border border-error/40 bg-error-soft px-3 py-2.5 text-fg"
    >
      <AlertTriangle aria-hidden className="mt-0.5 size-4 shrink-0 text-error" />
      <div className="min-w-0 space-y-0.5">
        <p className="font-medium">{title}</p>
        <p>
          {appError.message}{" "}
          <code className="rounded bg-sunken px-1 py-px font-mono text-xs text-muted">{appError.code}</code>
        </p>
        {appError.detail ? <p className="break-words font-mono text-xs text-muted">{appError.detail}</p> : null}
      </div>
    </div>
  );
}
