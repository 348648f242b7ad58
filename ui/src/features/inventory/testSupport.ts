// Test helpers for the inventory views (imported by tests only).
import type { AppRouter } from "@/app/router";

export { resource } from "@/test/fixtures";

/**
 * Records the summary pages (`/c/…`) the UI tries to open and stays where it is, so a test of
 * the tree, table or search does not render those pages (their charts need a real canvas).
 */
export function recordOpened(router: AppRouter): string[] {
  const opened: string[] = [];
  router.history.block({
    // `true` blocks the navigation.
    blockerFn: ({ nextLocation }) => {
      if (!nextLocation.pathname.startsWith("/c/")) return false;
      opened.push(decodeURIComponent(nextLocation.pathname));
      return true;
    },
    enableBeforeUnload: false,
  });
  return opened;
}
