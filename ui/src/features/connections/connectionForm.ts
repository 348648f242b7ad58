// The add / edit form as plain data: what the fields hold, how a saved connection fills them
// and how they become the ConnectionInput the back end checks. Most checking is the back
// end's (it answers with per-field messages); the form only catches what it cannot send.
import type { AccessType, Connection, ConnectionInput, ConnectionKind } from "@/backend";

export type TlsMode = "system" | "pinned";

export interface ConnectionForm {
  kind: ConnectionKind;
  name: string;
  /** The node addresses as typed: one per line, tried in this order. */
  urls: string;
  access: AccessType;
  username: string;
  /** Empty on edit means "keep the stored one". */
  password: string;
  /** `user@realm!tokenname`, or the whole token pasted. */
  tokenId: string;
  /** Empty on edit means "keep the stored one". */
  tokenSecret: string;
  timeoutMs: string;
  tls: TlsMode;
  /** Pinned SHA-256 fingerprints, one per line (each node of a cluster has its own). */
  fingerprints: string;
  /** PVE: the nodes the user put in order; the others follow alphabetically. */
  nodeOrder: string[];
  enabled: boolean;
  /** PVE: the resource pool the connection is bound to; empty: the whole cluster. */
  pool: string;
}

/** The names the back end uses in `AppError.fields` (ConnectionInput's camelCase fields). */
export type FieldName = keyof ConnectionInput;

export const DEFAULT_TIMEOUT_MS = 1000;

export function defaultPort(kind: ConnectionKind): number {
  return kind === "pbs" ? 8007 : 8006;
}

export function emptyForm(): ConnectionForm {
  return {
    kind: "pve",
    name: "",
    urls: "",
    access: "credential",
    username: "",
    password: "",
    tokenId: "",
    tokenSecret: "",
    timeoutMs: String(DEFAULT_TIMEOUT_MS),
    tls: "system",
    fingerprints: "",
    nodeOrder: [],
    enabled: true,
    pool: "",
  };
}

export function formFromConnection(c: Connection): ConnectionForm {
  return {
    kind: c.kind,
    name: c.name,
    urls: c.urls.length > 0 ? c.urls.join("\n") : c.url,
    access: c.access,
    username: c.username,
    password: "",
    tokenId: c.tokenId ?? "",
    tokenSecret: "",
    timeoutMs: String(c.timeoutMs),
    tls: c.fingerprints.length > 0 ? "pinned" : "system",
    fingerprints: c.fingerprints.join("\n"),
    nodeOrder: [...c.nodeOrder],
    enabled: c.enabled,
    pool: c.pool ?? "",
  };
}

/** The pinned fingerprints of the form, one per non-empty line. */
export function parsePins(form: ConnectionForm): string[] {
  return form.tls === "pinned" ? parseUrls(form.fingerprints) : [];
}

/** Whether two spellings name the same fingerprint (case and colons do not matter). */
export function sameFingerprint(a: string, b: string): boolean {
  const norm = (s: string) => s.replace(/[^0-9a-f]/gi, "").toUpperCase();
  return norm(a) === norm(b);
}

export function parseUrls(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
}

/** The user part of a token id (`user@realm` of `user@realm!name`, also of a pasted whole token). */
export function tokenUser(tokenId: string): string {
  return (tokenId.trim().split("!")[0] ?? "").trim();
}

/** Whether the token id field holds the whole token, secret included. */
export function isWholeToken(kind: ConnectionKind, tokenId: string): boolean {
  const name = tokenId.split("!")[1];
  if (name === undefined) return false;
  return kind === "pbs" ? name.includes(":") : name.includes("=");
}

/** The user this login acts as (what the feature matrix is about). */
export function loginUser(form: ConnectionForm): string {
  return form.access === "apiToken" ? tokenUser(form.tokenId) : form.username.trim();
}

export type BuiltInput = { ok: true; input: ConnectionInput } | { ok: false; fields: Partial<Record<FieldName, string>> };

/** The form as the back end takes it, or the fields the form itself cannot send. */
export function buildInput(form: ConnectionForm): BuiltInput {
  const fields: Partial<Record<FieldName, string>> = {};
  const timeout = form.timeoutMs.trim();
  const timeoutMs = Number(timeout);
  if (!/^\d+$/.test(timeout) || timeoutMs <= 0 || timeoutMs > 600_000) {
    fields.timeoutMs = `Enter the timeout in milliseconds, e.g. ${DEFAULT_TIMEOUT_MS}.`;
  }
  const pins = parsePins(form);
  if (form.tls === "pinned" && pins.length === 0) {
    fields.fingerprints =
      "Paste the certificate's SHA-256 fingerprint (AA:BB:…), or verify with the system's CAs.";
  }
  if (Object.keys(fields).length > 0) return { ok: false, fields };

  const token = form.access === "apiToken";
  const secret = form.tokenSecret.trim();
  return {
    ok: true,
    input: {
      name: form.name.trim(),
      kind: form.kind,
      urls: parseUrls(form.urls),
      access: form.access,
      username: loginUser(form),
      password: !token && form.password !== "" ? form.password : null,
      tokenId: token ? form.tokenId.trim() : "",
      tokenSecret: token && secret !== "" ? secret : null,
      timeoutMs,
      fingerprints: pins,
      nodeOrder: form.kind === "pve" ? [...form.nodeOrder] : [],
      enabled: form.enabled,
      pool: form.kind === "pve" && form.pool.trim() !== "" ? form.pool.trim() : null,
    },
  };
}

/**
 * The first node address as a URL, for probing its certificate: `host`, `host:port` and
 * `https://host:port` like the back end reads them; the port defaults to the kind's.
 */
export function probeUrl(kind: ConnectionKind, raw: string): string {
  let rest = raw.trim().replace(/^https:\/\//i, "");
  rest = rest.replace(/\/+$/, "");
  const port = defaultPort(kind);
  if (rest.startsWith("[")) return `https://${rest.includes("]:") ? rest : `${rest}:${port}`}`;
  const colons = (rest.match(/:/g) ?? []).length;
  if (colons > 1) return `https://[${rest}]:${port}`;
  return `https://${colons === 1 ? rest : `${rest}:${port}`}`;
}

const byName = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true });

/** The nodes the user ordered, then every other known node alphabetically. */
export function nodeDisplayOrder(nodeOrder: string[], known: string[]): { ordered: string[]; others: string[] } {
  const ordered = [...nodeOrder];
  const others = [...new Set(known)].filter((n) => !ordered.includes(n)).sort(byName);
  return { ordered, others };
}

/** Moves the item at `index` by `delta` places (a no-op at either end). */
export function move<T>(items: T[], index: number, delta: number): T[] {
  const target = index + delta;
  if (index < 0 || index >= items.length || target < 0 || target >= items.length) return items;
  const next = [...items];
  const [item] = next.splice(index, 1);
  next.splice(target, 0, item as T);
  return next;
}
