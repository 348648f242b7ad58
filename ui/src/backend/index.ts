// The one door from the UI to the Rust back end. Features import "@/backend" only
// (an ESLint rule enforces it), so the generated bindings can change shape in one place
// and tests can replace the whole back end with a single vi.mock("@/backend").
import {
  commands,
  events,
  type AppInfo,
  type Connection_Serialize,
  type ErrorCode,
  type Resource_Serialize,
  type Settings,
  type SettingsChanged,
} from "./bindings";

export type { AppInfo, ConnectionKind, ErrorCode, Settings, SettingsChanged, Theme } from "./bindings";

/** A connection as the UI receives it (never carries a secret). */
export type Connection = Connection_Serialize;

/** One entry of a PVE cluster's `/cluster/resources`, as the UI receives it. */
export type Resource = Resource_Serialize;

/** The error every command returns, as the UI receives it. */
export interface AppError {
  code: ErrorCode;
  message: string;
  detail: string | null;
}

export type Result<T, E = AppError> = { status: "ok"; data: T } | { status: "error"; error: E };

/** An AppError from the back end, thrown so TanStack Query sees a failure. */
export class AppErrorException extends Error {
  readonly appError: AppError;

  constructor(appError: AppError) {
    super(appError.message);
    this.name = "AppErrorException";
    this.appError = appError;
  }

  get code(): ErrorCode {
    return this.appError.code;
  }
}

declare global {
  interface Window {
    __TAURI_INTERNALS__?: unknown;
  }
}

/** True inside the Proxdeck window; false in a plain browser or under vitest. */
export function isTauri(): boolean {
  return typeof window !== "undefined" && window.__TAURI_INTERNALS__ !== undefined;
}

export function unwrap<T>(result: Result<T, AppError>): T {
  if (result.status === "ok") return result.data;
  throw new AppErrorException(result.error);
}

function isAppError(value: unknown): value is Omit<AppError, "detail"> & { detail?: string | null } {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { code?: unknown }).code === "string" &&
    typeof (value as { message?: unknown }).message === "string"
  );
}

/** Turns anything a failed call may throw into an AppError the UI can show. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppErrorException) return error.appError;
  if (isAppError(error)) return { code: error.code, message: error.message, detail: error.detail ?? null };
  const detail = error instanceof Error ? error.message : String(error);
  return { code: "Internal", message: "The back end call failed unexpectedly.", detail };
}

const OUTSIDE_APP: AppError = {
  code: "Internal",
  message: "The Proxdeck back end is not available: this page is running outside the desktop app.",
  detail: null,
};

async function call<T>(run: () => Promise<Result<T, AppError>>): Promise<T> {
  if (!isTauri()) throw new AppErrorException(OUTSIDE_APP);
  let result: Result<T, AppError>;
  try {
    result = await run();
  } catch (error) {
    throw new AppErrorException(toAppError(error));
  }
  return unwrap(result);
}

export const api = {
  appInfo: (): Promise<AppInfo> => call(() => commands.appInfo()),
  settingsGet: (): Promise<Settings> => call(() => commands.settingsGet()),
  settingsSet: (settings: Settings): Promise<Settings> => call(() => commands.settingsSet(settings)),
  connectionsList: (): Promise<Connection[]> => call(() => commands.connectionsList()),
  demoOpen: (): Promise<Connection[]> => call(() => commands.demoOpen()),
  demoClose: (): Promise<null> => call(() => commands.demoClose()),
  connectionResources: (id: string): Promise<Resource[]> => call(() => commands.connectionResources(id)),
};

type Unlisten = () => void;

/**
 * Subscribes to settings changes made elsewhere (another window, the back end).
 * Returns an unsubscribe function that is safe to call at any time, even before
 * the underlying listener is registered or when running outside Tauri.
 */
export function onSettingsChanged(cb: (settings: SettingsChanged) => void): Unlisten {
  if (!isTauri()) return () => {};
  let unlisten: Unlisten | null = null;
  let cancelled = false;
  events.settingsChanged
    .listen((event) => cb(event.payload))
    .then((fn) => {
      if (cancelled) fn();
      else unlisten = fn;
    })
    .catch((error: unknown) => {
      console.warn("Could not listen for settings changes", error);
    });
  return () => {
    cancelled = true;
    unlisten?.();
  };
}
