// Exercises the real backend module over the real @tauri-apps/api invoke path,
// with only window.__TAURI_INTERNALS__ faked.
import { afterEach, describe, expect, it, vi } from "vitest";
import { api, AppErrorException, isTauri, onSettingsChanged, toAppError, unwrap, type AppError } from "./index";

function fakeTauri(invoke: (cmd: string, args?: unknown) => Promise<unknown>) {
  window.__TAURI_INTERNALS__ = { invoke, transformCallback: () => 1 };
}

afterEach(() => {
  delete window.__TAURI_INTERNALS__;
});

describe("unwrap", () => {
  it("returns data and throws the AppError otherwise", () => {
    expect(unwrap({ status: "ok", data: 42 })).toBe(42);
    const error: AppError = { code: "NotFound", message: "No such guest.", detail: null };
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
  });

  it("calls the Rust commands by name with their arguments", async () => {
    const invoke = vi.fn((cmd: string, args?: unknown) =>
      Promise.resolve(cmd === "settings_set" ? (args as { settings: unknown }).settings : { theme: "dark" }),
    );
    fakeTauri(invoke);
    expect(isTauri()).toBe(true);
    await expect(api.settingsGet()).resolves.toEqual({ theme: "dark" });
    await expect(api.settingsSet({ theme: "light" })).resolves.toEqual({ theme: "light" });
    expect(invoke).toHaveBeenCalledWith("settings_get", {}, undefined);
    expect(invoke).toHaveBeenCalledWith("settings_set", { settings: { theme: "light" } }, undefined);
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

  it("turns a rejected command into an AppErrorException with its code", async () => {
    const error: AppError = { code: "Storage", message: "The database is locked.", detail: "SQLITE_BUSY" };
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
    });
  });
});
