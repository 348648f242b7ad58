import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, render, waitFor } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { api, onSettingsChanged, type Settings } from "@/backend";
import { setSystemDark } from "@/test/matchMedia";
import { resolveTheme } from "./theme";
import { ThemeSync } from "./useThemeSync";

vi.mock("@/backend", async (importOriginal) => (await import("@/test/backendMock")).backendMock(importOriginal));

const html = document.documentElement;

function renderThemeSync() {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={queryClient}>
      <ThemeSync />
    </QueryClientProvider>,
  );
  return queryClient;
}

describe("resolveTheme", () => {
  it("follows the OS for system and ignores it otherwise", () => {
    expect(resolveTheme("system", false)).toBe("light");
    expect(resolveTheme("system", true)).toBe("dark");
    expect(resolveTheme("light", true)).toBe("light");
    expect(resolveTheme("dark", false)).toBe("dark");
  });
});

describe("ThemeSync", () => {
  beforeEach(() => {
    vi.mocked(onSettingsChanged).mockImplementation(() => () => {});
  });

  it("applies the system theme and follows the OS when it changes", async () => {
    vi.mocked(api.settingsGet).mockResolvedValue({ theme: "system", healthIntervalSecs: 30, refreshVisibleSecs: 5, refreshHiddenSecs: 60, guestOrder: "vmid", backupCoverageDays: 1 });
    renderThemeSync();
    await waitFor(() => expect(html.dataset.theme).toBe("light"));
    expect(html.style.colorScheme).toBe("light");

    act(() => setSystemDark(true));
    expect(html.dataset.theme).toBe("dark");
    expect(html.style.colorScheme).toBe("dark");

    act(() => setSystemDark(false));
    expect(html.dataset.theme).toBe("light");
  });

  it("lets an explicit choice win over the OS", async () => {
    setSystemDark(true);
    vi.mocked(api.settingsGet).mockResolvedValue({ theme: "light", healthIntervalSecs: 30, refreshVisibleSecs: 5, refreshHiddenSecs: 60, guestOrder: "vmid", backupCoverageDays: 1 });
    renderThemeSync();
    await waitFor(() => expect(api.settingsGet).toHaveBeenCalled());
    await waitFor(() => expect(html.dataset.theme).toBe("light"));

    act(() => setSystemDark(false));
    act(() => setSystemDark(true));
    expect(html.dataset.theme).toBe("light");
  });

  it("uses the OS theme when settings cannot be read", async () => {
    setSystemDark(true);
    vi.mocked(api.settingsGet).mockRejectedValue(new Error("no back end"));
    renderThemeSync();
    await waitFor(() => expect(api.settingsGet).toHaveBeenCalled());
    expect(html.dataset.theme).toBe("dark");
  });

  it("follows settings changed elsewhere", async () => {
    let push: ((s: Settings) => void) | undefined;
    vi.mocked(onSettingsChanged).mockImplementation((cb) => {
      push = cb;
      return () => {};
    });
    vi.mocked(api.settingsGet).mockResolvedValue({ theme: "light", healthIntervalSecs: 30, refreshVisibleSecs: 5, refreshHiddenSecs: 60, guestOrder: "vmid", backupCoverageDays: 1 });
    renderThemeSync();
    await waitFor(() => expect(html.dataset.theme).toBe("light"));

    expect(push).toBeDefined();
    act(() => push?.({ theme: "dark", healthIntervalSecs: 30, refreshVisibleSecs: 5, refreshHiddenSecs: 60, guestOrder: "vmid", backupCoverageDays: 1 }));
    await waitFor(() => expect(html.dataset.theme).toBe("dark"));
  });
});
