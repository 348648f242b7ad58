// A page that fails to render shows its error in the main pane; the frame stays usable.
import { screen, within } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { api, AppErrorException } from "@/backend";
import { makeConnection, resource } from "@/test/fixtures";
import { renderApp } from "@/test/renderApp";

vi.mock("@/backend", async (importOriginal) => (await import("@/test/backendMock")).backendMock(importOriginal));
// The chart failing as it renders, as uPlot did under LANG=C.
vi.mock("@/features/summary/UplotChart", () => ({
  default: () => {
    throw new RangeError("invalid language tag: C");
  },
}));

beforeEach(() => {
  vi.mocked(api.settingsGet).mockRejectedValue(new AppErrorException({ code: "Internal", message: "not under test" }));
  vi.mocked(api.appInfo).mockRejectedValue(new AppErrorException({ code: "Internal", message: "not under test" }));
  vi.mocked(api.connectionsList).mockResolvedValue([makeConnection({ id: "demo-prod", name: "prod" })]);
  vi.mocked(api.connectionResources).mockResolvedValue([
    resource({ id: "node/pve1", kind: "node", node: "pve1", status: "online" }),
  ]);
  vi.mocked(api.monitorNodeStatus).mockRejectedValue(new AppErrorException({ code: "Internal", message: "later" }));
  vi.mocked(api.monitorRrd).mockResolvedValue([{ time: 1000, values: { cpu: 0.1 } }]);
});

describe("a page that cannot be shown", () => {
  it("says why in the main pane and keeps the tree and the search", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    renderApp("/c/demo-prod/node/pve1");
    const shown = await screen.findByTestId("page-error", {}, { timeout: 5000 });
    expect(within(shown).getByRole("alert")).toHaveTextContent("This page could not be shown");
    expect(shown).toHaveTextContent("invalid language tag: C");
    expect(screen.getByTestId("tree-pane")).toBeInTheDocument();
    expect(screen.getByTestId("global-search")).toBeInTheDocument();
    expect(within(shown).getByRole("button", { name: "Try again" })).toBeEnabled();
  });
});
