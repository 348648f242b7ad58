// What a login can do in Proxdeck, and for each "no" why not and what to change.
import { Check, X } from "lucide-react";
import type { Feature, FeatureMatrix } from "@/backend";

function Mark({ feature }: { feature: Feature }) {
  return feature.allowed ? (
    <Check aria-hidden className="size-3.5 shrink-0 text-running" />
  ) : (
    <X aria-hidden className="size-3.5 shrink-0 text-error" />
  );
}

/** Chips for the form: the label with a ✓ or ✗; the reason is on hover and read out. */
export function FeatureChips({ matrix, testId }: { matrix: FeatureMatrix; testId?: string }) {
  if (matrix.features.length === 0) return null;
  return (
    <ul className="flex flex-wrap gap-1" data-testid={testId} aria-label="What this login can do">
      {matrix.features.map((feature) => (
        <li
          key={feature.key}
          data-testid={`feature-${feature.key}`}
          data-allowed={feature.allowed}
          title={feature.why ?? undefined}
          className={
            "inline-flex items-center gap-1 rounded border px-1.5 py-px text-xs " +
            (feature.allowed ? "border-line bg-raised text-fg" : "border-line bg-surface text-muted")
          }
        >
          <Mark feature={feature} />
          {feature.label}
          <span className="sr-only">
            {feature.allowed ? ": available" : `: not available${feature.why ? ` — ${feature.why}` : ""}`}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** The full matrix for the test report: one row per feature, with the reason under a "no". */
export function FeatureTable({ matrix }: { matrix: FeatureMatrix }) {
  if (matrix.features.length === 0) return <p className="text-sm text-muted">No features to report.</p>;
  return (
    <ul className="divide-y divide-line rounded border border-line">
      {matrix.features.map((feature) => (
        <li
          key={feature.key}
          data-testid={`report-feature-${feature.key}`}
          data-allowed={feature.allowed}
          className="flex gap-2 px-2 py-1"
        >
          <span className="mt-0.5">
            <Mark feature={feature} />
          </span>
          <span className="min-w-0">
            <span className="block text-sm">
              {feature.label}
              <span className="sr-only">{feature.allowed ? ": available" : ": not available"}</span>
            </span>
            {!feature.allowed && feature.why ? (
              <span className="block text-xs leading-4 text-muted">{feature.why}</span>
            ) : null}
          </span>
        </li>
      ))}
    </ul>
  );
}
