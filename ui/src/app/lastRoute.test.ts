import { createMemoryHistory } from "@tanstack/react-router";
import { describe, expect, it } from "vitest";
import { LAST_ROUTE_KEY, isRestorable, lastRoute, rememberRoute, reopenWhereLeftOff } from "./lastRoute";

describe("reopen where you left off", () => {
  it("reopens the page remembered from the last run when the window opens on the home page", () => {
    window.localStorage.setItem(LAST_ROUTE_KEY, "/guests");
    const history = createMemoryHistory({ initialEntries: ["/"] });
    reopenWhereLeftOff(history);
    expect(history.location.pathname).toBe("/guests");
  });

  it("keeps an explicit start page", () => {
    window.localStorage.setItem(LAST_ROUTE_KEY, "/guests");
    const history = createMemoryHistory({ initialEntries: ["/settings"] });
    reopenWhereLeftOff(history);
    expect(history.location.pathname).toBe("/settings");
  });

  it("remembers every page shown, with its search, and forgets on the home page", () => {
    const history = createMemoryHistory({ initialEntries: ["/"] });
    const stop = reopenWhereLeftOff(history);
    expect(lastRoute()).toBeNull();
    history.push("/c/abc/guest/101?tab=config");
    expect(window.localStorage.getItem(LAST_ROUTE_KEY)).toBe("/c/abc/guest/101?tab=config");
    history.push("/");
    expect(lastRoute()).toBeNull();
    stop();
    history.push("/settings");
    expect(lastRoute()).toBeNull();
  });

  it("ignores what is not an in-app path", () => {
    for (const bad of ["https://example.org/", "//evil", "", "guests", "/"]) {
      window.localStorage.setItem(LAST_ROUTE_KEY, bad);
      expect(lastRoute()).toBeNull();
      expect(isRestorable(bad)).toBe(false);
    }
    rememberRoute("javascript:alert(1)");
    expect(window.localStorage.getItem(LAST_ROUTE_KEY)).toBe("/");
  });

  it("opens on the home page when storage fails", () => {
    const broken = {
      getItem: () => {
        throw new Error("denied");
      },
      setItem: () => {
        throw new Error("denied");
      },
      removeItem: () => {
        throw new Error("denied");
      },
    } as unknown as Storage;
    const history = createMemoryHistory({ initialEntries: ["/"] });
    reopenWhereLeftOff(history, broken);
    expect(history.location.pathname).toBe("/");
    expect(() => history.push("/guests")).not.toThrow();
  });
});
