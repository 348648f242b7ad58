// What the guest action dialog tests share: the connection prod and its VM 110 "web1" on pve1,
// the task an action answers with, the guest page around the dialog, and opening a dialog from
// the toolbar's More menu. Each test file still mocks "@/backend" itself (vi.mock is per file).
import { screen, waitFor } from "@testing-library/react";
import type userEvent from "@testing-library/user-event";
import { expect, vi } from "vitest";
import { api, AppErrorException, type Connection, type Resource } from "@/backend";
import { makeConnection, resource } from "@/test/fixtures";
import { renderApp } from "@/test/renderApp";

export type User = ReturnType<typeof userEvent.setup>;

export const prod = makeConnection({ id: "demo-prod", name: "prod" });

/** VM 110 "web1" on pve1, running unless `partial` says otherwise. */
export const vm = (partial: Partial<Resource> = {}) =>
  resource({ id: "qemu/110", kind: "qemu", vmid: 110, name: "web1", node: "pve1", status: "running", ...partial });

/** The GuestRef of `vm()`, as the dialogs pass it to the back end. */
export const source = { connectionId: "demo-prod", node: "pve1", kind: "qemu", vmid: 110 } as const;

/** The running task an action on VM 110 answers with; `type` is the UPID's task type (qmclone, …). */
export function actionTask(type: string, description: string) {
  return {
    connectionId: "demo-prod",
    connectionName: "prod",
    node: "pve1",
    upid: `UPID:pve1:00000001:00000002:00000003:${type}:110:root@pam:`,
    description,
    target: "prod/qemu/110",
    running: true,
    exitstatus: null,
    durationMs: null,
  };
}

/** The guest page around the dialog: prod is the one connection; settings, app info and the summary are not under test. */
export function mockGuestPage() {
  vi.mocked(api.settingsGet).mockRejectedValue(new AppErrorException({ code: "Internal", message: "not under test" }));
  vi.mocked(api.appInfo).mockRejectedValue(new AppErrorException({ code: "Internal", message: "not under test" }));
  vi.mocked(api.connectionsList).mockResolvedValue([prod]);
  vi.mocked(api.monitorGuestSummary).mockRejectedValue(new AppErrorException({ code: "Internal", message: "later" }));
}

/** Forgets what `calls` were told to answer, and the permissions and inventory a test may have set. */
export function resetMocks(...calls: ((...args: never[]) => unknown)[]) {
  for (const fn of [...calls, api.permissionsOn, api.inventorySnapshot]) vi.mocked(fn).mockReset();
}

/** Shows the page of `g`, the only guest of `connection`. */
export function show(g: Resource = vm(), connection: Connection = prod) {
  vi.mocked(api.connectionsList).mockResolvedValue([connection]);
  vi.mocked(api.connectionResources).mockResolvedValue([g]);
  return renderApp("/c/demo-prod/guest/110");
}

/** Opens the toolbar's More menu and returns its `item` once enabled. */
export async function enabledMoreItem(user: User, item: string) {
  await user.click(await screen.findByTestId("guest-action-more"));
  await waitFor(() => expect(screen.getByTestId(item)).not.toHaveAttribute("data-disabled"));
  return screen.getByTestId(item);
}

/** Opens the dialog of More's `item` and returns the dialog (`dialog` is its test id). */
export async function openFromMore(user: User, item: string, dialog: string) {
  await user.click(await enabledMoreItem(user, item));
  return screen.findByTestId(dialog);
}
