// Complete back end values for tests: give the fields a test is about, the rest are defaults.
import type { Connection, FeatureMatrix, Health, Resource, TestReport } from "@/backend";

export function health(partial: Partial<Health> = {}): Health {
  return { state: "unknown", since: null, checkedAt: null, message: null, ...partial };
}

export function makeConnection(partial: Partial<Connection> & Pick<Connection, "id" | "name">): Connection {
  const kind = partial.kind ?? "pve";
  const url = partial.url ?? `https://${partial.name}.example:${kind === "pbs" ? 8007 : 8006}`;
  return {
    kind,
    url,
    urls: [url],
    access: "credential",
    username: "root@pam",
    tokenId: null,
    hasSecret: true,
    timeoutMs: 1000,
    fingerprints: [],
    nodeOrder: [],
    enabled: true,
    pool: null,
    demo: false,
    health: health(),
    ...partial,
  };
}

export const FEATURES: FeatureMatrix = {
  features: [
    { key: "guestConsole", label: "VM and container consoles", allowed: true, why: null },
    {
      key: "nodeShell",
      label: "Node shells",
      allowed: false,
      why: "An API token cannot open a node shell; use a user login.",
    },
  ],
};

export function testReport(partial: Partial<TestReport> = {}): TestReport {
  return {
    untrustedCertificate: null,
    certificateChanged: false,
    nodes: [],
    version: null,
    clusterName: null,
    clusterNodes: [],
    authOk: false,
    authError: null,
    privileges: [],
    features: { features: [] },
    ...partial,
  };
}

/** A complete `/cluster/resources` entry: give the fields a test is about. */
export function resource(partial: Partial<Resource> & Pick<Resource, "id" | "kind">): Resource {
  return {
    node: null,
    vmid: null,
    name: null,
    status: null,
    template: false,
    pool: null,
    tags: null,
    lock: null,
    hastate: null,
    storage: null,
    cpu: null,
    maxcpu: null,
    mem: null,
    maxmem: null,
    disk: null,
    maxdisk: null,
    uptime: null,
    ...partial,
  };
}
