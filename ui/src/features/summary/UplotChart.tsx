// One time-series chart drawn with uPlot. Loaded lazily (see RrdChart) so the chart library
// stays out of the main bundle. Colors come from the theme's CSS variables and are re-read
// when the theme changes, so the chart stays readable in dark mode.
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface ChartSeries {
  label: string;
  /** A CSS custom property holding the color, e.g. `--pd-accent`. */
  colorVar: string;
  values: (number | null)[];
}

export interface UplotChartProps {
  title: string;
  times: number[];
  series: ChartSeries[];
  format: (value: number) => string;
  height?: number;
}

function cssVar(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

/** `#rrggbb` with an alpha, for the area under a line; other color forms are left opaque-less. */
function withAlpha(color: string, alpha: string): string {
  return /^#[0-9a-f]{6}$/i.test(color) ? `${color}${alpha}` : "transparent";
}

function build(el: HTMLElement, props: UplotChartProps): uPlot {
  const fg = cssVar("--pd-muted", "#5a6576");
  const grid = cssVar("--pd-line", "#d9dde3");
  const { format } = props;
  const axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  const options: uPlot.Options = {
    width: Math.max(200, el.clientWidth),
    height: props.height ?? 170,
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true }, y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] } },
    axes: [
      axis,
      {
        ...axis,
        size: 70,
        values: (_u, splits) => splits.map((v) => format(v)),
      },
    ],
    series: [
      {},
      ...props.series.map((s) => {
        const color = cssVar(s.colorVar, "#2f6fbf");
        return {
          label: s.label,
          stroke: color,
          width: 1.5,
          fill: withAlpha(color, "22"),
          points: { show: false },
          value: (_u: uPlot, v: number | null) => (v === null ? "–" : format(v)),
        };
      }),
    ],
  };
  const data: uPlot.AlignedData = [props.times, ...props.series.map((s) => s.values)];
  return new uPlot(options, data, el);
}

export default function UplotChart({ title, times, series, format, height }: UplotChartProps) {
  const ref = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const props = { title, times, series, format, height };
    plot.current = build(el, props);
    // Resizes with its container.
    const resize = new ResizeObserver(() => {
      plot.current?.setSize({ width: Math.max(200, el.clientWidth), height: height ?? 170 });
    });
    resize.observe(el);
    // Rebuilt with the new colors when the theme switches.
    const theme = new MutationObserver(() => {
      plot.current?.destroy();
      plot.current = build(el, props);
    });
    theme.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
    return () => {
      resize.disconnect();
      theme.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [title, times, series, format, height]);

  return (
    <figure className="min-w-0">
      <figcaption className="mb-1 text-sm font-medium">{title}</figcaption>
      <div ref={ref} className="w-full text-xs [&_.u-legend]:text-xs [&_.u-legend]:text-muted" />
    </figure>
  );
}
