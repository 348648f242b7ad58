import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { api, AppErrorException, type AppInfo, type Settings } from "@/backend";
import { renderApp } from "@/test/renderApp";

vi.mock("@/backend", async (importOriginal) => (await import("@/test/backendMock")).backendMock(importOriginal));

const INFO: AppInfo = {
  version: "0.1.0",
  dataDir: "/home/ada/.local/share/proxdeck",
  logDir: "/home/ada/.local/state/proxdeck/logs",
  databasePath: "/home/ada/.local/share/proxdeck/proxdeck.sqlite3",
  schemaVersion: 3,
  os: "linux",
};

beforeEach(() => {
  vi.mocked(api.settingsGet).mockResolvedValue({ theme: "system", healthIntervalSecs: 30, refreshVisibleSecs: 5, refreshHiddenSecs: 60, guestOrder: "vmid", backupCoverageDays: 1 });
  vi.mocked(api.settingsSet).mockImplementation((s: Settings) => Promise.resolve(s));
  vi.mocked(api.appInfo).mockResolvedValue(INFO);
});

describe("Appearance", () => {
  it("shows the saved theme as selected", async () => {
    renderApp("/settings");
    await waitFor(() => expect(screen.getByTestId("theme-system")).toHaveAttribute("aria-checked", "true"));
    expect(screen.getByTestId("theme-system")).toHaveAttribute("data-state", "checked");
    expect(screen.getByTestId("theme-dark")).toHaveAttribute("aria-checked", "false");
  });

  it("saves the chosen theme and applies it at once", async () => {
    const user = userEvent.setup();
    renderApp("/settings");
    await waitFor(() => expect(screen.getByTestId("theme-system")).toBeChecked());

    await user.click(screen.getByTestId("theme-dark"));
    expect(api.settingsSet).toHaveBeenCalledWith({ theme: "dark", healthIntervalSecs: 30, refreshVisibleSecs: 5, refreshHiddenSecs: 60, guestOrder: "vmid", backupCoverageDays: 1 });
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe("dark"));
    expect(screen.getByTestId("theme-dark")).toHaveAttribute("aria-checked", "true");

    await user.click(screen.getByTestId("theme-light"));
    expect(api.settingsSet).toHaveBeenLastCalledWith({ theme: "light", healthIntervalSecs: 30, refreshVisibleSecs: 5, refreshHiddenSecs: 60, guestOrder: "vmid", backupCoverageDays: 1 });
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe("light"));
  });

  it("shows why saving failed and keeps the saved theme", async () => {
    vi.mocked(api.settingsGet).mockResolvedValue({ theme: "light", healthIntervalSecs: 30, refreshVisibleSecs: 5, refreshHiddenSecs: 60, guestOrder: "vmid", backupCoverageDays: 1 });
    vi.mocked(api.settingsSet).mockRejectedValue(
      new AppErrorException({ code: "Storage", message: "The settings file is read-only.", detail: null }),
    );
    const user = userEvent.setup();
    renderApp("/settings");
    await waitFor(() => expect(screen.getByTestId("theme-light")).toBeChecked());

    await user.click(screen.getByTestId("theme-dark"));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Could not save the theme");
    expect(alert).toHaveTextContent("The settings file is read-only.");
    expect(within(alert).getByText("Storage")).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId("theme-light")).toBeChecked());
    expect(document.documentElement.dataset.theme).toBe("light");
  });
});

describe("About", () => {
  it("shows every field of appInfo exactly", async () => {
    renderApp("/settings");
    expect(await screen.findByTestId("about-version")).toHaveTextContent(/^0\.1\.0$/);
    const exact: [string, string][] = [
      ["about-version", INFO.version],
      ["about-data-dir", INFO.dataDir],
      ["about-log-dir", INFO.logDir],
      ["about-database-path", INFO.databasePath],
      ["about-schema-version", "3"],
      ["about-os", INFO.os],
    ];
    for (const [testId, value] of exact) expect(screen.getByTestId(testId).textContent).toBe(value);
  });

  it("shows a loading state, then the AppError message and code on failure", async () => {
    let fail: (e: unknown) => void = () => {};
    vi.mocked(api.appInfo).mockReturnValue(new Promise<AppInfo>((_, reject) => (fail = reject)));
    renderApp("/settings");
    expect(await screen.findByText("Loading system information…")).toBeInTheDocument();

    fail(
      new AppErrorException({
        code: "Storage",
        message: "The database could not be opened.",
        detail: "disk I/O error",
      }),
    );
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Could not read system information");
    expect(alert).toHaveTextContent("The database could not be opened.");
    expect(alert).toHaveTextContent("disk I/O error");
    expect(within(alert).getByText("Storage")).toBeInTheDocument();
    expect(screen.queryByTestId("about-version")).not.toBeInTheDocument();
  });
});

describe("Health checks", () => {
  it("saves the interval and shows the back end's range message", async () => {
    const user = userEvent.setup();
    renderApp("/settings");
    const field = await screen.findByTestId("health-interval");
    await waitFor(() => expect(field).toHaveValue(30));

    await user.clear(field);
    await user.type(field, "60{Enter}");
    expect(api.settingsSet).toHaveBeenLastCalledWith({ theme: "system", healthIntervalSecs: 60, refreshVisibleSecs: 5, refreshHiddenSecs: 60, guestOrder: "vmid", backupCoverageDays: 1 });

    vi.mocked(api.settingsSet).mockRejectedValueOnce(
      new AppErrorException({
        code: "Invalid",
        message: "the health check interval is out of range",
        detail: null,
        fields: { healthIntervalSecs: "between 5 and 3600 seconds" },
      }),
    );
    await user.clear(field);
    await user.type(field, "2");
    await user.tab();
    expect(api.settingsSet).toHaveBeenLastCalledWith({ theme: "system", healthIntervalSecs: 2, refreshVisibleSecs: 5, refreshHiddenSecs: 60, guestOrder: "vmid", backupCoverageDays: 1 });
    expect(await screen.findByTestId("field-error-healthIntervalSecs")).toHaveTextContent("between 5 and 3600 seconds");
    expect(field).toHaveAttribute("aria-invalid", "true");
  });
});

describe("Refresh and tree order", () => {
  it("saves the refresh interval and the guest order", async () => {
    const user = userEvent.setup();
    renderApp("/settings");
    const field = await screen.findByTestId("refresh-visible");
    await waitFor(() => expect(field).toHaveValue(5));
    await user.clear(field);
    await user.type(field, "10{Enter}");
    expect(api.settingsSet).toHaveBeenLastCalledWith(expect.objectContaining({ refreshVisibleSecs: 10 }));
    await user.click(screen.getByTestId("guest-order-name"));
    expect(api.settingsSet).toHaveBeenLastCalledWith(expect.objectContaining({ guestOrder: "name" }));
  });
});

describe("Backups", () => {
  it("saves the coverage window in days and shows the back end's range message", async () => {
    const user = userEvent.setup();
    renderApp("/settings");
    const field = await screen.findByTestId("backup-coverage-days");
    await waitFor(() => expect(field).toHaveValue(1));
    expect(screen.getByRole("region", { name: "Backups" })).toHaveTextContent("days");

    await user.clear(field);
    await user.type(field, "7{Enter}");
    expect(api.settingsSet).toHaveBeenLastCalledWith(expect.objectContaining({ backupCoverageDays: 7 }));

    vi.mocked(api.settingsSet).mockRejectedValueOnce(
      new AppErrorException({
        code: "Invalid",
        message: "the backup coverage window is out of range",
        detail: null,
        fields: { backupCoverageDays: "between 1 and 365 days" },
      }),
    );
    await user.clear(field);
    await user.type(field, "400{Enter}");
    expect(await screen.findByTestId("field-error-backupCoverageDays")).toHaveTextContent("between 1 and 365 days");
  });
});
