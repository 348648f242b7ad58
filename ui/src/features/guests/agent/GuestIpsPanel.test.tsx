// The guest's addresses panel: IPv4 first and copyable, interfaces folded, each agent state
// said plainly, a refresh that asks now, and the same answer the all-guests table shows.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api, AppErrorException, type AgentState, type GuestIps, type GuestRef } from "@/backend";
import { TooltipProvider } from "@/ui/Tooltip";
import { GuestIpsPanel } from "./GuestIpsPanel";
import { guestIpsKnownQuery } from "./queries";

vi.mock("@/backend", async (importOriginal) => (await import("@/test/backendMock")).backendMock(importOriginal));

const VM: GuestRef = { connectionId: "c-prod", node: "pve1", kind: "qemu", vmid: 110 };
const CT: GuestRef = { connectionId: "c-prod", node: "pve1", kind: "lxc", vmid: 200 };

function ips(partial: Partial<GuestIps> = {}, guest: GuestRef = VM): GuestIps {
  return {
    connectionId: guest.connectionId,
    node: guest.node,
    vmid: guest.vmid,
    state: "answered",
    addresses: ["192.0.2.10", "203.0.113.5", "2001:db8::10"],
    interfaces: [
      { name: "lo", mac: null, addresses: ["127.0.0.1/8"] },
      { name: "eth0", mac: "bc:24:11:00:00:01", addresses: ["192.0.2.10/24", "2001:db8::10/64"] },
      { name: "eth1", mac: "bc:24:11:00:00:02", addresses: ["203.0.113.5/24"] },
    ],
    detail: null,
    checkedAt: new Date(Date.now() - 5 * 60_000).toISOString(),
    ...partial,
  };
}

function show(props: { guest?: GuestRef; running?: boolean; agent?: boolean } = {}, client?: QueryClient) {
  const queryClient =
    client ?? new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  const result = render(
    <QueryClientProvider client={queryClient}>
      <TooltipProvider>
        <GuestIpsPanel guest={props.guest ?? VM} running={props.running ?? true} agent={props.agent ?? true} />
      </TooltipProvider>
    </QueryClientProvider>,
  );
  return { ...result, queryClient };
}

beforeEach(() => {
  vi.mocked(api.guestIpsKnown).mockResolvedValue([]);
});
afterEach(() => {
  vi.mocked(api.guestIps).mockReset();
  vi.mocked(api.guestIpsKnown).mockReset();
});

describe("guest IP panel", () => {
  it("lists the addresses IPv4 first, each copyable, with the interfaces folded and the age", async () => {
    vi.mocked(api.guestIps).mockResolvedValue(ips());
    const user = userEvent.setup();
    show();
    await waitFor(() => expect(screen.getAllByTestId("guest-ip")).toHaveLength(3));
    expect(screen.getAllByTestId("guest-ip").map((li) => li.textContent)).toEqual([
      "192.0.2.10",
      "203.0.113.5",
      "2001:db8::10",
    ]);
    expect(api.guestIps).toHaveBeenCalledWith(VM);
    expect(screen.getByTestId("guest-ips-checked")).toHaveTextContent("checked 5 min ago");

    const folded = screen.getByTestId("guest-ip-interfaces");
    expect(folded).not.toHaveAttribute("open");
    expect(folded).toHaveTextContent("Interfaces (2)");
    await user.click(within(folded).getByText(/Interfaces/));
    expect(folded).toHaveAttribute("open");
    expect(within(folded).getByTestId("guest-ip-interface-eth0")).toHaveTextContent("bc:24:11:00:00:01");
    expect(within(folded).queryByTestId("guest-ip-interface-lo")).toBeNull();

    await user.click(screen.getByTestId("guest-ip-copy-203.0.113.5"));
    expect(await navigator.clipboard.readText()).toBe("203.0.113.5");
    expect(screen.getByRole("button", { name: "Copied 203.0.113.5" })).toBeInTheDocument();
  });

  it("asks the guest again on refresh", async () => {
    vi.mocked(api.guestIps).mockResolvedValue(ips());
    const user = userEvent.setup();
    show();
    await waitFor(() => expect(screen.getAllByTestId("guest-ip")).toHaveLength(3));
    expect(api.guestIps).toHaveBeenCalledTimes(1);
    vi.mocked(api.guestIps).mockResolvedValue(ips({ addresses: ["192.0.2.11"], checkedAt: new Date().toISOString() }));
    await user.click(screen.getByTestId("guest-ips-refresh"));
    await waitFor(() => expect(screen.getAllByTestId("guest-ip").map((li) => li.textContent)).toEqual(["192.0.2.11"]));
    expect(api.guestIps).toHaveBeenCalledTimes(2);
    expect(screen.getByTestId("guest-ips-checked")).toHaveTextContent("checked just now");
  });

  it("says a stopped guest is not running, without asking it", async () => {
    show({ running: false });
    expect(screen.getByTestId("guest-ips-state")).toHaveTextContent("Guest is not running");
    expect(screen.getByTestId("guest-ips-refresh")).toBeDisabled();
    await act(() => new Promise((r) => setTimeout(r, 20)));
    expect(api.guestIps).not.toHaveBeenCalled();
  });

  it("says a VM's agent is not enabled, without asking it", async () => {
    show({ agent: false });
    expect(screen.getByTestId("guest-ips-state")).toHaveTextContent(
      "QEMU guest agent not enabled (Options → QEMU Guest Agent)",
    );
    await act(() => new Promise((r) => setTimeout(r, 20)));
    expect(api.guestIps).not.toHaveBeenCalled();
  });

  it("asks a running container even without an agent", async () => {
    vi.mocked(api.guestIps).mockResolvedValue(ips({ addresses: ["198.51.100.2"], interfaces: [] }, CT));
    show({ guest: CT, agent: false });
    await waitFor(() => expect(screen.getAllByTestId("guest-ip").map((li) => li.textContent)).toEqual(["198.51.100.2"]));
    expect(api.guestIps).toHaveBeenCalledWith(CT);
  });

  it.each<[AgentState, string | null, string]>([
    ["notConfigured", null, "QEMU guest agent not enabled (Options → QEMU Guest Agent)"],
    ["agentNotRunning", null, "Guest agent not running inside the guest"],
    ["noAnswer", "QEMU guest agent is not running (timeout)", "Guest agent did not answer"],
    ["notPermitted", "Permission check failed (/vms/110, VM.GuestAgent.Audit)", "Needs VM.GuestAgent.Audit or VM.Monitor"],
    ["guestStopped", null, "Guest is not running"],
  ])("says %s plainly", async (state, detail, text) => {
    vi.mocked(api.guestIps).mockResolvedValue(ips({ state, detail, addresses: [], interfaces: [] }));
    show();
    const line = await screen.findByTestId("guest-ips-state");
    expect(line).toHaveTextContent(text);
    if (detail) expect(line).toHaveTextContent(detail);
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("keeps a failed call to one quiet line", async () => {
    vi.mocked(api.guestIps).mockRejectedValue(
      new AppErrorException({ code: "Unreachable", message: "prod does not answer.", detail: null }),
    );
    show();
    expect(await screen.findByTestId("guest-ips-error")).toHaveTextContent("Could not ask the guest: prod does not answer.");
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("starts from the known answer and puts a fresh one into it, so the table agrees", async () => {
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    const other = ips({ addresses: ["198.51.100.9"] }, CT);
    const known = ips({ addresses: ["192.0.2.10"], checkedAt: new Date().toISOString() });
    vi.mocked(api.guestIpsKnown).mockResolvedValue([known, other]);
    await client.fetchQuery(guestIpsKnownQuery);
    show({}, client);
    // A fresh known answer is shown without asking the guest.
    expect(screen.getAllByTestId("guest-ip").map((li) => li.textContent)).toEqual(["192.0.2.10"]);
    expect(api.guestIps).not.toHaveBeenCalled();

    const fresh = ips({ addresses: ["192.0.2.99"], checkedAt: new Date(Date.now() + 1000).toISOString() });
    vi.mocked(api.guestIps).mockResolvedValue(fresh);
    const user = userEvent.setup();
    await user.click(screen.getByTestId("guest-ips-refresh"));
    await waitFor(() => expect(screen.getAllByTestId("guest-ip").map((li) => li.textContent)).toEqual(["192.0.2.99"]));
    expect(client.getQueryData(guestIpsKnownQuery.queryKey)).toEqual([fresh, other]);
  });
});
