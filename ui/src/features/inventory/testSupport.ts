// Test helpers for the inventory views (imported by tests only).
import type { Resource } from "@/backend";
import type { AppRouter } from "@/app/router";

/** A complete `/cluster/resources` entry: give the fields a test is about. */
export function resource(partial: Partial<Resource> & Pick<Resource, "id" | "kind">): Resource {
  return {
    node: null,
    vmid: null,
    name: null,
    status: null,
    template: false,
    pool: null,
    tags: null,
    lock: null,
    hastate: null,
    storage: null,
    cpu: null,
    maxcpu: null,
    mem: null,
    maxmem: null,
    disk: null,
    maxdisk: null,
    uptime: null,
    ...partial,
  };
}

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
