// A task's status with its icon, in the status colours used everywhere.
import { AlertTriangle, CheckCircle2, Loader2, XCircle } from "lucide-react";
import { taskOutcome } from "./queries";

export function TaskStatus({ status }: { status: string }) {
  const outcome = taskOutcome(status);
  const Icon =
    outcome === "running" ? Loader2 : outcome === "ok" ? CheckCircle2 : outcome === "warning" ? AlertTriangle : XCircle;
  const color =
    outcome === "running"
      ? "text-accent animate-spin"
      : outcome === "ok"
        ? "text-running"
        : outcome === "warning"
          ? "text-warning"
          : "text-error";
  const label = outcome === "running" ? "Running" : status;
  return (
    <span className="inline-flex min-w-0 items-center gap-1.5" title={label}>
      <Icon aria-hidden className={`size-3.5 shrink-0 ${color}`} />
      <span className={`truncate ${outcome === "error" ? "text-error" : ""}`}>{label}</span>
    </span>
  );
}
