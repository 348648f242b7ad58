// Numbers the way the PVE tables show them: binary units, one decimal, compact uptimes.
const UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

/** `1.5 GiB`; "" for unknown values. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return "";
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${UNITS[unit]}`;
}

/** `12.5%` of a fraction; "" for unknown values. */
export function formatPercent(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return "";
  return `${(fraction * 100).toFixed(1)}%`;
}

/** `3d 04h`, `5h 12m`, `42m`; "" for zero or unknown (a stopped guest). */
export function formatUptime(seconds: number | null | undefined): string {
  if (!seconds || seconds <= 0) return "";
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, "0");
  if (days > 0) return `${days}d ${pad(hours)}h`;
  if (hours > 0) return `${hours}h ${pad(minutes)}m`;
  return `${Math.max(minutes, 0)}m`;
}
