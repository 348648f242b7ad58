// The history charts of a node or guest: CPU, memory, network and disk IO (or load) from
// PVE's `rrddata`, with the timeframe and consolidation toggles PVE's summary has.
import { useQuery } from "@tanstack/react-query";
import { lazy, Suspense, useMemo, useState } from "react";
import type { RrdCf, RrdPoint, RrdTarget, RrdTimeframe } from "@/backend";
import { useFreshness } from "@/features/inventory/freshness";
import { formatBytes, formatPercent, formatRate } from "./format";
import { Fetched } from "./Offline";
import { Loading } from "./Panel";
import { rrdQuery } from "./queries";
import type { ChartSeries } from "./UplotChart";

const UplotChart = lazy(() => import("./UplotChart"));

export const TIMEFRAMES: RrdTimeframe[] = ["hour", "day", "week", "month", "year"];
export const CFS: RrdCf[] = ["AVERAGE", "MAX"];

interface ChartDef {
  title: string;
  format: (v: number) => string;
  series: { key: string; label: string; colorVar: string; scale?: number }[];
}

const NODE_CHARTS: ChartDef[] = [
  {
    title: "CPU usage",
    format: (v) => formatPercent(v, 0),
    series: [
      { key: "cpu", label: "CPU", colorVar: "--pd-accent" },
      { key: "iowait", label: "IO delay", colorVar: "--pd-warning" },
    ],
  },
  {
    title: "Server load",
    format: (v) => v.toFixed(2),
    series: [{ key: "loadavg", label: "Load average", colorVar: "--pd-accent" }],
  },
  {
    title: "Memory usage",
    format: (v) => formatBytes(v),
    series: [
      { key: "memtotal", label: "Total", colorVar: "--pd-muted" },
      { key: "memused", label: "Used", colorVar: "--pd-accent" },
    ],
  },
  {
    title: "Network traffic",
    format: formatRate,
    series: [
      { key: "netin", label: "In", colorVar: "--pd-running" },
      { key: "netout", label: "Out", colorVar: "--pd-accent" },
    ],
  },
];

const GUEST_CHARTS: ChartDef[] = [
  {
    title: "CPU usage",
    format: (v) => formatPercent(v, 0),
    series: [{ key: "cpu", label: "CPU", colorVar: "--pd-accent" }],
  },
  {
    title: "Memory usage",
    format: (v) => formatBytes(v),
    series: [
      { key: "maxmem", label: "Total", colorVar: "--pd-muted" },
      { key: "mem", label: "Used", colorVar: "--pd-accent" },
    ],
  },
  {
    title: "Network traffic",
    format: formatRate,
    series: [
      { key: "netin", label: "In", colorVar: "--pd-running" },
      { key: "netout", label: "Out", colorVar: "--pd-accent" },
    ],
  },
  {
    title: "Disk IO",
    format: formatRate,
    series: [
      { key: "diskread", label: "Read", colorVar: "--pd-running" },
      { key: "diskwrite", label: "Write", colorVar: "--pd-accent" },
    ],
  },
];

export interface ChartData {
  title: string;
  times: number[];
  series: ChartSeries[];
  format: (v: number) => string;
}

/** The charts' columns from PVE's rows; a missing value stays a gap. */
export function chartData(all: RrdPoint[], defs: ChartDef[]): ChartData[] {
  const points = all.filter((p): p is RrdPoint & { time: number } => typeof p.time === "number");
  const times = points.map((p) => p.time);
  return defs.map((def) => ({
    title: def.title,
    format: def.format,
    times,
    series: def.series.map((s) => ({
      label: s.label,
      colorVar: s.colorVar,
      values: points.map((p) => {
        const v = p.values[s.key];
        return typeof v === "number" ? v * (s.scale ?? 1) : null;
      }),
    })),
  }));
}

function Toggle<T extends string>({
  label,
  options,
  value,
  onChange,
  testId,
}: {
  label: string;
  options: T[];
  value: T;
  onChange: (v: T) => void;
  testId: (v: T) => string;
}) {
  return (
    <div role="group" aria-label={label} className="inline-flex overflow-hidden rounded border border-line">
      {options.map((o) => (
        <button
          key={o}
          type="button"
          data-testid={testId(o)}
          aria-pressed={o === value}
          onClick={() => onChange(o)}
          className={`px-2 py-0.5 text-sm capitalize focus-visible:outline-2 focus-visible:outline-accent ${
            o === value ? "bg-accent text-accent-fg" : "bg-surface text-muted hover:bg-raised"
          }`}
        >
          {o.toLowerCase()}
        </button>
      ))}
    </div>
  );
}

export function RrdChart({ conn, target }: { conn: string; target: RrdTarget }) {
  const [timeframe, setTimeframe] = useState<RrdTimeframe>("hour");
  const [cf, setCf] = useState<RrdCf>("AVERAGE");
  const query = useQuery(rrdQuery(conn, target, timeframe, cf));
  const freshness = useFreshness(conn);
  const defs = target.type === "node" ? NODE_CHARTS : GUEST_CHARTS;
  const charts = useMemo(() => (query.data ? chartData(query.data, defs) : null), [query.data, defs]);

  return (
    <section aria-label="History" data-testid="rrd-chart" className="rounded-md border border-line bg-surface">
      <div className="flex flex-wrap items-center gap-2 border-b border-line px-3 py-1.5">
        <h2 className="mr-auto text-sm font-semibold">History</h2>
        <Toggle
          label="Timeframe"
          options={TIMEFRAMES}
          value={timeframe}
          onChange={setTimeframe}
          testId={(t) => `rrd-timeframe-${t}`}
        />
        <Toggle label="Consolidation" options={CFS} value={cf} onChange={setCf} testId={(c) => `rrd-cf-${c}`} />
      </div>
      <div className="p-3">
        {charts === null ? (
          <Fetched query={query} freshness={freshness} what="the history" errorTitle="Could not load the history">
            {() => null}
          </Fetched>
        ) : (
          <Suspense fallback={<Loading what="charts" />}>
            <div className="grid gap-4 lg:grid-cols-2">
              {charts.map((c) => (
                <UplotChart key={c.title} title={c.title} times={c.times} series={c.series} format={c.format} />
              ))}
            </div>
          </Suspense>
        )}
      </div>
    </section>
  );
}
