// "Reopen where you left off": the window remembers the last page it showed and opens on it
// at the next start. Kept in localStorage (the web view's own storage under the data
// directory), like the first-paint theme; without storage the app simply opens on "/".
import type { RouterHistory } from "@tanstack/react-router";

export const LAST_ROUTE_KEY = "proxdeck.lastRoute";

/** Whether `path` is an in-app path worth reopening (not a URL elsewhere, not the home page). */
export function isRestorable(path: string | null | undefined): path is string {
  return typeof path === "string" && path.startsWith("/") && !path.startsWith("//") && path !== "/" && path.length < 2048;
}

/** The page remembered from the last run, if any. */
export function lastRoute(storage: Storage | undefined = safeStorage()): string | null {
  try {
    const value = storage?.getItem(LAST_ROUTE_KEY) ?? null;
    return isRestorable(value) ? value : null;
  } catch {
    return null;
  }
}

/** Remembers `path` as the page to reopen ("/" forgets it). */
export function rememberRoute(path: string, storage: Storage | undefined = safeStorage()): void {
  try {
    if (isRestorable(path)) storage?.setItem(LAST_ROUTE_KEY, path);
    else if (path === "/") storage?.removeItem(LAST_ROUTE_KEY);
  } catch {
    // Storage may be unavailable: the app then opens on its home page.
  }
}

/**
 * At start: when the window opens on the home page, goes to the remembered page instead
 * (a start on an explicit page keeps it). Then remembers every page shown. Returns the
 * unsubscribe function.
 */
export function reopenWhereLeftOff(history: RouterHistory, storage: Storage | undefined = safeStorage()): () => void {
  const remembered = lastRoute(storage);
  if (remembered && history.location.pathname === "/" && !history.location.search) history.replace(remembered);
  return history.subscribe(({ location }) => rememberRoute(`${location.pathname}${location.search}`, storage));
}

function safeStorage(): Storage | undefined {
  try {
    return typeof window === "undefined" ? undefined : window.localStorage;
  } catch {
    return undefined;
  }
}
