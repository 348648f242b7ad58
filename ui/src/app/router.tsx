// Code-based routes. The window is served from Tauri's custom protocol, so the app uses
// hash history; tests pass a memory history instead.
import {
  createHashHistory,
  createRootRoute,
  createRoute,
  createRouter,
  lazyRouteComponent,
  type RouterHistory,
} from "@tanstack/react-router";
import { SettingsPage } from "@/features/admin/SettingsPage";
import { validateGuestSearch } from "@/features/guests/tabs";
import { DatacenterHome } from "@/features/inventory/DatacenterHome";
import { AppFrame } from "./AppFrame";
import { PageError } from "./PageError";

const rootRoute = createRootRoute({ component: AppFrame });

const datacenterRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/",
  component: DatacenterHome,
});

const settingsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/settings",
  component: SettingsPage,
});

const guestsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/guests",
  component: lazyRouteComponent(() => import("@/features/guests/GuestsPage"), "GuestsPage"),
});

// Backup Server pages load on first visit, keeping the main bundle small.
const pbsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/pbs/$conn",
  component: lazyRouteComponent(() => import("@/features/pbs/PbsPage"), "PbsPage"),
});

const coverageRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/backups/coverage",
  component: lazyRouteComponent(() => import("@/features/pbs/CoveragePage"), "CoveragePage"),
});

// Summary pages (and their uPlot charts) load on first visit, keeping the main bundle small.
const connectionSummaryRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/c/$conn",
  component: lazyRouteComponent(() => import("@/features/summary/ConnectionSummaryPage"), "ConnectionSummaryPage"),
});

const nodeSummaryRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/c/$conn/node/$node",
  component: lazyRouteComponent(() => import("@/features/summary/NodeSummaryPage"), "NodeSummaryPage"),
});

const guestSummaryRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/c/$conn/guest/$vmid",
  // The selected tab (`?tab=hardware`), so it survives a reload and "reopen where you left off".
  validateSearch: validateGuestSearch,
  component: lazyRouteComponent(() => import("@/features/summary/GuestSummaryPage"), "GuestSummaryPage"),
});

const storageSummaryRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/c/$conn/storage/$node/$storage",
  component: lazyRouteComponent(() => import("@/features/summary/StorageSummaryPage"), "StorageSummaryPage"),
});

const routeTree = rootRoute.addChildren([
  connectionSummaryRoute,
  nodeSummaryRoute,
  guestSummaryRoute,
  storageSummaryRoute,
  pbsRoute,
  coverageRoute,
  datacenterRoute,
  settingsRoute,
  guestsRoute,
]);

export function createAppRouter(history: RouterHistory = createHashHistory()) {
  return createRouter({ routeTree, history, defaultPreload: false, defaultErrorComponent: PageError });
}

export type AppRouter = ReturnType<typeof createAppRouter>;

declare module "@tanstack/react-router" {
  interface Register {
    router: AppRouter;
  }
}
