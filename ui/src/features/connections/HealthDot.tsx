// The status dot of a connection: green connected, amber API only, red disconnected, grey
// disabled or not checked yet. Its words are in the title (and, for screen readers, in the
// row that shows it).
import type { Health } from "@/backend";
import { HEALTH_TONE, healthText, type HealthTone } from "./health";

const TONE_CLASS: Record<HealthTone, string> = {
  running: "bg-running",
  warning: "bg-warning",
  error: "bg-error",
  stopped: "bg-stopped",
};

export function HealthDot({
  health,
  testId,
  className = "size-2",
}: {
  health: Health;
  testId?: string;
  className?: string;
}) {
  return (
    <span
      aria-hidden
      data-testid={testId}
      data-state={health.state}
      data-tone={HEALTH_TONE[health.state]}
      title={healthText(health)}
      className={`inline-block shrink-0 rounded-full ${TONE_CLASS[HEALTH_TONE[health.state]]} ${className}`}
    />
  );
}
