// The top bar's search across all clusters: results, keyboard, opening, Esc.
import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { api, AppErrorException } from "@/backend";
import { makeConnection } from "@/test/fixtures";
import { renderApp } from "@/test/renderApp";
import { recordOpened, resource } from "@/features/inventory/testSupport";

vi.mock("@/backend", async (importOriginal) => (await import("@/test/backendMock")).backendMock(importOriginal));

const guest = (vmid: number, node: string, name: string, tags: string | null = null) =>
  resource({ id: `qemu/${vmid}`, kind: "qemu", vmid, node, name, status: "running", tags });

beforeEach(() => {
  vi.mocked(api.settingsGet).mockRejectedValue(
    new AppErrorException({ code: "Internal", message: "not under test", detail: null }),
  );
  vi.mocked(api.appInfo).mockRejectedValue(
    new AppErrorException({ code: "Internal", message: "not under test", detail: null }),
  );
  vi.mocked(api.connectionsList).mockResolvedValue([
    makeConnection({ id: "c-prod", name: "prod" }),
    makeConnection({ id: "c-lab", name: "lab" }),
  ]);
  vi.mocked(api.connectionResources).mockImplementation((id) =>
    Promise.resolve(
      id === "c-prod"
        ? [
            resource({ id: "node/pve1", kind: "node", node: "pve1", status: "online" }),
            guest(104, "pve1", "web-01", "frontend"),
            guest(105, "pve1", "db-01"),
            resource({ id: "storage/pve1/local", kind: "storage", node: "pve1", storage: "local" }),
          ]
        : [guest(300, "lab1", "web-lab")],
    ),
  );
});

const options = () =>
  within(screen.getByRole("listbox", { name: "Search results" }))
    .getAllByRole("option")
    .map((o) => o.dataset.testid);

describe("global search", () => {
  it("finds guests, nodes and storages in all clusters and opens the chosen one", async () => {
    const user = userEvent.setup();
    const { router } = renderApp("/");
    const opened = recordOpened(router);
    await screen.findByTestId("tree-guest-prod-104");
    const search = screen.getByTestId("global-search");
    act(() => {
      fireEvent.keyDown(window, { key: "k", ctrlKey: true });
    });
    expect(search).toHaveFocus();

    await user.type(search, "web");
    const listbox = await screen.findByRole("listbox", { name: "Search results" });
    expect(listbox).toBeInTheDocument();
    expect(options()).toEqual([
      "search-result-guest-prod-104",
      "search-result-guest-lab-300",
    ]);
    expect(search).toHaveAttribute("aria-expanded", "true");
    expect(screen.getByTestId("search-result-guest-prod-104")).toHaveAttribute("aria-selected", "true");

    await user.keyboard("{ArrowDown}");
    expect(screen.getByTestId("search-result-guest-lab-300")).toHaveAttribute("aria-selected", "true");
    await user.keyboard("{Enter}");
    await waitFor(() => expect(opened).toEqual(["/c/c-lab/guest/300"]));
    expect(search).toHaveValue("");
    expect(screen.queryByRole("listbox")).not.toBeInTheDocument();

    await user.click(search);
    await user.type(search, "frontend");
    expect(options()).toEqual(["search-result-guest-prod-104"]);
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("listbox")).not.toBeInTheDocument();

    await user.type(search, "local");
    await user.click(screen.getByTestId("search-result-storage-prod-pve1-local"));
    await waitFor(() => expect(opened.at(-1)).toBe("/c/c-prod/storage/pve1/local"));

    await user.click(search);
    await user.type(search, "pve1");
    await user.keyboard("{Enter}");
    await waitFor(() => expect(opened.at(-1)).toBe("/c/c-prod/node/pve1"));
    expect(router.state.location.pathname).toBe("/");

    await user.click(search);
    await user.type(search, "nothing-like-it");
    expect(screen.getByRole("status")).toHaveTextContent("Nothing found for “nothing-like-it”");
  }, 30_000);
});
