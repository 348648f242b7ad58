// Cloning a guest from its toolbar: the proposed values, linked versus full clone, the VM ID
// check, a refusal shown under its field with the form kept, a pool-bound connection, and the
// gate that disables "Clone…" with its reason.
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api, AppErrorException, type CloneOptions } from "@/backend";
import { makeConnection } from "@/test/fixtures";
import { renderApp } from "@/test/renderApp";
import {
  actionTask,
  mockGuestPage,
  openFromMore,
  prod,
  resetMocks,
  show,
  source,
  vm,
  type User,
} from "./testSupport";

vi.mock("@/backend", async (importOriginal) => (await import("@/test/backendMock")).backendMock(importOriginal));
vi.mock("@/features/summary/UplotChart", () => ({ default: () => <div data-testid="uplot" /> }));

const options = (partial: Partial<CloneOptions> = {}): CloneOptions => ({
  nextVmid: 123,
  template: false,
  name: "web1",
  nodes: ["pve1", "pve2"],
  pools: ["dev", "prod"],
  ...partial,
});

const task = actionTask("qmclone", "VM 110 - Clone");

const openClone = (user: User) => openFromMore(user, "guest-action-clone", "clone-dialog");

beforeEach(() => {
  mockGuestPage();
  vi.mocked(api.guestCloneOptions).mockResolvedValue(options());
  vi.mocked(api.guestClone).mockResolvedValue(task);
  vi.mocked(api.guestCheckVmid).mockResolvedValue(null);
  vi.mocked(api.guestStorages).mockResolvedValue([
    { storage: "local-lvm", kind: "lvmthin", shared: false, avail: 50 * 2 ** 30 },
    { storage: "ceph", kind: "rbd", shared: true, avail: null },
  ]);
});
afterEach(() => resetMocks(api.guestCloneOptions, api.guestClone, api.guestCheckVmid, api.guestStorages));

describe("the clone dialog", () => {
  it("clones a template as a linked clone by default: full off and no storage", async () => {
    vi.mocked(api.guestCloneOptions).mockResolvedValue(options({ template: true, name: "tmpl" }));
    const user = userEvent.setup();
    show(vm({ name: "tmpl", status: "stopped", template: true }));
    // A template's toolbar leads with Clone.
    await waitFor(() => expect(screen.getByTestId("guest-action-clone-primary")).toBeEnabled());
    await user.click(screen.getByTestId("guest-action-clone-primary"));
    const dialog = await screen.findByTestId("clone-dialog");
    expect(await within(dialog).findByTestId("clone-newid")).toHaveValue("123");
    expect(within(dialog).getByTestId("clone-name")).toHaveValue("tmpl-clone");
    expect(within(dialog).getByTestId("clone-node")).toHaveValue("pve1");
    expect(within(dialog).getByTestId("clone-mode-linked")).toHaveAttribute("data-state", "checked");
    expect(within(dialog).queryByTestId("clone-storage")).not.toBeInTheDocument();
    expect(api.guestCloneOptions).toHaveBeenCalledWith(source);

    await user.click(within(dialog).getByTestId("clone-submit"));
    expect(api.guestClone).toHaveBeenCalledWith(source, {
      newid: 123,
      name: "tmpl-clone",
      target: null,
      full: false,
      storage: null,
      pool: null,
    });
    await waitFor(() => expect(screen.queryByTestId("clone-dialog")).not.toBeInTheDocument());
  });

  it("makes a full clone of a VM on the chosen node, storage and pool", async () => {
    const user = userEvent.setup();
    show(vm());
    const dialog = await openClone(user);
    await within(dialog).findByTestId("clone-newid");
    // Not a template: only a full clone.
    expect(within(dialog).getByTestId("clone-mode-full")).toHaveAttribute("data-state", "checked");
    expect(within(dialog).getByTestId("clone-mode-linked")).toBeDisabled();
    expect(within(dialog).getByTestId("clone-storage")).toHaveValue("");
    expect(within(dialog).getByTestId("clone-storage")).toHaveTextContent("Same as source");

    await user.selectOptions(within(dialog).getByTestId("clone-node"), "pve2");
    await waitFor(() => expect(api.guestStorages).toHaveBeenCalledWith("demo-prod", "pve2", "qemu"));
    await within(dialog).findByRole("option", { name: /ceph \(rbd, shared\)/ });
    await user.selectOptions(within(dialog).getByTestId("clone-storage"), "ceph");
    await user.selectOptions(within(dialog).getByTestId("clone-pool"), "dev");
    await user.clear(within(dialog).getByTestId("clone-name"));
    await user.type(within(dialog).getByTestId("clone-name"), "web2");
    await user.click(within(dialog).getByTestId("clone-submit"));
    expect(api.guestClone).toHaveBeenCalledWith(source, {
      newid: 123,
      name: "web2",
      target: "pve2",
      full: true,
      storage: "ceph",
      pool: "dev",
    });
  });

  it("checks the VM ID when the field is left and says when it is taken", async () => {
    vi.mocked(api.guestCheckVmid).mockRejectedValue(
      new AppErrorException({ code: "Invalid", message: "The form has errors.", fields: { newid: "VM 200 already exists" } }),
    );
    const user = userEvent.setup();
    show(vm());
    await openClone(user);
    const input = await screen.findByTestId("clone-newid");
    await user.clear(input);
    await user.type(input, "200");
    await user.tab();
    expect(api.guestCheckVmid).toHaveBeenCalledWith("demo-prod", 200);
    expect(await screen.findByTestId("clone-newid-error")).toHaveTextContent("VM 200 already exists");
    expect(input).toHaveAttribute("aria-invalid", "true");
  });

  it("shows a refusal under its field and at the top, keeping every value", async () => {
    vi.mocked(api.guestClone).mockRejectedValue(
      new AppErrorException({
        code: "Invalid",
        message: "The clone was refused.",
        fields: { name: "A name is letters, digits, dots and dashes" },
      }),
    );
    const user = userEvent.setup();
    show(vm());
    const dialog = await openClone(user);
    const name = await within(dialog).findByTestId("clone-name");
    await user.clear(name);
    await user.type(name, "bad_name");
    await user.selectOptions(within(dialog).getByTestId("clone-pool"), "prod");
    await user.click(within(dialog).getByTestId("clone-submit"));

    expect(await within(dialog).findByTestId("clone-name-error")).toHaveTextContent(
      "A name is letters, digits, dots and dashes",
    );
    expect(within(dialog).getByTestId("clone-error")).toHaveTextContent("The clone was refused.");
    expect(screen.getByTestId("clone-dialog")).toBeInTheDocument();
    expect(name).toHaveValue("bad_name");
    expect(within(dialog).getByTestId("clone-newid")).toHaveValue("123");
    expect(within(dialog).getByTestId("clone-pool")).toHaveValue("prod");
  });

  it("clones into the pool a connection is bound to, which cannot be changed", async () => {
    const user = userEvent.setup();
    show(vm(), makeConnection({ id: "demo-prod", name: "prod", pool: "dev" }));
    await openClone(user);
    const pool = await screen.findByTestId("clone-pool");
    expect(pool).toHaveValue("dev");
    expect(pool).toBeDisabled();
    await user.click(screen.getByTestId("clone-submit"));
    expect(api.guestClone).toHaveBeenCalledWith(source, expect.objectContaining({ pool: "dev", full: true }));
  });

  it("is disabled with the missing privileges as the reason", async () => {
    vi.mocked(api.permissionsOn).mockResolvedValue(["VM.Audit", "VM.PowerMgmt"]);
    const user = userEvent.setup();
    show(vm());
    await user.click(await screen.findByTestId("guest-action-more"));
    await waitFor(() =>
      expect(screen.getByTestId("guest-action-clone")).toHaveAttribute(
        "data-disabled-reason",
        "Needs VM.Clone and VM.Allocate on /vms/110 (this login lacks both)",
      ),
    );
    expect(screen.getByTestId("guest-action-clone")).toHaveAttribute("data-disabled");
  });

  it("is disabled while the cluster does not answer", async () => {
    vi.mocked(api.inventorySnapshot).mockResolvedValue([
      {
        connectionId: "demo-prod",
        resources: [vm()],
        fetchedAt: new Date(Date.now() - 5.5 * 60_000).toISOString(),
        stale: true,
        error: "No node of prod answered.",
      },
    ]);
    vi.mocked(api.connectionsList).mockResolvedValue([prod]);
    const user = userEvent.setup();
    renderApp("/c/demo-prod/guest/110");
    await user.click(await screen.findByTestId("guest-action-more"));
    await waitFor(() =>
      expect(screen.getByTestId("guest-action-clone")).toHaveAttribute(
        "data-disabled-reason",
        "prod is not answering (last seen 5 min ago): actions are disabled until it answers again",
      ),
    );
    await user.click(screen.getByTestId("guest-action-clone"));
    expect(screen.queryByTestId("clone-dialog")).not.toBeInTheDocument();
  });
});
