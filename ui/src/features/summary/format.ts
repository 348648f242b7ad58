// Units as PVE's own summary pages show them: percent, binary bytes, decimal rates.

const BYTE_UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

/** Bytes in the largest binary unit that keeps the number at or above 1 (`12.5 GiB`). */
export function formatBytes(bytes: number | null, digits = 1): string {
  if (bytes === null || !Number.isFinite(bytes)) return "–";
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const sign = bytes < 0 ? "-" : "";
  return `${sign}${value.toFixed(unit === 0 ? 0 : digits)} ${BYTE_UNITS[unit]}`;
}

/** A byte rate in decimal units (`3.20 MB/s`). */
export function formatRate(bytesPerSecond: number | null): string {
  if (bytesPerSecond === null || !Number.isFinite(bytesPerSecond)) return "–";
  const v = Math.abs(bytesPerSecond);
  if (v >= 1e9) return `${(bytesPerSecond / 1e9).toFixed(2)} GB/s`;
  if (v >= 1e6) return `${(bytesPerSecond / 1e6).toFixed(2)} MB/s`;
  if (v >= 1e3) return `${(bytesPerSecond / 1e3).toFixed(1)} kB/s`;
  return `${bytesPerSecond.toFixed(0)} B/s`;
}

/** A ratio 0..1 as a percentage (`42.0%`). */
export function formatPercent(ratio: number | null, digits = 1): string {
  if (ratio === null || !Number.isFinite(ratio)) return "–";
  return `${(ratio * 100).toFixed(digits)}%`;
}

/** Used out of total as a ratio, 0 when the total is unknown. */
export function ratio(used: number | null, total: number | null): number {
  return used !== null && total !== null && total > 0 ? used / total : 0;
}

/** Seconds as PVE writes uptime: `3 days 04:05:06`. */
export function formatUptime(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds <= 0) return "–";
  const s = Math.floor(seconds);
  const days = Math.floor(s / 86_400);
  const pad = (n: number) => String(n).padStart(2, "0");
  const clock = `${pad(Math.floor((s % 86_400) / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
  if (days === 0) return clock;
  return `${days} ${days === 1 ? "day" : "days"} ${clock}`;
}

/** A number the back end may send as `null` (it writes non-finite floats so). */
export function orZero(value: number | null): number {
  return value ?? 0;
}
