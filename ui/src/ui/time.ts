// Dates and times the way an admin reads them: local time, 24 h, ISO-like dates.
const pad = (n: number) => String(n).padStart(2, "0");

function parse(iso: string): Date | null {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? null : at;
}

/** `2025-03-01 14:02` (local time). Unparseable input is returned as it is. */
export function formatDateTime(iso: string): string {
  const at = parse(iso);
  if (!at) return iso;
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

/** `14:02` when `iso` is today, else the date and time. */
export function formatRecent(iso: string, now: Date = new Date()): string {
  const at = parse(iso);
  if (!at) return iso;
  const sameDay =
    at.getFullYear() === now.getFullYear() && at.getMonth() === now.getMonth() && at.getDate() === now.getDate();
  return sameDay ? `${pad(at.getHours())}:${pad(at.getMinutes())}` : formatDateTime(iso);
}

/** Whether `iso` lies in the past (an expired certificate, say). */
export function isPast(iso: string, now: Date = new Date()): boolean {
  const at = parse(iso);
  return at !== null && at.getTime() < now.getTime();
}
