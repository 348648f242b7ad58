import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { api, AppErrorException } from "@/backend";
import { addConnectionAction, openDemoAction } from "@/features/connections/firstRun";
import { renderApp } from "@/test/renderApp";

vi.mock("@/backend", async (importOriginal) => (await import("@/test/backendMock")).backendMock(importOriginal));

beforeEach(() => {
  vi.mocked(api.settingsGet).mockResolvedValue({ theme: "system", healthIntervalSecs: 30, refreshVisibleSecs: 5, refreshHiddenSecs: 60, guestOrder: "vmid", backupCoverageDays: 1 });
  vi.mocked(api.appInfo).mockRejectedValue(
    new AppErrorException({ code: "Internal", message: "not under test", detail: null }),
  );
});

describe("app frame", () => {
  it("has the tree, main pane, task bar and top bar", async () => {
    renderApp("/");
    expect(await screen.findByTestId("tree-pane")).toBeInTheDocument();
    expect(screen.getByTestId("main-pane")).toHaveTextContent("Welcome to Proxdeck");
    expect(screen.getByTestId("task-bar")).toHaveTextContent("No tasks yet");
    expect(screen.getByTestId("global-search")).toBeInTheDocument();
    expect(screen.getByTestId("open-settings")).toHaveAccessibleName("Settings");
    for (const column of ["Start time", "Cluster", "Node", "User", "Description", "Status"]) {
      expect(screen.getByRole("columnheader", { name: column })).toBeInTheDocument();
    }
  });

  it("offers adding a connection and the demo side by side", async () => {
    const user = userEvent.setup();
    renderApp("/");
    const add = await screen.findByTestId("empty-add-connection");
    const demo = screen.getByTestId("empty-open-demo");
    expect(addConnectionAction.enabled).toBe(true);
    expect(openDemoAction.enabled).toBe(true);
    expect(add).toBeEnabled();
    expect(add).not.toHaveAttribute("data-disabled-reason");
    expect(demo).toBeEnabled();

    await user.click(add);
    const dialog = await screen.findByRole("dialog", { name: "Add a connection" });
    // The first field has the focus, not the close button.
    expect(within(dialog).getByTestId("conn-kind-pve")).toHaveFocus();
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    await waitFor(() => expect(add).toHaveFocus());
  });

  it("adds a connection from the + Add menu too", async () => {
    const user = userEvent.setup();
    renderApp("/");
    await user.click(await screen.findByTestId("add-menu"));
    await user.click(await screen.findByTestId("add-menu-connection"));
    expect(await screen.findByRole("dialog", { name: "Add a connection" })).toBeInTheDocument();
    await user.click(screen.getByTestId("conn-cancel"));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    await waitFor(() => expect(screen.getByTestId("add-menu")).toHaveFocus());
  });

  it("focuses the search box on Ctrl+K and says honestly there is nothing to search", async () => {
    renderApp("/");
    const search = await screen.findByTestId("global-search");
    expect(search).not.toHaveFocus();

    act(() => {
      fireEvent.keyDown(window, { key: "k", ctrlKey: true });
    });
    expect(search).toHaveFocus();
    expect(screen.getByRole("status")).toHaveTextContent("No connections yet");

    const user = userEvent.setup();
    await user.type(search, "web-01");
    expect(screen.getByRole("status")).toHaveTextContent("Nothing found for “web-01”");
    await user.keyboard("{Escape}");
    expect(search).toHaveValue("");
  });

  it("opens the settings from the gear and returns via the breadcrumb", async () => {
    const user = userEvent.setup();
    const { router } = renderApp("/");
    await user.click(await screen.findByTestId("open-settings"));
    expect(await screen.findByRole("heading", { name: "Appearance" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/settings");

    await user.click(screen.getByRole("link", { name: "Datacenter" }));
    expect(await screen.findByRole("heading", { name: "Welcome to Proxdeck" })).toBeInTheDocument();
  });

  it("collapses and expands the task bar", async () => {
    const user = userEvent.setup();
    renderApp("/");
    const toggle = await screen.findByRole("button", { name: "Tasks" });
    expect(toggle).toHaveAttribute("aria-expanded", "true");

    await user.click(toggle);
    expect(toggle).toHaveAttribute("aria-expanded", "false");
    expect(screen.queryByText(/No tasks yet/)).not.toBeInTheDocument();

    await user.click(toggle);
    await waitFor(() => expect(screen.getByText(/No tasks yet/)).toBeInTheDocument());
  });

  it("resizes the tree pane from the keyboard", async () => {
    const user = userEvent.setup();
    renderApp("/");
    const splitter = await screen.findByRole("separator", { name: "Resize resource tree" });
    splitter.focus();
    await user.keyboard("{ArrowRight}{ArrowRight}");
    expect(splitter).toHaveAttribute("aria-valuenow", "312");
    expect(screen.getByTestId("tree-pane").style.width).toBe("312px");
  });
});
