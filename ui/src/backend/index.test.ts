// Exercises the real backend module over the real @tauri-apps/api invoke path,
// with only window.__TAURI_INTERNALS__ faked.
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  api,
  AppErrorException,
  isTauri,
  onConnectionsChanged,
  onHealthChanged,
  onSettingsChanged,
  toAppError,
  unwrap,
  type AppError,
  type ConnectionInput,
} from "./index";

function fakeTauri(invoke: (cmd: string, args?: unknown) => Promise<unknown>) {
  window.__TAURI_INTERNALS__ = { invoke, transformCallback: () => 1 };
}

const INPUT: ConnectionInput = {
  name: "prod",
  kind: "pve",
  urls: ["pve1.example"],
  access: "apiToken",
  username: "proxdeck@pve",
  password: null,
  tokenId: "proxdeck@pve!proxdeck",
  tokenSecret: "s3cret",
  timeoutMs: 1000,
  fingerprints: [],
  nodeOrder: [],
  enabled: true,
  pool: null,
};

afterEach(() => {
  delete window.__TAURI_INTERNALS__;
});

describe("unwrap", () => {
  it("returns data and throws the AppError otherwise", () => {
    expect(unwrap({ status: "ok", data: 42 })).toBe(42);
    const error: AppError = { code: "NotFound", message: "No such guest.", detail: null, fields: {} };
    expect(() => unwrap({ status: "error", error })).toThrowError(AppErrorException);
    try {
      unwrap({ status: "error", error });
    } catch (e) {
      expect((e as AppErrorException).appError).toEqual(error);
      expect((e as AppErrorException).code).toBe("NotFound");
    }
  });
});

describe("api", () => {
  it("fails with an AppError outside the desktop app instead of crashing", async () => {
    expect(isTauri()).toBe(false);
    const failure = await api.appInfo().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(AppErrorException);
    expect((failure as AppErrorException).code).toBe("Internal");
    expect((failure as AppErrorException).message).toMatch(/outside the desktop app/);
    expect(onSettingsChanged(() => {})).toBeTypeOf("function");
    expect(onConnectionsChanged(() => {})).toBeTypeOf("function");
    expect(onHealthChanged(() => {})).toBeTypeOf("function");
  });

  it("calls the Rust commands by name with their arguments", async () => {
    const invoke = vi.fn((cmd: string, args?: unknown) =>
      Promise.resolve(cmd === "settings_set" ? (args as { settings: unknown }).settings : { theme: "dark", healthIntervalSecs: 30, refreshVisibleSecs: 5, refreshHiddenSecs: 60, guestOrder: "vmid", backupCoverageDays: 1 }),
    );
    fakeTauri(invoke);
    expect(isTauri()).toBe(true);
    await expect(api.settingsGet()).resolves.toEqual({ theme: "dark", healthIntervalSecs: 30, refreshVisibleSecs: 5, refreshHiddenSecs: 60, guestOrder: "vmid", backupCoverageDays: 1 });
    await expect(api.settingsSet({ theme: "light", healthIntervalSecs: 30, refreshVisibleSecs: 5, refreshHiddenSecs: 60, guestOrder: "vmid", backupCoverageDays: 1 })).resolves.toEqual({ theme: "light", healthIntervalSecs: 30, refreshVisibleSecs: 5, refreshHiddenSecs: 60, guestOrder: "vmid", backupCoverageDays: 1 });
    expect(invoke).toHaveBeenCalledWith("settings_get", {}, undefined);
    expect(invoke).toHaveBeenCalledWith("settings_set", { settings: { theme: "light", healthIntervalSecs: 30, refreshVisibleSecs: 5, refreshHiddenSecs: 60, guestOrder: "vmid", backupCoverageDays: 1 } }, undefined);
  });

  it("calls the connection and demo commands by name", async () => {
    const invoke = vi.fn((cmd: string) => Promise.resolve(cmd === "demo_close" ? null : []));
    fakeTauri(invoke);
    await expect(api.connectionsList()).resolves.toEqual([]);
    await expect(api.demoOpen()).resolves.toEqual([]);
    await expect(api.demoClose()).resolves.toBeNull();
    await expect(api.connectionResources("demo-prod")).resolves.toEqual([]);
    expect(invoke).toHaveBeenCalledWith("connections_list", {}, undefined);
    expect(invoke).toHaveBeenCalledWith("demo_open", {}, undefined);
    expect(invoke).toHaveBeenCalledWith("demo_close", {}, undefined);
    expect(invoke).toHaveBeenCalledWith("connection_resources", { id: "demo-prod" }, undefined);
  });

  it("calls the connection management commands by name with their arguments", async () => {
    const invoke = vi.fn((_cmd: string, _args?: unknown) => Promise.resolve({}));
    fakeTauri(invoke);
    await api.connectionAdd(INPUT);
    await api.connectionUpdate("c1", INPUT);
    await api.connectionRemove("c1", true);
    await api.connectionSetEnabled("c1", false);
    await api.connectionTest(INPUT, null);
    await api.certificateProbe("https://pve1.example:8006");
    await api.connectionFeatures("pve", "apiToken", "proxdeck@pve", "9.1.2");
    await api.connectionCheck("c1");
    const wizard = {
      urls: ["pve1.example"],
      fingerprints: [],
      timeoutMs: 1000,
      adminUsername: "root@pam",
      adminPassword: "pw",
      adminOtp: null,
      tokenName: "proxdeck",
      profile: { kind: "fullAdmin" as const },
      rotate: false,
      connectionId: null,
    };
    await api.tokenWizardChoices(wizard);
    await api.tokenCreate(wizard);
    expect(invoke.mock.calls.map(([cmd, args]) => [cmd, args])).toEqual([
      ["connection_add", { input: INPUT }],
      ["connection_update", { id: "c1", input: INPUT }],
      ["connection_remove", { id: "c1", deleteToken: true }],
      ["connection_set_enabled", { id: "c1", enabled: false }],
      ["connection_test", { input: INPUT, existingId: null }],
      ["certificate_probe", { url: "https://pve1.example:8006" }],
      ["connection_features", { kind: "pve", access: "apiToken", username: "proxdeck@pve", pveVersion: "9.1.2" }],
      ["connection_check", { id: "c1" }],
      ["token_wizard_choices", { input: wizard }],
      ["token_create", { input: wizard }],
    ]);
  });

  it("keeps the per-field messages of a form error", async () => {
    const error = {
      code: "Invalid",
      message: "The form has errors.",
      detail: null,
      fields: { urls: "enter at least one node" },
    };
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    fakeTauri(() => Promise.reject(error));
    const failure = await api.connectionAdd(INPUT).catch((e: unknown) => e);
    expect(toAppError(failure)).toEqual(error);
    // An error from an older back end without `fields` still has them, empty.
    expect(toAppError({ code: "Invalid", message: "bad" })).toEqual({
      code: "Invalid",
      message: "bad",
      detail: null,
      fields: {},
    });
  });

  it("fails a command that cannot fail in Rust with an AppError when IPC does", async () => {
    fakeTauri(() => Promise.reject(new TypeError("ipc gone")));
    const failure = await api.connectionFeatures("pve", "credential", "root@pam", null).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(AppErrorException);
    expect((failure as AppErrorException).appError.detail).toBe("ipc gone");
  });

  it("delivers connection and health events to their subscribers", async () => {
    const handlers = new Map<string, (event: unknown) => void>();
    let pending: ((event: unknown) => void) | null = null;
    window.__TAURI_INTERNALS__ = {
      transformCallback: (cb: (event: unknown) => void) => {
        pending = cb;
        return handlers.size + 1;
      },
      invoke: (cmd: string, args?: { event?: string }) => {
        if (cmd === "plugin:event|listen" && args?.event && pending) handlers.set(args.event, pending);
        return Promise.resolve(handlers.size);
      },
    };
    const unregister = vi.fn();
    Object.assign(window, { __TAURI_EVENT_PLUGIN_INTERNALS__: { unregisterListener: unregister } });
    const changed = vi.fn();
    const health = vi.fn();
    const stopChanged = onConnectionsChanged(changed);
    await vi.waitFor(() => expect(handlers.has("connections-changed")).toBe(true));
    onHealthChanged(health);
    await vi.waitFor(() => expect(handlers.has("health-changed")).toBe(true));

    handlers.get("connections-changed")!({ event: "connections-changed", id: 1, payload: null });
    expect(changed).toHaveBeenCalledTimes(1);
    handlers.get("health-changed")!({
      event: "health-changed",
      id: 2,
      payload: { connectionId: "c1", name: "prod", from: "unknown", to: "apiOnly", since: "2025-01-01T14:02:00Z" },
    });
    expect(health).toHaveBeenCalledWith({
      connectionId: "c1",
      name: "prod",
      from: "unknown",
      to: "apiOnly",
      since: "2025-01-01T14:02:00Z",
      previousSince: null,
      message: null,
    });
    stopChanged();
    await vi.waitFor(() => expect(unregister).toHaveBeenCalledWith("connections-changed", 1));
    delete (window as { __TAURI_EVENT_PLUGIN_INTERNALS__?: unknown }).__TAURI_EVENT_PLUGIN_INTERNALS__;
  });

  it("turns a rejected command into an AppErrorException with its code", async () => {
    const error: AppError = { code: "Storage", message: "The database is locked.", detail: "SQLITE_BUSY", fields: {} };
    // Tauri rejects with the serialized AppError object, not an Error.
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    fakeTauri(() => Promise.reject(error));
    const failure = await api.appInfo().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(AppErrorException);
    expect((failure as AppErrorException).appError).toEqual(error);
  });

  it("wraps unexpected exceptions as Internal errors", async () => {
    fakeTauri(() => Promise.reject(new TypeError("boom")));
    const failure = await api.appInfo().catch((e: unknown) => e);
    expect(toAppError(failure)).toEqual({
      code: "Internal",
      message: "The back end call failed unexpectedly.",
      detail: "boom",
      fields: {},
    });
  });
});
