// The building blocks of the summary pages: titled panels, key/value rows and usage bars.
import type { ReactNode } from "react";
import { formatPercent, ratio } from "./format";

export function Panel({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <section aria-label={title} data-testid={testId} className="rounded-md border border-line bg-surface">
      <h2 className="border-b border-line px-3 py-1.5 text-sm font-semibold">{title}</h2>
      <div className="p-3">{children}</div>
    </section>
  );
}

/** Key/value rows; a `null` value is shown as a dash. */
export function KeyValues({ rows }: { rows: [string, ReactNode][] }) {
  return (
    <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1">
      {rows.map(([key, value]) => (
        <div key={key} className="contents">
          <dt className="text-muted">{key}</dt>
          <dd className="min-w-0 break-words tabular-nums">{value ?? "–"}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A labelled usage bar: `label  42.0% (3.1 GiB of 8.0 GiB)`. */
export function UsageBar({
  label,
  used,
  total,
  format,
}: {
  label: string;
  used: number | null;
  total: number | null;
  format: (n: number) => string;
}) {
  const r = ratio(used, total);
  const known = used !== null && total !== null && total > 0;
  const pct = Math.min(100, Math.max(0, r * 100));
  const tone = r >= 0.9 ? "bg-error" : r >= 0.75 ? "bg-warning" : "bg-accent";
  return (
    <div className="space-y-1">
      <div className="flex items-baseline justify-between gap-3 text-sm">
        <span className="text-muted">{label}</span>
        <span className="tabular-nums">
          {known ? `${formatPercent(r)} (${format(used)} of ${format(total)})` : "–"}
        </span>
      </div>
      <div
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(pct)}
        className="h-2 overflow-hidden rounded-full bg-sunken"
      >
        <div className={`h-full rounded-full ${tone}`} style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p role="status" className="text-muted">
      Loading {what}…
    </p>
  );
}

/** The page body: a scrolling column of panels. */
export function SummaryBody({ testId, children }: { testId: string; children: ReactNode }) {
  return (
    <div className="flex-1 overflow-auto">
      <div data-testid={testId} className="mx-auto max-w-6xl space-y-4 px-6 py-5">
        {children}
      </div>
    </div>
  );
}
