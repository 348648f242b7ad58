import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { api, AppErrorException, type CertificateInfo, type Connection, type ConnectionInput } from "@/backend";
import { FEATURES, makeConnection, testReport } from "@/test/fixtures";
import { renderApp } from "@/test/renderApp";

vi.mock("@/backend", async (importOriginal) => (await import("@/test/backendMock")).backendMock(importOriginal));

const FINGERPRINT = Array.from({ length: 32 }, (_, i) => (i * 7 + 16).toString(16).toUpperCase().padStart(2, "0")).join(":");

const CERT: CertificateInfo = {
  url: "https://pve1.example:8006",
  fingerprint: FINGERPRINT,
  subject: "CN=pve1.example",
  issuer: "CN=Proxmox Virtual Environment, O=PVE Cluster Manager CA",
  notAfter: "2035-06-01T12:00:00Z",
  trustedBySystem: false,
};

const GOOD_REPORT = testReport({
  nodes: [
    { url: "https://pve1.example:8006", reachable: true, error: null },
    { url: "https://pve2.example:8006", reachable: false, error: "connection refused" },
  ],
  version: "9.1.2",
  clusterName: "prod",
  clusterNodes: ["pve2", "pve1", "pve3"],
  authOk: true,
  privileges: ["Sys.Audit", "VM.Audit"],
  features: FEATURES,
});

function saved(input: ConnectionInput, id = "c-new"): Connection {
  return makeConnection({
    id,
    name: input.name,
    kind: input.kind,
    url: `https://${input.urls[0] ?? "x"}:8006`,
    access: input.access,
    tokenId: input.access === "apiToken" ? input.tokenId.split("=")[0] : null,
    fingerprints: input.fingerprints,
  });
}

/** What the pretend back end has stored. */
let stored: Connection[] = [];

function store(connection: Connection): Connection {
  stored = [...stored.filter((c) => c.id !== connection.id), connection];
  return connection;
}

beforeEach(() => {
  stored = [];
  vi.mocked(api.settingsGet).mockResolvedValue({ theme: "system", healthIntervalSecs: 30, refreshVisibleSecs: 5, refreshHiddenSecs: 60, guestOrder: "vmid", backupCoverageDays: 1 });
  vi.mocked(api.appInfo).mockRejectedValue(
    new AppErrorException({ code: "Internal", message: "not under test", detail: null }),
  );
  vi.mocked(api.connectionsList).mockImplementation(() => Promise.resolve(stored));
  vi.mocked(api.connectionFeatures).mockResolvedValue(FEATURES);
  vi.mocked(api.connectionAdd).mockImplementation((input) => Promise.resolve(store(saved(input))));
  vi.mocked(api.connectionUpdate).mockImplementation((id, input) => Promise.resolve(store(saved(input, id))));
});

async function openAddDialog(user: ReturnType<typeof userEvent.setup>) {
  renderApp("/");
  await user.click(await screen.findByTestId("empty-add-connection"));
  return screen.findByRole("dialog", { name: "Add a connection" });
}

async function fillBasics(user: ReturnType<typeof userEvent.setup>) {
  await user.type(screen.getByTestId("conn-name"), "prod");
  await user.type(screen.getByTestId("conn-urls"), "pve1.example{Enter}pve2.example");
}

describe("the connection dialog", () => {
  it("adds a connection with a pasted whole token: the token id carries it, no separate secret", async () => {
    const user = userEvent.setup();
    await openAddDialog(user);
    await fillBasics(user);
    await user.click(screen.getByTestId("conn-access-token"));
    const tokenId = screen.getByTestId("conn-token-id");
    await user.click(tokenId);
    await user.paste("proxdeck@pve!proxdeck=9d1c5c5e-0000-4000-8000-123456789abc");
    expect(screen.getByTestId("conn-token-secret")).toHaveAttribute("placeholder", "in the pasted token");
    expect(screen.getByText("Taken from the pasted token.")).toBeInTheDocument();
    // The form asks what the login can do, for the token's user.
    await waitFor(() =>
      expect(api.connectionFeatures).toHaveBeenLastCalledWith("pve", "apiToken", "proxdeck@pve", null),
    );
    expect(await screen.findByTestId("conn-features")).toHaveTextContent("Node shells");

    await user.click(screen.getByTestId("conn-save"));
    expect(api.connectionAdd).toHaveBeenCalledWith({
      name: "prod",
      kind: "pve",
      urls: ["pve1.example", "pve2.example"],
      access: "apiToken",
      username: "proxdeck@pve",
      password: null,
      tokenId: "proxdeck@pve!proxdeck=9d1c5c5e-0000-4000-8000-123456789abc",
      tokenSecret: null,
      timeoutMs: 1000,
      fingerprints: [],
      nodeOrder: [],
      enabled: true,
      pool: null,
    } satisfies ConnectionInput);
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(await screen.findByTestId("tree-connection-prod")).toBeInTheDocument();
  });

  it("binds a connection to a pool, and shows the back end's refusal of a pool name under the field", async () => {
    const user = userEvent.setup();
    vi.mocked(api.connectionAdd).mockRejectedValueOnce(
      new AppErrorException({
        code: "Invalid",
        message: "the connection form has errors in: pool",
        detail: null,
        fields: { pool: "`a b` is not a pool name" },
      }),
    );
    await openAddDialog(user);
    await fillBasics(user);
    await user.click(screen.getByTestId("conn-access-token"));
    await user.click(screen.getByTestId("conn-token-id"));
    await user.paste("operator@pve!ci=9d1c5c5e-0000-4000-8000-123456789abc");
    await user.type(screen.getByTestId("conn-pool"), " a b ");
    await user.click(screen.getByTestId("conn-save"));
    expect(await screen.findByTestId("field-error-pool")).toHaveTextContent("is not a pool name");
    expect(screen.getByTestId("conn-pool")).toHaveValue(" a b ");
    await user.clear(screen.getByTestId("conn-pool"));
    await user.type(screen.getByTestId("conn-pool"), "tenant-a");
    await user.click(screen.getByTestId("conn-save"));
    await waitFor(() =>
      expect(api.connectionAdd).toHaveBeenLastCalledWith(expect.objectContaining({ pool: "tenant-a" })),
    );
  });

  it("sends a credential login with its password and a Backup Server's kind", async () => {
    const user = userEvent.setup();
    await openAddDialog(user);
    await user.click(screen.getByTestId("conn-kind-pbs"));
    expect(screen.getByText("default port 8007")).toBeInTheDocument();
    // The token wizard and the node order are for Proxmox VE only.
    expect(screen.queryByTestId("node-order")).not.toBeInTheDocument();
    await fillBasics(user);
    await user.type(screen.getByTestId("conn-username"), "admin@pbs");
    await user.type(screen.getByTestId("conn-password"), "pa ss");
    const timeout = screen.getByTestId("conn-timeout");
    await user.clear(timeout);
    await user.type(timeout, "2500");
    await user.click(screen.getByTestId("conn-enabled"));
    await user.click(screen.getByTestId("conn-save"));
    expect(api.connectionAdd).toHaveBeenCalledWith(
      expect.objectContaining({
        kind: "pbs",
        access: "credential",
        username: "admin@pbs",
        password: "pa ss",
        tokenId: "",
        tokenSecret: null,
        timeoutMs: 2500,
        nodeOrder: [],
        enabled: false,
      }),
    );
  });

  it("shows each field's error under the field and the general message on top", async () => {
    vi.mocked(api.connectionAdd).mockRejectedValue(
      new AppErrorException({
        code: "Invalid",
        message: "Some fields need a change.",
        detail: null,
        fields: {
          name: "a connection named prod exists already",
          urls: "`pve 1`: `pve 1` is not a host name or IP address",
          tokenId: "the format is user@realm!tokenname",
        },
      }),
    );
    const user = userEvent.setup();
    await openAddDialog(user);
    await fillBasics(user);
    await user.click(screen.getByTestId("conn-save"));

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Could not add the connection");
    expect(alert).toHaveTextContent("Some fields need a change.");
    expect(screen.getByTestId("field-error-name")).toHaveTextContent("a connection named prod exists already");
    expect(screen.getByTestId("field-error-urls")).toHaveTextContent("is not a host name or IP address");
    // A field the form does not show right now (the token id, for a credential login) is listed on top.
    expect(screen.getByTestId("field-error-tokenId")).toHaveTextContent("Token ID: the format is user@realm!tokenname");

    const name = screen.getByTestId("conn-name");
    expect(name).toHaveAttribute("aria-invalid", "true");
    expect(name).toHaveAccessibleDescription("a connection named prod exists already");
    // The first field with an error has the focus.
    expect(name).toHaveFocus();
    // Changing a field clears its message.
    await user.type(name, "-2");
    expect(screen.queryByTestId("field-error-name")).not.toBeInTheDocument();
    expect(name).not.toHaveAttribute("aria-invalid");
    expect(screen.getByTestId("field-error-urls")).toBeInTheDocument();
    expect(screen.getByRole("dialog", { name: "Add a connection" })).toBeInTheDocument();
  });

  it("catches what it cannot send: a timeout that is no number, a pinned mode without a fingerprint", async () => {
    const user = userEvent.setup();
    await openAddDialog(user);
    await fillBasics(user);
    await user.clear(screen.getByTestId("conn-timeout"));
    await user.click(screen.getByTestId("conn-tls-pinned"));
    await user.click(screen.getByTestId("conn-save"));
    expect(screen.getByTestId("field-error-fingerprints")).toHaveTextContent("SHA-256 fingerprint");
    expect(screen.getByTestId("field-error-timeoutMs")).toHaveTextContent("milliseconds");
    expect(screen.getByTestId("conn-fingerprint")).toHaveFocus();
    expect(api.connectionAdd).not.toHaveBeenCalled();
  });

  it("tests, asks to trust an unknown certificate, pins it and tests again", async () => {
    vi.mocked(api.connectionTest)
      .mockResolvedValueOnce(testReport({ untrustedCertificate: CERT }))
      .mockResolvedValueOnce(GOOD_REPORT);
    const user = userEvent.setup();
    await openAddDialog(user);
    await fillBasics(user);
    await user.type(screen.getByTestId("conn-username"), "root@pam");
    await user.type(screen.getByTestId("conn-password"), "secret");
    await user.click(screen.getByTestId("conn-test"));

    const cert = await screen.findByTestId("cert-dialog");
    expect(cert).toHaveAccessibleName("Trust this certificate?");
    expect(within(cert).getByTestId("cert-fingerprint")).toHaveTextContent(FINGERPRINT);
    expect(cert).toHaveTextContent("https://pve1.example:8006");
    expect(cert).toHaveTextContent("CN=pve1.example");
    expect(cert).toHaveTextContent("PVE Cluster Manager CA");
    expect(cert).toHaveTextContent("Compare with the node's fingerprint (Node → System → Certificates, or pvenode cert info)");
    expect(within(cert).queryByTestId("cert-changed")).not.toBeInTheDocument();
    // The safe choice has the focus.
    expect(within(cert).getByTestId("cert-cancel")).toHaveFocus();
    expect(api.connectionTest).toHaveBeenCalledWith(
      expect.objectContaining({ urls: ["pve1.example", "pve2.example"], password: "secret", fingerprints: [] }),
      null,
    );

    await user.click(within(cert).getByTestId("cert-trust"));
    await waitFor(() => expect(screen.queryByTestId("cert-dialog")).not.toBeInTheDocument());
    expect(screen.getByTestId("conn-tls-pinned")).toHaveAttribute("aria-checked", "true");
    expect(screen.getByTestId("conn-fingerprint")).toHaveValue(FINGERPRINT);
    expect(api.connectionTest).toHaveBeenCalledTimes(2);
    expect(api.connectionTest).toHaveBeenLastCalledWith(expect.objectContaining({ fingerprints: [FINGERPRINT] }), null);

    const report = await screen.findByTestId("test-report");
    expect(report).toHaveTextContent("The connection works.");
    expect(report).toHaveTextContent("9.1.2");
    expect(report).toHaveTextContent("prod");
    expect(report).toHaveTextContent("connection refused");
    const nodes = within(report).getAllByTestId("test-node");
    expect(nodes.map((n) => n.dataset.reachable)).toEqual(["true", "false"]);
    expect(within(report).getByTestId("test-privileges")).toHaveTextContent("Sys.AuditVM.Audit");
    expect(within(report).getByTestId("report-feature-nodeShell")).toHaveAttribute("data-allowed", "false");
    expect(report).toHaveTextContent("An API token cannot open a node shell");
    // The feature matrix in the form now follows the tested version.
    await waitFor(() =>
      expect(api.connectionFeatures).toHaveBeenLastCalledWith("pve", "credential", "root@pam", "9.1.2"),
    );
  });

  it("warns that a pinned certificate changed, and tests nothing when not trusted", async () => {
    const pinned = makeConnection({ id: "c1", name: "prod", fingerprints: ["AA:BB"], urls: ["https://pve1.example:8006"] });
    stored = [pinned];
    vi.mocked(api.connectionTest).mockResolvedValue(testReport({ untrustedCertificate: CERT, certificateChanged: true }));
    const user = userEvent.setup();
    renderApp("/");
    await user.pointer({ keys: "[MouseRight]", target: await screen.findByTestId("tree-connection-prod") });
    await user.click(await screen.findByTestId("conn-menu-edit"));
    expect(await screen.findByRole("dialog", { name: "Edit prod" })).toBeInTheDocument();
    await user.click(screen.getByTestId("conn-test"));

    const cert = await screen.findByTestId("cert-dialog");
    expect(cert).toHaveAccessibleName("The certificate has changed");
    expect(within(cert).getByTestId("cert-changed")).toHaveTextContent("Do not trust it unless you know why it changed");
    expect(api.connectionTest).toHaveBeenCalledWith(expect.objectContaining({ fingerprints: ["AA:BB"] }), "c1");

    await user.click(within(cert).getByTestId("cert-cancel"));
    await waitFor(() => expect(screen.queryByTestId("cert-dialog")).not.toBeInTheDocument());
    expect(screen.getByTestId("test-not-trusted")).toHaveTextContent("Not tested");
    expect(screen.getByTestId("conn-fingerprint")).toHaveValue("AA:BB");
    expect(screen.queryByTestId("test-report")).not.toBeInTheDocument();
    expect(screen.getByTestId("conn-test")).toHaveFocus();
  });

  it("asks for another node's certificate and adds it to the pins", async () => {
    const pinned = makeConnection({
      id: "c1",
      name: "prod",
      fingerprints: ["AA:BB"],
      urls: ["https://pve1.example:8006", "https://pve2.example:8006"],
    });
    stored = [pinned];
    vi.mocked(api.connectionTest)
      .mockResolvedValueOnce(testReport({ untrustedCertificate: { ...CERT, url: "https://pve2.example:8006" } }))
      .mockResolvedValueOnce(GOOD_REPORT);
    const user = userEvent.setup();
    renderApp("/");
    await user.pointer({ keys: "[MouseRight]", target: await screen.findByTestId("tree-connection-prod") });
    await user.click(await screen.findByTestId("conn-menu-edit"));
    await user.click(await screen.findByTestId("conn-test"));

    const cert = await screen.findByTestId("cert-dialog");
    expect(cert).toHaveAccessibleName("Trust this certificate?");
    expect(within(cert).queryByTestId("cert-changed")).not.toBeInTheDocument();
    await user.click(within(cert).getByTestId("cert-trust"));
    await screen.findByTestId("test-report");
    expect(api.connectionTest).toHaveBeenLastCalledWith(
      expect.objectContaining({ fingerprints: ["AA:BB", FINGERPRINT] }),
      "c1",
    );
    expect(screen.getByTestId("conn-fingerprint")).toHaveValue(`AA:BB\n${FINGERPRINT}`);
  });

  it("probes the certificate when saving meets an untrusted one, then saves with it pinned", async () => {
    vi.mocked(api.connectionAdd)
      .mockRejectedValueOnce(
        new AppErrorException({ code: "UntrustedCertificate", message: "pve1.example:8006 is not trusted", detail: null }),
      )
      .mockImplementationOnce((input) => Promise.resolve(store(saved(input))));
    vi.mocked(api.certificateProbe).mockResolvedValue(CERT);
    const user = userEvent.setup();
    await openAddDialog(user);
    await fillBasics(user);
    await user.click(screen.getByTestId("conn-save"));

    const cert = await screen.findByTestId("cert-dialog");
    expect(api.certificateProbe).toHaveBeenCalledWith("https://pve1.example:8006");
    await user.click(within(cert).getByTestId("cert-trust"));
    await waitFor(() => expect(api.connectionAdd).toHaveBeenCalledTimes(2));
    expect(api.connectionAdd).toHaveBeenLastCalledWith(expect.objectContaining({ fingerprints: [FINGERPRINT] }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
  });

  it("lets the user order the tested cluster's nodes; the others follow alphabetically", async () => {
    vi.mocked(api.connectionTest).mockResolvedValue(GOOD_REPORT);
    const user = userEvent.setup();
    await openAddDialog(user);
    await fillBasics(user);
    const order = screen.getByTestId("node-order");
    expect(order).toHaveTextContent("all other nodes follow alphabetically");
    expect(order).toHaveTextContent("Test the connection to list the cluster's nodes.");
    await user.click(screen.getByTestId("conn-test"));
    await screen.findByTestId("test-report");

    await user.click(screen.getByTestId("node-order-add-pve3"));
    await user.click(screen.getByTestId("node-order-add-pve2"));
    expect(screen.getByTestId("node-order-up-pve3")).toBeDisabled();
    await user.click(screen.getByTestId("node-order-up-pve2"));
    // The focus follows the moved node; at the top its "up" is disabled, so "down" has it.
    expect(screen.getByTestId("node-order-down-pve2")).toHaveFocus();
    expect(within(order).getAllByRole("listitem").map((li) => li.textContent)).toEqual(["1.pve2", "2.pve3", "pve1"]);

    await user.click(screen.getByTestId("conn-save"));
    expect(api.connectionAdd).toHaveBeenCalledWith(expect.objectContaining({ nodeOrder: ["pve2", "pve3"] }));
  });
});

describe("editing a connection", () => {
  const PROD = makeConnection({
    id: "c1",
    name: "prod",
    urls: ["https://pve1.example:8006", "https://pve2.example:8006"],
    url: "https://pve1.example:8006",
    access: "apiToken",
    username: "proxdeck@pve",
    tokenId: "proxdeck@pve!proxdeck",
    hasSecret: true,
    timeoutMs: 3000,
    nodeOrder: ["pve2"],
  });

  it("starts from the saved settings and sends no secret when the secret field stays empty", async () => {
    stored = [PROD];
    const user = userEvent.setup();
    renderApp("/");
    const row = await screen.findByTestId("tree-connection-prod");
    await user.pointer({ keys: "[MouseRight]", target: row });
    await user.click(await screen.findByTestId("conn-menu-edit"));
    await screen.findByRole("dialog", { name: "Edit prod" });

    expect(screen.getByTestId("conn-name")).toHaveValue("prod");
    expect(screen.getByTestId("conn-urls")).toHaveValue("https://pve1.example:8006\nhttps://pve2.example:8006");
    expect(screen.getByTestId("conn-access-token")).toHaveAttribute("aria-checked", "true");
    expect(screen.getByTestId("conn-token-id")).toHaveValue("proxdeck@pve!proxdeck");
    const secret = screen.getByTestId("conn-token-secret");
    expect(secret).toHaveValue("");
    expect(secret).toHaveAttribute("placeholder", "unchanged");
    expect(screen.getByTestId("conn-timeout")).toHaveValue(3000);
    expect(screen.getByTestId("node-order-item-pve2")).toBeInTheDocument();

    await user.clear(screen.getByTestId("conn-name"));
    await user.type(screen.getByTestId("conn-name"), "production");
    await user.click(screen.getByTestId("conn-save"));
    expect(api.connectionUpdate).toHaveBeenCalledWith("c1", {
      name: "production",
      kind: "pve",
      urls: ["https://pve1.example:8006", "https://pve2.example:8006"],
      access: "apiToken",
      username: "proxdeck@pve",
      password: null,
      tokenId: "proxdeck@pve!proxdeck",
      tokenSecret: null,
      timeoutMs: 3000,
      fingerprints: [],
      nodeOrder: ["pve2"],
      enabled: true,
      pool: null,
    } satisfies ConnectionInput);
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    // The focus goes back to the row the menu was opened on.
    await waitFor(() => expect(screen.getByTestId("tree-connection-production")).toHaveFocus());
  });

  it("does not say 'unchanged' for a secret of another access type", async () => {
    stored = [PROD];
    const user = userEvent.setup();
    renderApp("/");
    await user.pointer({ keys: "[MouseRight]", target: await screen.findByTestId("tree-connection-prod") });
    await user.click(await screen.findByTestId("conn-menu-edit"));
    await user.click(await screen.findByTestId("conn-access-credential"));
    expect(screen.getByTestId("conn-password")).not.toHaveAttribute("placeholder");
    expect(screen.getByTestId("conn-username")).toHaveValue("proxdeck@pve");
  });
});
