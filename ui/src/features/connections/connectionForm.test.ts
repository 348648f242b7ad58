import { describe, expect, it } from "vitest";
import { health, makeConnection } from "@/test/fixtures";
import {
  buildInput,
  emptyForm,
  formFromConnection,
  isWholeToken,
  move,
  nodeDisplayOrder,
  probeUrl,
  tokenUser,
} from "./connectionForm";
import { applyHealthChange, healthText } from "./health";

describe("the connection form", () => {
  it("turns a saved connection into fields and back without touching its secret", () => {
    const form = formFromConnection(
      makeConnection({
        id: "c1",
        name: "prod",
        urls: ["https://pve1:8006", "https://pve2:8006"],
        fingerprints: ["AA:BB"],
        nodeOrder: ["pve2"],
        timeoutMs: 2000,
        pool: "tenant-a",
      }),
    );
    expect(form).toMatchObject({ urls: "https://pve1:8006\nhttps://pve2:8006", tls: "pinned", timeoutMs: "2000" });
    const built = buildInput(form);
    expect(built).toEqual({
      ok: true,
      input: {
        name: "prod",
        kind: "pve",
        urls: ["https://pve1:8006", "https://pve2:8006"],
        access: "credential",
        username: "root@pam",
        password: null,
        tokenId: "",
        tokenSecret: null,
        timeoutMs: 2000,
        fingerprints: ["AA:BB"],
        nodeOrder: ["pve2"],
        enabled: true,
        pool: "tenant-a",
      },
    });
  });

  it("sends only the access type's own fields, trimmed (but never a password)", () => {
    const base = { ...emptyForm(), name: " prod ", urls: " pve1 \n\n pve2:8443 \n" };
    const token = buildInput({
      ...base,
      access: "apiToken",
      username: "ignored",
      password: "x",
      tokenId: " a@pve!t ",
      tokenSecret: " s ",
    });
    expect(token.ok && token.input).toMatchObject({
      name: "prod",
      urls: ["pve1", "pve2:8443"],
      username: "a@pve",
      password: null,
      tokenId: "a@pve!t",
      tokenSecret: "s",
    });
    const login = buildInput({ ...base, username: " root@pam ", password: " pw ", tokenId: "a@pve!t", tokenSecret: "s" });
    expect(login.ok && login.input).toMatchObject({
      username: "root@pam",
      password: " pw ",
      tokenId: "",
      tokenSecret: null,
    });
    // A Backup Server has no node order.
    const pbs = buildInput({ ...base, kind: "pbs", nodeOrder: ["x"] });
    expect(pbs.ok && pbs.input.nodeOrder).toEqual([]);
  });

  it("refuses what it cannot send", () => {
    expect(buildInput({ ...emptyForm(), timeoutMs: "1e3" })).toEqual({
      ok: false,
      fields: { timeoutMs: "Enter the timeout in milliseconds, e.g. 1000." },
    });
    expect(buildInput({ ...emptyForm(), timeoutMs: "0" }).ok).toBe(false);
    const pinned = buildInput({ ...emptyForm(), tls: "pinned", fingerprints: "  \n " });
    expect(pinned.ok).toBe(false);
    expect(!pinned.ok && pinned.fields.fingerprints).toMatch(/SHA-256/);
  });

  it("recognises a whole token by the kind's separator", () => {
    expect(isWholeToken("pve", "root@pam!t=uuid")).toBe(true);
    expect(isWholeToken("pve", "root@pam!t")).toBe(false);
    expect(isWholeToken("pbs", "root@pam!t:uuid")).toBe(true);
    expect(isWholeToken("pbs", "root@pam!t=uuid")).toBe(false);
    expect(isWholeToken("pve", "root@pam")).toBe(false);
    expect(tokenUser(" root@pam!t=uuid")).toBe("root@pam");
  });

  it("reads a node address the way the back end does, for the certificate probe", () => {
    expect(probeUrl("pve", "pve1.example")).toBe("https://pve1.example:8006");
    expect(probeUrl("pbs", "pbs.example")).toBe("https://pbs.example:8007");
    expect(probeUrl("pve", "pve1:9443")).toBe("https://pve1:9443");
    expect(probeUrl("pve", "https://pve1:8006/")).toBe("https://pve1:8006");
    expect(probeUrl("pve", "[::1]")).toBe("https://[::1]:8006");
    expect(probeUrl("pve", "[::1]:9000")).toBe("https://[::1]:9000");
    expect(probeUrl("pve", "fe80::1")).toBe("https://[fe80::1]:8006");
  });

  it("orders nodes: the chosen ones first, the rest alphabetically", () => {
    expect(nodeDisplayOrder(["pve3"], ["pve10", "pve2", "pve3", "pve1"])).toEqual({
      ordered: ["pve3"],
      others: ["pve1", "pve2", "pve10"],
    });
    expect(move(["a", "b", "c"], 2, -1)).toEqual(["a", "c", "b"]);
    expect(move(["a", "b"], 0, -1)).toEqual(["a", "b"]);
  });
});

describe("health in words", () => {
  const now = new Date(2025, 2, 1, 16, 0);
  it("says the state, since when and why", () => {
    const since = new Date(2025, 2, 1, 14, 2).toISOString();
    expect(healthText(health({ state: "apiOnly", since, message: "SSH not configured" }), now)).toBe(
      "API only since 14:02 — SSH not configured",
    );
    const yesterday = new Date(2025, 1, 28, 9, 5).toISOString();
    expect(healthText(health({ state: "disconnected", since: yesterday }), now)).toBe(
      "Disconnected since 2025-02-28 09:05",
    );
    expect(healthText(health({ state: "disabled", since }), now)).toBe("Disabled — not checked");
    expect(healthText(health())).toBe("Not checked yet");
  });

  it("applies a change to the one connection it is about", () => {
    const a = makeConnection({ id: "a", name: "a" });
    const b = makeConnection({ id: "b", name: "b" });
    const next = applyHealthChange([a, b], {
      connectionId: "b",
      name: "b",
      from: "unknown",
      to: "connected",
      since: "2025-03-01T14:00:00Z",
      previousSince: null,
      message: null,
    });
    expect(next?.[0]).toBe(a);
    expect(next?.[1]?.health).toEqual({
      state: "connected",
      since: "2025-03-01T14:00:00Z",
      checkedAt: "2025-03-01T14:00:00Z",
      message: null,
    });
    const change = { connectionId: "x", name: "x", from: "unknown", to: "connected", since: "", previousSince: null, message: null } as const;
    expect(applyHealthChange(undefined, change)).toBeUndefined();
  });
});
