import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { renderHook, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { describe, expect, it, vi } from "vitest";
import { AppErrorException, api } from "@/backend";
import { CHECKING_PERMISSIONS, useGuestActionGate, usePrivilegeGate } from "./gate";
import { ACTION_PRIVILEGES, privilegeReason } from "./privileges";

vi.mock("@/backend", async (importOriginal) => (await import("@/test/backendMock")).backendMock(importOriginal));

function wrapper() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return ({ children }: { children: ReactNode }) => <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}

describe("privilegeReason", () => {
  it("is null when every needed privilege is held", () => {
    expect(privilegeReason(["VM.Audit", "VM.PowerMgmt"], "VM.PowerMgmt", "/vms/100")).toBeNull();
    expect(privilegeReason(["VM.Clone", "VM.Allocate"], ["VM.Clone", "VM.Allocate"], "/vms/100")).toBeNull();
    expect(privilegeReason([], [], "/vms/100")).toBeNull();
  });

  it("names the one missing privilege and the path", () => {
    expect(privilegeReason(["VM.Audit"], "VM.PowerMgmt", "/vms/100")).toBe(
      "Needs VM.PowerMgmt on /vms/100 (this login lacks it)",
    );
  });

  it("names all of several, and which of them are missing", () => {
    expect(privilegeReason([], ["VM.Clone", "VM.Allocate"], "/vms/100")).toBe(
      "Needs VM.Clone and VM.Allocate on /vms/100 (this login lacks both)",
    );
    expect(privilegeReason(["VM.Clone"], ["VM.Clone", "VM.Allocate"], "/vms/100")).toBe(
      "Needs VM.Clone and VM.Allocate on /vms/100 (this login lacks VM.Allocate)",
    );
    expect(privilegeReason([], ["A", "B", "C"], "/")).toBe("Needs A, B and C on / (this login lacks all of them)");
  });

  it("with any, one held privilege is enough", () => {
    const agent = ["VM.GuestAgent.Audit", "VM.GuestAgent.Unrestricted"];
    expect(privilegeReason(["VM.GuestAgent.Unrestricted"], agent, "/vms/100", true)).toBeNull();
    expect(privilegeReason(["VM.Audit"], agent, "/vms/100", true)).toBe(
      "Needs VM.GuestAgent.Audit or VM.GuestAgent.Unrestricted on /vms/100 (this login has neither)",
    );
  });

  it("maps actions to the schema's privileges", () => {
    expect(ACTION_PRIVILEGES.start.privileges).toEqual(["VM.PowerMgmt"]);
    expect(ACTION_PRIVILEGES.clone.privileges).toEqual(["VM.Clone", "VM.Allocate"]);
    expect(ACTION_PRIVILEGES.ha).toEqual({ privileges: ["Sys.Console"], path: "/" });
    expect(ACTION_PRIVILEGES.rollback.any).toBe(true);
    expect(ACTION_PRIVILEGES["configure.cloudinit"].privileges).toEqual(["VM.Config.Cloudinit"]);
    // PVE 9 has no VM.Monitor any more.
    expect(Object.values(ACTION_PRIVILEGES).flatMap((r) => r.privileges)).not.toContain("VM.Monitor");
  });
});

describe("usePrivilegeGate", () => {
  it("checks while loading, then answers from the login's privileges", async () => {
    let answer: (held: string[]) => void = () => {};
    vi.mocked(api.permissionsOn).mockImplementation(() => new Promise((resolve) => (answer = resolve)));
    const { result } = renderHook(() => usePrivilegeGate("demo-prod", "/vms/100"), { wrapper: wrapper() });
    expect(result.current("VM.PowerMgmt")).toBe(CHECKING_PERMISSIONS);
    answer(["VM.Audit", "VM.PowerMgmt"]);
    await waitFor(() => expect(result.current("VM.PowerMgmt")).toBeNull());
    expect(result.current(["VM.Clone", "VM.Allocate"])).toBe(
      "Needs VM.Clone and VM.Allocate on /vms/100 (this login lacks both)",
    );
    expect(result.current(["VM.GuestAgent.Audit", "VM.Audit"], { any: true })).toBeNull();
    expect(api.permissionsOn).toHaveBeenCalledWith("demo-prod", "/vms/100");
  });

  it("lets the cluster decide when the privileges cannot be read", async () => {
    vi.mocked(api.permissionsOn).mockRejectedValue(
      new AppErrorException({ code: "Unreachable", message: "down" }),
    );
    const { result } = renderHook(() => usePrivilegeGate("demo-prod", "/vms/100"), { wrapper: wrapper() });
    await waitFor(() => expect(result.current("VM.PowerMgmt")).toBeNull());
  });

  it("gates guest actions by name, HA on /", async () => {
    vi.mocked(api.permissionsOn).mockImplementation((_conn, path) =>
      Promise.resolve(path === "/" ? ["Sys.Audit"] : ["VM.Audit", "VM.PowerMgmt", "VM.Snapshot.Rollback"]),
    );
    const { result } = renderHook(() => useGuestActionGate("demo-prod", 100), { wrapper: wrapper() });
    await waitFor(() => expect(result.current("start")).toBeNull());
    expect(result.current("rollback")).toBeNull();
    expect(result.current("migrate")).toBe("Needs VM.Migrate on /vms/100 (this login lacks it)");
    await waitFor(() => expect(result.current("ha")).toBe("Needs Sys.Console on / (this login lacks it)"));
    expect(result.current("agent")).toMatch(/^Needs VM.GuestAgent.Audit or VM.GuestAgent.Unrestricted on \/vms\/100/);
  });
});
