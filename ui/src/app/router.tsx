// Code-based routes. The window is served from Tauri's custom protocol, so the app uses
// hash history; tests pass a memory history instead.
import {
  createHashHistory,
  createRootRoute,
  createRoute,
  createRouter,
  type RouterHistory,
} from "@tanstack/react-router";
import { SettingsPage } from "@/features/admin/SettingsPage";
import { DatacenterWelcome } from "@/features/inventory/DatacenterWelcome";
import { AppFrame } from "./AppFrame";

const rootRoute = createRootRoute({ component: AppFrame });

const datacenterRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/",
  component: DatacenterWelcome,
});

const settingsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/settings",
  component: SettingsPage,
});

const routeTree = rootRoute.addChildren([datacenterRoute, settingsRoute]);

export function createAppRouter(history: RouterHistory = createHashHistory()) {
  return createRouter({ routeTree, history, defaultPreload: false });
}

export type AppRouter = ReturnType<typeof createAppRouter>;

declare module "@tanstack/react-router" {
  interface Register {
    router: AppRouter;
  }
}
