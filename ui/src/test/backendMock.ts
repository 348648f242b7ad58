// Builds the fake "@/backend" module for vi.mock. The real error class and helpers are kept,
// only the calls into Rust are replaced.
import { vi } from "vitest";
import type * as Backend from "@/backend";

// What a full administrator holds on a guest's path and on "/" (PVE 9.1's VM.* and the Sys
// privileges the guest actions check): the default answer of permissionsOn.
const ALL_PRIVILEGES = [
  "Sys.Audit",
  "Sys.Console",
  "VM.Allocate",
  "VM.Audit",
  "VM.Backup",
  "VM.Clone",
  "VM.Config.CDROM",
  "VM.Config.CPU",
  "VM.Config.Cloudinit",
  "VM.Config.Disk",
  "VM.Config.HWType",
  "VM.Config.Memory",
  "VM.Config.Network",
  "VM.Config.Options",
  "VM.Console",
  "VM.GuestAgent.Audit",
  "VM.GuestAgent.Unrestricted",
  "VM.Migrate",
  "VM.PowerMgmt",
  "VM.Snapshot",
  "VM.Snapshot.Rollback",
];

export async function backendMock(importOriginal: () => Promise<typeof Backend>) {
  const actual = await importOriginal();
  const api = {
    appInfo: vi.fn<typeof actual.api.appInfo>(),
    settingsGet: vi.fn<typeof actual.api.settingsGet>(),
    settingsSet: vi.fn<typeof actual.api.settingsSet>(),
    // No connections unless a test says otherwise (the tree asks on every render of the frame).
    connectionsList: vi.fn<typeof actual.api.connectionsList>(() => Promise.resolve([])),
    demoOpen: vi.fn<typeof actual.api.demoOpen>(),
    demoClose: vi.fn<typeof actual.api.demoClose>(),
    demoOutage: vi.fn<typeof actual.api.demoOutage>(),
    connectionResources: vi.fn<typeof actual.api.connectionResources>(() => Promise.resolve([])),
    connectionAdd: vi.fn<typeof actual.api.connectionAdd>(),
    connectionUpdate: vi.fn<typeof actual.api.connectionUpdate>(),
    connectionRemove: vi.fn<typeof actual.api.connectionRemove>(),
    connectionSetEnabled: vi.fn<typeof actual.api.connectionSetEnabled>(),
    connectionTest: vi.fn<typeof actual.api.connectionTest>(),
    certificateProbe: vi.fn<typeof actual.api.certificateProbe>(),
    // The form asks for the matrix as soon as it opens.
    connectionFeatures: vi.fn<typeof actual.api.connectionFeatures>(() => Promise.resolve({ features: [] })),
    tokenWizardChoices: vi.fn<typeof actual.api.tokenWizardChoices>(),
    tokenCreate: vi.fn<typeof actual.api.tokenCreate>(),
    connectionCheck: vi.fn<typeof actual.api.connectionCheck>(),
    monitorClusterSummary: vi.fn<typeof actual.api.monitorClusterSummary>(),
    monitorNodeStatus: vi.fn<typeof actual.api.monitorNodeStatus>(),
    monitorGuestSummary: vi.fn<typeof actual.api.monitorGuestSummary>(),
    monitorStorageStatus: vi.fn<typeof actual.api.monitorStorageStatus>(),
    monitorRrd: vi.fn<typeof actual.api.monitorRrd>(() => Promise.resolve([])),
    // The task bar asks on every render of the frame.
    tasksRecent: vi.fn<typeof actual.api.tasksRecent>(() => Promise.resolve({ tasks: [], failed: [] })),
    taskLog: vi.fn<typeof actual.api.taskLog>(),
    taskLogFollow: vi.fn<typeof actual.api.taskLogFollow>(),
    taskStop: vi.fn<typeof actual.api.taskStop>(),
    guestPower: vi.fn<typeof actual.api.guestPower>(),
    guestsPowerMany: vi.fn<typeof actual.api.guestsPowerMany>(),
    guestCloneOptions: vi.fn<typeof actual.api.guestCloneOptions>(),
    guestClone: vi.fn<typeof actual.api.guestClone>(),
    guestStorages: vi.fn<typeof actual.api.guestStorages>(),
    guestCheckVmid: vi.fn<typeof actual.api.guestCheckVmid>(),
    guestConfig: vi.fn<typeof actual.api.guestConfig>(),
    guestConfigUpdate: vi.fn<typeof actual.api.guestConfigUpdate>(),
    guestDiskResize: vi.fn<typeof actual.api.guestDiskResize>(),
    guestDelete: vi.fn<typeof actual.api.guestDelete>(),
    guestMigrateOptions: vi.fn<typeof actual.api.guestMigrateOptions>(),
    guestMigrate: vi.fn<typeof actual.api.guestMigrate>(),
    guestHa: vi.fn<typeof actual.api.guestHa>(),
    guestHaSet: vi.fn<typeof actual.api.guestHaSet>(),
    guestHaRemove: vi.fn<typeof actual.api.guestHaRemove>(),
    guestCloudinit: vi.fn<typeof actual.api.guestCloudinit>(),
    guestCloudinitSet: vi.fn<typeof actual.api.guestCloudinitSet>(),
    guestCloudinitRegenerate: vi.fn<typeof actual.api.guestCloudinitRegenerate>(),
    guestIps: vi.fn<typeof actual.api.guestIps>(),
    guestSnapshots: vi.fn<typeof actual.api.guestSnapshots>(),
    guestSnapshotCreate: vi.fn<typeof actual.api.guestSnapshotCreate>(),
    guestSnapshotRollback: vi.fn<typeof actual.api.guestSnapshotRollback>(),
    guestSnapshotDelete: vi.fn<typeof actual.api.guestSnapshotDelete>(),
    guestIpsKnown: vi.fn<typeof actual.api.guestIpsKnown>(() => Promise.resolve([])),
    pbsDatastores: vi.fn<typeof actual.api.pbsDatastores>(() => Promise.resolve([])),
    pbsSnapshots: vi.fn<typeof actual.api.pbsSnapshots>(() => Promise.resolve([])),
    backupCoverage: vi.fn<typeof actual.api.backupCoverage>(),
    // Everything is allowed unless a test says otherwise (guest pages gate their actions).
    permissionsOn: vi.fn<typeof actual.api.permissionsOn>(() => Promise.resolve([...ALL_PRIVILEGES])),
    // Given to vi.fn itself, so that restoreMocks brings it back after a test replaced it.
    inventorySnapshot: vi.fn<typeof actual.api.inventorySnapshot>(() => defaultSnapshot()),
    inventoryRefreshNow: vi.fn<typeof actual.api.inventoryRefreshNow>(() =>
      Promise.resolve({ connections: 0, requests: 0, failed: 0, tookMs: 0 }),
    ),
    windowVisibility: vi.fn<typeof actual.api.windowVisibility>(() => Promise.resolve(null)),
  };
  // Unless a test says otherwise, the engine's snapshot is what `connectionResources` answers
  // for each enabled PVE connection (so tests can keep mocking per connection).
  async function defaultSnapshot() {
    // The list's own implementation, so tests counting connectionsList calls see only the UI's.
    const list = (await api.connectionsList.getMockImplementation()?.()) ?? [];
    const out: Awaited<ReturnType<typeof actual.api.inventorySnapshot>> = [];
    for (const c of list.filter((c) => c.kind === "pve" && c.enabled)) {
      try {
        const resources = await api.connectionResources(c.id);
        out.push({ connectionId: c.id, resources, fetchedAt: new Date().toISOString(), stale: false, error: null });
      } catch (e) {
        out.push({ connectionId: c.id, resources: [], fetchedAt: null, stale: false, error: actual.toAppError(e).message });
      }
    }
    return out;
  }
  return {
    ...actual,
    isTauri: () => true,
    api,
    onSettingsChanged: vi.fn<typeof actual.onSettingsChanged>(() => () => {}),
    onConnectionsChanged: vi.fn<typeof actual.onConnectionsChanged>(() => () => {}),
    onHealthChanged: vi.fn<typeof actual.onHealthChanged>(() => () => {}),
    onInventoryChanged: vi.fn<typeof actual.onInventoryChanged>(() => () => {}),
    onTasksUpdated: vi.fn<typeof actual.onTasksUpdated>(() => () => {}),
  };
}
