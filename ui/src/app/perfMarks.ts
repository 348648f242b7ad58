// Timestamps for the window benchmark (benches/window.rs), which reads them over WebDriver
// from `window.__proxdeckMarks`: epoch milliseconds (performance.timeOrigin + now()), so
// they compare with the benchmark's own clock. Each mark is set once, after the frame that
// showed it was painted. Costs nothing once every mark is set.
import { useEffect } from "react";

declare global {
  interface Window {
    __proxdeckMarks?: Record<string, number>;
  }
}

/** Runs `cb` after the next frame has been painted (rAF, then a task after it). */
export function afterPaint(cb: () => void): void {
  requestAnimationFrame(() => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => cb();
    channel.port2.postMessage(null);
  });
}

/** Sets `name` (once) to the time the next frame was painted. */
export function markPainted(name: string): void {
  const marks = (window.__proxdeckMarks ??= {});
  if (name in marks) return;
  marks[name] = -1; // pending: set once
  afterPaint(() => {
    marks[name] = performance.timeOrigin + performance.now();
  });
}

interface Freshness {
  fetchedAt: string | null;
  stale: boolean;
  error: unknown;
}

/**
 * The guest table's marks: `guestRowsPainted` (first frame with rows), `inventoryFresh`
 * (first frame with rows fetched by this run rather than read from the cache) and
 * `inventoryAllFresh` (every cluster fetched by this run); `guestRowsAtFirstPaint` is a count.
 */
export function useGuestTableMarks(rowCount: number, byConnection: ReadonlyMap<string, Freshness>): void {
  let fresh = 0;
  for (const r of byConnection.values()) if (r.fetchedAt !== null && !r.stale && !r.error) fresh += 1;
  const allFresh = fresh > 0 && fresh === byConnection.size;
  useEffect(() => {
    if (rowCount === 0) return;
    const marks = (window.__proxdeckMarks ??= {});
    marks.guestRowsAtFirstPaint ??= rowCount;
    markPainted("guestRowsPainted");
    if (fresh > 0) markPainted("inventoryFresh");
    if (allFresh) markPainted("inventoryAllFresh");
  }, [rowCount, fresh, allFresh]);
}

declare global {
  interface Window {
    /** Profiling builds only: each React commit of a profiled area, for the window bench. */
    __proxdeckRenders?: [id: string, phase: string, durationMs: number, startMs: number, commitMs: number][];
  }
}

/**
 * Whether this is a profiling build (`VITE_PROFILE=1 npm run build`): React's profiling build
 * with the main areas of the frame timed (see `Profiled`). A constant, so normal builds drop
 * the timing code.
 */
export const PROFILING = import.meta.env.VITE_PROFILE === "1";

/** React's `<Profiler>` callback for profiling builds: records each commit's render time. */
export function recordRender(id: string, phase: string, duration: number, _base: number, start: number, commit: number): void {
  (window.__proxdeckRenders ??= []).push([id, phase, duration, start, commit]);
}

/**
 * The `<Profiler>` commit hooks of React's profiling build (not in React's types): how long an
 * area's layout effects (`onCommit`) and passive effects (`onPostCommit`) ran after a render.
 */
export const PROFILER_EFFECT_HOOKS = {
  onCommit: (id: string, phase: string, duration: number) => recordEffects(`${id} layout effects`, phase, duration),
  onPostCommit: (id: string, phase: string, duration: number) => recordEffects(`${id} effects`, phase, duration),
};

function recordEffects(id: string, phase: string, duration: number): void {
  if (duration <= 0) return;
  const end = performance.now();
  (window.__proxdeckRenders ??= []).push([id, phase, duration, end - duration, end]);
}
