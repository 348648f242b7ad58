// The resource tree with 10,000 guests: only a window of rows is in the DOM (virtualized), the
// positions stay known to screen readers, and the keyboard reaches every row, scrolling it in.
import { act, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { api, AppErrorException, type Resource } from "@/backend";
import { makeConnection } from "@/test/fixtures";
import { renderApp } from "@/test/renderApp";
import { recordOpened, resource } from "@/features/inventory/testSupport";

vi.mock("@/backend", async (importOriginal) => (await import("@/test/backendMock")).backendMock(importOriginal));

const GUESTS = 10_000;
const NODES = 16;
/** Far fewer than the rows: what a virtualized tree may have in the DOM at once. */
const MAX_RENDERED = 200;

const PROD = makeConnection({ id: "c-prod", name: "prod" });
const LAB = makeConnection({ id: "c-lab", name: "lab" });

/** 10,000 guests on 16 nodes (guest i on node i % 16); the last one has a name of its own. */
const RESOURCES: Resource[] = [
  ...Array.from({ length: NODES }, (_, n) =>
    resource({ id: `node/pve${n}`, kind: "node", node: `pve${n}`, status: "online" }),
  ),
  ...Array.from({ length: GUESTS }, (_, i) =>
    resource({
      id: `qemu/${100 + i}`,
      kind: "qemu",
      vmid: 100 + i,
      node: `pve${i % NODES}`,
      name: i === GUESTS - 1 ? "zulu-last" : `vm-${i}`,
      status: i % 3 ? "running" : "stopped",
      pool: i % 2 ? "odd" : "even",
      tags: i % 5 ? "dev" : "prod;web",
    }),
  ),
];
const LAST_VMID = 100 + GUESTS - 1;
// Guest i sits on node i % 16: the last node in the tree (pve15) holds the guests 15, 31, …
const LAST_NODE_GUESTS = GUESTS / NODES;

// jsdom lays nothing out and does not scroll. The tree's scroll box gets a height (600 px, 25
// rows) and a scroll height (the tree's), and an element's scrollTo sets scrollTop and fires
// `scroll` a moment later, as a browser does, so the virtualizer's window follows the scroll.
const VIEWPORT = 600;
const scrolls: number[] = [];
const sizes = {
  clientHeight: Object.getOwnPropertyDescriptor(Element.prototype, "clientHeight"),
  clientWidth: Object.getOwnPropertyDescriptor(Element.prototype, "clientWidth"),
  scrollHeight: Object.getOwnPropertyDescriptor(Element.prototype, "scrollHeight"),
};
const isScroller = (el: Element) => el instanceof HTMLElement && el.dataset.testid === "resource-tree-scroller";
beforeAll(() => {
  const stub = (prop: keyof typeof sizes, value: (el: HTMLElement) => number) => {
    const original = sizes[prop];
    Object.defineProperty(Element.prototype, prop, {
      configurable: true,
      get(this: Element) {
        return isScroller(this) ? value(this as HTMLElement) : (original?.get?.call(this) as number);
      },
    });
  };
  stub("clientHeight", () => VIEWPORT);
  stub("clientWidth", () => 300);
  stub("scrollHeight", (el) => parseFloat((el.firstElementChild as HTMLElement | null)?.style.height ?? "") || 0);
  Object.defineProperty(Element.prototype, "scrollTo", {
    configurable: true,
    writable: true,
    value(this: Element, options?: ScrollToOptions) {
      if (typeof options?.top !== "number") return;
      const top = options.top;
      scrolls.push(top);
      this.scrollTop = top;
      setTimeout(() => this.dispatchEvent(new Event("scroll")), 0);
    },
  });
});
afterAll(() => {
  delete (Element.prototype as Partial<Element>).scrollTo;
  for (const [prop, descriptor] of Object.entries(sizes)) {
    if (descriptor) Object.defineProperty(Element.prototype, prop, descriptor);
  }
});

beforeEach(() => {
  scrolls.length = 0;
  vi.mocked(api.settingsGet).mockResolvedValue({
    theme: "system",
    healthIntervalSecs: 30,
    refreshVisibleSecs: 5,
    refreshHiddenSecs: 60,
    guestOrder: "vmid",
    backupCoverageDays: 1,
  });
  vi.mocked(api.appInfo).mockRejectedValue(
    new AppErrorException({ code: "Internal", message: "not under test", detail: null }),
  );
  vi.mocked(api.connectionsList).mockResolvedValue([PROD, LAB]);
  // The datacenter page beside the tree is not under test: its summaries never arrive.
  vi.mocked(api.monitorClusterSummary).mockReturnValue(new Promise(() => {}));
  vi.mocked(api.connectionResources).mockImplementation((id) => Promise.resolve(id === "c-prod" ? RESOURCES : []));
});

const items = () => screen.getAllByRole("treeitem");
const scroller = () => screen.getByTestId("resource-tree-scroller");

async function renderTree() {
  const user = userEvent.setup();
  const { router } = renderApp("/");
  const opened = recordOpened(router);
  await screen.findByTestId("tree-guest-prod-100", undefined, { timeout: 15_000 });
  return Object.assign(user, { opened });
}

describe("the resource tree with 10,000 guests", () => {
  it("renders only a window of rows, each with its level and position among its siblings", async () => {
    await renderTree();
    const tree = screen.getByRole("tree");
    // Every visible row counts (1 connection + 16 nodes + 10,000 guests + 1 connection)...
    expect(tree).toHaveAttribute("data-rows", String(1 + NODES + GUESTS + 1));
    // ...and the tree is as high as all of them, but only a screenful and some are rendered.
    expect(tree.style.height).toBe(`${(1 + NODES + GUESTS + 1) * 24 + 8}px`);
    expect(items().length).toBeGreaterThan(20);
    expect(items().length).toBeLessThan(MAX_RENDERED);

    const first = screen.getByTestId("tree-guest-prod-100");
    expect(first).toHaveAttribute("aria-level", "3");
    expect(first).toHaveAttribute("aria-posinset", "1");
    expect(first).toHaveAttribute("aria-setsize", String(LAST_NODE_GUESTS));
    expect(screen.getByTestId("tree-node-prod-pve0")).toHaveAttribute("aria-setsize", String(NODES));
    expect(screen.getByTestId("tree-connection-prod")).toHaveAttribute("aria-posinset", "1");
    expect(screen.getByTestId("tree-connection-prod")).toHaveAttribute("aria-setsize", "2");
    // The rows far down are not in the DOM.
    expect(screen.queryByTestId(`tree-guest-prod-${LAST_VMID}`)).not.toBeInTheDocument();
    expect(screen.queryByTestId("tree-connection-lab")).not.toBeInTheDocument();
  }, 30_000);

  it("brings the last row into the DOM and focuses it with End, and goes back with Home", async () => {
    const user = await renderTree();
    act(() => screen.getByTestId("tree-connection-prod").focus());

    await user.keyboard("{End}");
    const lab = screen.getByTestId("tree-connection-lab");
    expect(lab).toHaveFocus();
    expect(lab).toHaveAttribute("tabindex", "0");
    expect(lab).toHaveAttribute("aria-posinset", "2");
    // The tree scrolled to its end, and the window followed.
    expect(scrolls.at(-1)).toBeGreaterThan(GUESTS * 24 - 1000);
    await waitFor(() => expect(screen.getByTestId(`tree-guest-prod-${LAST_VMID}`)).toBeInTheDocument());
    expect(screen.queryByTestId("tree-guest-prod-100")).not.toBeInTheDocument();
    expect(items().length).toBeLessThan(MAX_RENDERED);

    // Up from there: the last guest of the last node.
    await user.keyboard("{ArrowUp}");
    const last = screen.getByTestId(`tree-guest-prod-${LAST_VMID}`);
    expect(last).toHaveFocus();
    expect(last).toHaveAttribute("aria-posinset", String(LAST_NODE_GUESTS));
    expect(last).toHaveAttribute("aria-setsize", String(LAST_NODE_GUESTS));

    await user.keyboard("{Home}");
    expect(screen.getByTestId("tree-connection-prod")).toHaveFocus();
    expect(scrolls.at(-1)).toBe(0);
    await waitFor(() => expect(screen.getByTestId("tree-guest-prod-100")).toBeInTheDocument());
    expect(screen.queryByTestId(`tree-guest-prod-${LAST_VMID}`)).not.toBeInTheDocument();
  }, 30_000);

  it("moves the focus row by row through rows that were off screen", async () => {
    // Without the second connection the last row is the last guest itself.
    vi.mocked(api.connectionsList).mockResolvedValue([PROD]);
    const user = await renderTree();
    act(() => screen.getByTestId("tree-connection-prod").focus());
    await user.keyboard("{End}");
    const last = screen.getByTestId(`tree-guest-prod-${LAST_VMID}`);
    expect(last).toHaveFocus();
    expect(last).toHaveAccessibleName(/zulu-last/);
    // Walking back up works row by row, whether the window caught up yet or not.
    await user.keyboard("{ArrowUp}{ArrowUp}");
    expect(screen.getByTestId(`tree-guest-prod-${LAST_VMID - 2 * NODES}`)).toHaveFocus();
    expect(items().length).toBeLessThan(MAX_RENDERED);
  }, 30_000);

  it("pages with PageDown and PageUp", async () => {
    const user = await renderTree();
    act(() => screen.getByTestId("tree-connection-prod").focus());
    await user.keyboard("{PageDown}");
    const focused = document.activeElement as HTMLElement;
    expect(focused).toHaveAttribute("role", "treeitem");
    expect(focused).toHaveAttribute("aria-level", "3");
    // A page down from the top: well past the first rows, on pve0's guests.
    expect(Number(focused.getAttribute("aria-posinset"))).toBeGreaterThan(10);
    await user.keyboard("{PageUp}");
    expect(screen.getByTestId("tree-connection-prod")).toHaveFocus();
  }, 30_000);

  it("jumps by type-ahead to a guest far down, rendering and focusing it", async () => {
    const user = await renderTree();
    act(() => screen.getByTestId("tree-connection-prod").focus());
    await user.keyboard("zu");
    expect(screen.getByTestId(`tree-guest-prod-${LAST_VMID}`)).toHaveFocus();
    await user.keyboard("{Enter}");
    await waitFor(() => expect(user.opened).toEqual([`/c/c-prod/guest/${LAST_VMID}`]));
  }, 30_000);

  it("keeps the focused row in the DOM when the tree is scrolled away from it", async () => {
    const user = await renderTree();
    const prod = screen.getByTestId("tree-connection-prod");
    act(() => prod.focus());
    await user.keyboard("{ArrowDown}{ArrowDown}");
    const focused = screen.getByTestId("tree-guest-prod-100");
    expect(focused).toHaveFocus();

    // The wheel scrolls to the middle of the list.
    const box = scroller();
    act(() => {
      box.scrollTop = 5_000 * 24;
      box.dispatchEvent(new Event("scroll"));
    });
    await waitFor(() => expect(screen.queryByTestId("tree-guest-prod-116")).not.toBeInTheDocument());
    expect(focused).toBeInTheDocument();
    expect(focused).toHaveFocus();
    expect(items().length).toBeLessThan(MAX_RENDERED);
    // The keyboard goes on from the focused row.
    await user.keyboard("{ArrowDown}");
    expect(screen.getByTestId("tree-guest-prod-116")).toHaveFocus();
  }, 30_000);

  it("virtualizes the pool and tag views too", async () => {
    const user = await renderTree();
    await user.selectOptions(screen.getByLabelText("View:"), "pools");
    expect(screen.getByRole("tree")).toHaveAccessibleName("Pools");
    // Pools "even" and "odd", 5,000 guests each.
    expect(screen.getByTestId("tree-pool-prod-even")).toHaveAttribute("aria-expanded", "true");
    expect(screen.getByTestId("tree-guest-prod-100")).toHaveAttribute("aria-setsize", String(GUESTS / 2));
    expect(items().length).toBeLessThan(MAX_RENDERED);
    act(() => screen.getByTestId("tree-connection-prod").focus());
    await user.keyboard("{End}");
    expect(screen.getByTestId("tree-connection-lab")).toHaveFocus();
    await user.keyboard("{ArrowUp}");
    expect(screen.getByTestId(`tree-guest-prod-${LAST_VMID}`)).toHaveFocus();
    // Left goes to its pool, off screen far above; Left again closes that pool.
    await user.keyboard("{ArrowLeft}");
    const odd = screen.getByTestId("tree-pool-prod-odd");
    expect(odd).toHaveFocus();
    await user.keyboard("{ArrowLeft}");
    expect(odd).toHaveAttribute("aria-expanded", "false");
    expect(screen.getByRole("tree")).toHaveAttribute("data-rows", String(1 + 2 + GUESTS / 2 + 1));

    await user.selectOptions(screen.getByLabelText("View:"), "tags");
    expect(screen.getByRole("tree")).toHaveAccessibleName("Tags");
    // A guest with two tags is listed under both: 10,000 + 2,000 guest rows.
    expect(screen.getByRole("tree")).toHaveAttribute("data-rows", String(1 + 3 + GUESTS + GUESTS / 5 + 1));
    expect(items().length).toBeLessThan(MAX_RENDERED);
  }, 30_000);
});
