// Sizes and dates as a backup admin reads them.
const UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"] as const;

/** `3.05 TiB`: binary units, three significant digits. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return "—";
  let v = Math.max(0, bytes);
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u += 1;
  }
  const digits = u === 0 || v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `${v.toFixed(digits)} ${UNITS[u]}`;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** Unix seconds as a local `YYYY-MM-DD`. */
export function formatDate(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "—";
  const at = new Date(seconds * 1000);
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
}

/** Unix seconds as a local `YYYY-MM-DD HH:MM`. */
export function formatDateTime(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "—";
  const at = new Date(seconds * 1000);
  return `${formatDate(seconds)} ${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

/** How long ago: `5 min`, `3 h`, `12 d`. */
export function formatAge(seconds: number | null | undefined, nowSeconds: number = Date.now() / 1000): string {
  if (seconds === null || seconds === undefined) return "never";
  const d = Math.max(0, nowSeconds - seconds);
  if (d < 3600) return `${Math.max(1, Math.round(d / 60))} min ago`;
  if (d < 2 * 86400) return `${Math.round(d / 3600)} h ago`;
  return `${Math.round(d / 86400)} d ago`;
}
