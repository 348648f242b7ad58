// A controllable stand-in for the OS colour-scheme preference (jsdom has no matchMedia).
type Listener = (event: MediaQueryListEvent) => void;

let dark = false;
const listeners = new Set<Listener>();

function mediaQueryList(query: string): MediaQueryList {
  const isDarkQuery = query.includes("prefers-color-scheme: dark");
  return {
    get matches() {
      return isDarkQuery ? dark : false;
    },
    media: query,
    onchange: null,
    addEventListener: (_type: string, listener: Listener) => {
      if (isDarkQuery) listeners.add(listener);
    },
    removeEventListener: (_type: string, listener: Listener) => {
      listeners.delete(listener);
    },
    addListener: (listener: Listener) => listeners.add(listener),
    removeListener: (listener: Listener) => listeners.delete(listener),
    dispatchEvent: () => true,
  } as unknown as MediaQueryList;
}

export function installMatchMedia(): void {
  dark = false;
  listeners.clear();
  window.matchMedia = mediaQueryList;
}

/** Switches the pretend OS between light and dark and notifies listeners like a browser would. */
export function setSystemDark(value: boolean): void {
  dark = value;
  for (const listener of [...listeners]) listener({ matches: value } as MediaQueryListEvent);
}
