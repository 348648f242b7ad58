// Theme preference ("system" by default) resolves to the light or dark palette that
// index.css keys on via <html data-theme>. Kept free of React so it is easy to test.
import type { Theme } from "@/backend";

export type ResolvedTheme = "light" | "dark";

export const DARK_QUERY = "(prefers-color-scheme: dark)";

/** Remembered only to paint the first frame right before settingsGet answers. */
const FIRST_PAINT_KEY = "proxdeck.theme";

export function resolveTheme(preference: Theme, systemPrefersDark: boolean): ResolvedTheme {
  if (preference === "system") return systemPrefersDark ? "dark" : "light";
  return preference;
}

export function systemPrefersDark(): boolean {
  return typeof window.matchMedia === "function" && window.matchMedia(DARK_QUERY).matches;
}

export function applyTheme(resolved: ResolvedTheme): void {
  const root = document.documentElement;
  root.dataset.theme = resolved;
  root.style.colorScheme = resolved;
}

/** Calls back whenever the OS switches between light and dark. */
export function watchSystemTheme(cb: (prefersDark: boolean) => void): () => void {
  if (typeof window.matchMedia !== "function") return () => {};
  const query = window.matchMedia(DARK_QUERY);
  const listener = (event: MediaQueryListEvent) => cb(event.matches);
  query.addEventListener("change", listener);
  return () => query.removeEventListener("change", listener);
}

function isTheme(value: unknown): value is Theme {
  return value === "light" || value === "dark" || value === "system";
}

export function rememberedTheme(): Theme {
  try {
    const value = window.localStorage.getItem(FIRST_PAINT_KEY);
    return isTheme(value) ? value : "system";
  } catch {
    return "system";
  }
}

export function rememberTheme(theme: Theme): void {
  try {
    window.localStorage.setItem(FIRST_PAINT_KEY, theme);
  } catch {
    // Storage may be unavailable; the back end stays the source of truth.
  }
}
