import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { api, AppErrorException, type CreatedToken, type TokenWizardInput } from "@/backend";
import { FEATURES } from "@/test/fixtures";
import { renderApp } from "@/test/renderApp";

vi.mock("@/backend", async (importOriginal) => (await import("@/test/backendMock")).backendMock(importOriginal));

const CREATED: CreatedToken = {
  tokenId: "proxdeck@pve!proxdeck",
  secret: "5f0c1a8e-1111-4222-8333-444455556666",
  userCreated: true,
  rolesCreated: ["Proxdeck-General"],
  acls: [{ path: "/", role: "PVEAdmin", ugid: "proxdeck@pve", propagate: true }],
  storedInKeychain: false,
};

beforeEach(() => {
  vi.mocked(api.settingsGet).mockResolvedValue({ theme: "system", healthIntervalSecs: 30, refreshVisibleSecs: 5, refreshHiddenSecs: 60, guestOrder: "vmid", backupCoverageDays: 1 });
  vi.mocked(api.appInfo).mockRejectedValue(
    new AppErrorException({ code: "Internal", message: "not under test", detail: null }),
  );
  vi.mocked(api.connectionsList).mockResolvedValue([]);
  vi.mocked(api.connectionFeatures).mockResolvedValue(FEATURES);
});

async function openWizard(user: ReturnType<typeof userEvent.setup>) {
  renderApp("/");
  await user.click(await screen.findByTestId("empty-add-connection"));
  await screen.findByRole("dialog", { name: "Add a connection" });
  await user.click(screen.getByTestId("conn-access-token"));
  // No address yet: the wizard would not know where to log in.
  expect(screen.getByTestId("conn-token-wizard")).toBeDisabled();
  expect(screen.getByTestId("conn-token-wizard")).toHaveAccessibleDescription(
    "Enter a node address first: the wizard logs in there",
  );
  await user.type(screen.getByTestId("conn-urls"), "pve1.example");
  await user.click(screen.getByTestId("conn-token-wizard"));
  return screen.findByTestId("token-wizard");
}

describe("the token wizard", () => {
  it("creates a token, fills the form, clears the password and shows the secret once", async () => {
    vi.mocked(api.tokenCreate)
      .mockRejectedValueOnce(
        new AppErrorException({
          code: "Conflict",
          message: "The token proxdeck@pve!proxdeck exists already.",
          detail: null,
        }),
      )
      .mockResolvedValueOnce(CREATED);
    const user = userEvent.setup();
    const wizard = await openWizard(user);
    expect(within(wizard).getByTestId("wizard-admin-user")).toHaveValue("root@pam");
    expect(within(wizard).getByTestId("wizard-token-name")).toHaveValue("proxdeck");
    expect(within(wizard).getByTestId("wizard-profile-full")).toHaveAttribute("aria-checked", "true");
    expect(within(wizard).getByTestId("wizard-profile-full")).toHaveTextContent("PVEAdmin on /");

    await user.type(within(wizard).getByTestId("wizard-admin-password"), "rootpw");
    await user.type(within(wizard).getByTestId("wizard-admin-otp"), "123456");
    await user.click(within(wizard).getByTestId("wizard-create"));
    const first: TokenWizardInput = {
      urls: ["pve1.example"],
      fingerprints: [],
      timeoutMs: 1000,
      adminUsername: "root@pam",
      adminPassword: "rootpw",
      adminOtp: "123456",
      tokenName: "proxdeck",
      profile: { kind: "fullAdmin" },
      rotate: false,
      connectionId: null,
    };
    expect(api.tokenCreate).toHaveBeenCalledWith(first);

    // A conflict: explained, the password is gone, rotating is offered.
    expect(await within(wizard).findByRole("alert")).toHaveTextContent("exists already");
    expect(within(wizard).getByTestId("wizard-admin-password")).toHaveValue("");
    expect(within(wizard).getByTestId("wizard-admin-otp")).toHaveValue("");
    await user.click(within(wizard).getByTestId("wizard-rotate-offer"));
    expect(within(wizard).getByTestId("wizard-rotate")).toBeChecked();
    expect(within(wizard).getByTestId("wizard-admin-password")).toHaveFocus();
    await user.keyboard("rootpw");
    await user.click(within(wizard).getByTestId("wizard-create"));
    expect(api.tokenCreate).toHaveBeenLastCalledWith({ ...first, adminOtp: null, rotate: true });

    // The secret is shown once, and the form has the new token.
    const secret = await screen.findByTestId("secret-dialog");
    await waitFor(() => expect(screen.queryByTestId("token-wizard")).not.toBeInTheDocument());
    expect(within(secret).getByTestId("secret-value")).toHaveTextContent(CREATED.secret);
    expect(secret).toHaveTextContent("This secret is shown only now.");
    expect(secret).toHaveTextContent("will store it in the keychain when you save the connection");
    await user.click(within(secret).getByTestId("secret-copy"));
    expect(await navigator.clipboard.readText()).toBe(CREATED.secret);
    expect(secret).toHaveTextContent("Copied to the clipboard.");
    await user.click(within(secret).getByTestId("secret-done"));
    await waitFor(() => expect(screen.queryByTestId("secret-dialog")).not.toBeInTheDocument());

    expect(screen.getByTestId("conn-access-token")).toHaveAttribute("aria-checked", "true");
    expect(screen.getByTestId("conn-token-id")).toHaveValue("proxdeck@pve!proxdeck");
    expect(screen.getByTestId("conn-token-secret")).toHaveValue(CREATED.secret);
  });

  it("says when the keychain has the secret already (editing a saved connection)", async () => {
    vi.mocked(api.tokenCreate).mockResolvedValue({ ...CREATED, storedInKeychain: true });
    const user = userEvent.setup();
    const wizard = await openWizard(user);
    await user.type(within(wizard).getByTestId("wizard-admin-password"), "rootpw{Enter}");
    const secret = await screen.findByTestId("secret-dialog");
    expect(secret).toHaveTextContent("This secret is shown only now. Proxdeck stored it in the keychain");
  });

  it("asks for the password before calling, and forgets it when closed", async () => {
    const user = userEvent.setup();
    const wizard = await openWizard(user);
    await user.click(within(wizard).getByTestId("wizard-create"));
    expect(api.tokenCreate).not.toHaveBeenCalled();
    expect(within(wizard).getByTestId("wizard-admin-password")).toHaveAccessibleDescription(
      /Enter the administrator's password\./,
    );
    await user.type(within(wizard).getByTestId("wizard-admin-password"), "rootpw");
    await user.click(within(wizard).getByTestId("wizard-cancel"));
    await waitFor(() => expect(screen.queryByTestId("token-wizard")).not.toBeInTheDocument());
    await user.click(screen.getByTestId("conn-token-wizard"));
    expect(within(await screen.findByTestId("token-wizard")).getByTestId("wizard-admin-password")).toHaveValue("");
  });

  it("creates a least-privilege token for the chosen pool, storages and SDN zones", async () => {
    vi.mocked(api.tokenWizardChoices).mockResolvedValue({
      version: "9.1.2",
      pools: ["web", "db"],
      storages: ["local", "ceph"],
      sdnZones: ["zone1"],
      userExists: true,
      tokenExists: true,
    });
    vi.mocked(api.tokenCreate).mockResolvedValue(CREATED);
    const user = userEvent.setup();
    const wizard = await openWizard(user);
    await user.click(within(wizard).getByTestId("wizard-profile-least"));
    expect(within(wizard).getByTestId("wizard-profile-least")).toHaveTextContent("Proxdeck-VMs on one pool");
    await user.type(within(wizard).getByTestId("wizard-admin-password"), "rootpw");
    await user.click(within(wizard).getByTestId("wizard-load-choices"));
    expect(api.tokenWizardChoices).toHaveBeenCalledWith(
      expect.objectContaining({ adminUsername: "root@pam", adminPassword: "rootpw", urls: ["pve1.example"] }),
    );

    // The token exists: explained, with the choice to rotate it.
    expect(await within(wizard).findByTestId("wizard-exists")).toHaveTextContent("already exists");
    expect(within(wizard).getByTestId("wizard-rotate")).not.toBeChecked();
    await user.selectOptions(within(wizard).getByTestId("wizard-pool"), "db");
    await user.click(within(wizard).getByTestId("wizard-storage-ceph"));
    await user.click(within(wizard).getByTestId("wizard-zone-zone1"));
    await user.click(within(wizard).getByTestId("wizard-rotate"));
    await user.click(within(wizard).getByTestId("wizard-create"));
    expect(api.tokenCreate).toHaveBeenCalledWith(
      expect.objectContaining({
        profile: { kind: "leastPrivilege", pool: "db", storages: ["ceph"], sdn_zones: ["zone1"] },
        rotate: true,
        adminPassword: "rootpw",
      }),
    );
  });
});
