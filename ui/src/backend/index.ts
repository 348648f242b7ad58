// The one door from the UI to the Rust back end. Features import "@/backend" only
// (an ESLint rule enforces it), so the generated bindings can change shape in one place
// and tests can replace the whole back end with a single vi.mock("@/backend").
import {
  commands,
  events,
  type AccessType,
  type AppInfo,
  type CertificateInfo,
  type ConnectionInput_Serialize,
  type ConnectionKind,
  type Connection_Serialize,
  type CreatedToken,
  type ErrorCode,
  type FeatureMatrix_Serialize,
  type Feature_Serialize,
  type HealthChange_Serialize,
  type Health_Serialize,
  type NodeReach_Serialize,
  type RemoveReport_Serialize,
  type Resource_Serialize,
  type Settings,
  type SettingsChanged,
  type TestReport_Serialize,
  type TokenWizardInput_Serialize,
  type WizardChoices,
  type BackupGroup_Serialize,
  type Coverage_Serialize,
  type CoverageRow_Serialize,
  type CoverageFailure,
  type Datastore_Serialize,
  type GcInfo_Serialize,
  type LogLine,
  type Snapshot_Serialize,
  type TaskEntry_Serialize,
  type TaskFailure,
  type TaskList_Serialize,
  type TaskLog_Serialize,
  type TaskLog_Deserialize,
  type ClusterSummary_Serialize,
  type GuestSummary_Serialize,
  type GuestInterface_Serialize,
  type GuestType,
  type NodeStatus,
  type RrdCf,
  type RrdPoint,
  type RrdTarget,
  type RrdTimeframe,
  type StorageStatus,
  type ConnectionInventory_Serialize,
  type InventoryDelta_Serialize,
  type RefreshReport,
  type PowerAction,
  type TrackedTask_Serialize,
  type GuestRef,
  type BulkOutcome_Serialize,
  type CloneOptions_Serialize,
  type StorageChoice_Serialize,
  type GuestConfig_Serialize,
  type ConfigEntry_Serialize,
  type MigrateOptions_Serialize,
  type MigrateTarget_Serialize,
  type HaResource_Serialize,
  type HaSettings_Serialize,
  type CloudInitConfig_Serialize,
  type GuestIps_Serialize,
  type GuestSnapshot_Serialize,
  type CloneInput_Deserialize,
  type HaSettings_Deserialize,
  type CloudInitInput_Deserialize,
  type ConfigChange,
  type DiskResize,
  type DeleteInput,
  type SnapshotInput,
  type HaState,
  type AgentState,
} from "./bindings";
import { Channel } from "@tauri-apps/api/core";

export type {
  AccessType,
  AppInfo,
  CertificateInfo,
  ConnectionKind,
  CreatedToken,
  ErrorCode,
  FeatureKey,
  GuestOrder,
  HealthState,
  Settings,
  SettingsChanged,
  Theme,
  TokenProfile,
  WizardChoices,
} from "./bindings";

/** One connection's last known resources, as the refresh engine holds them. */
export type ConnectionInventory = ConnectionInventory_Serialize;

/** What changed in one connection's inventory: applied to the cached snapshot. */
export type InventoryDelta = InventoryDelta_Serialize;

export type { RefreshReport };

/** A power action of a guest (`status/{action}`). */
export type { PowerAction };

/** A task started from Proxdeck, followed to its end (the `tasksUpdated` event). */
export type TrackedTask = TrackedTask_Serialize;

/** One guest of a bulk action, and what the action did to it. */
export type { GuestRef };
export type BulkOutcome = BulkOutcome_Serialize;

/** The guest actions beyond power (clone, configuration, delete, migrate, HA, cloud-init, addresses, snapshots). */
export type CloneOptions = CloneOptions_Serialize;
export type CloneInput = CloneInput_Deserialize;
export type StorageChoice = StorageChoice_Serialize;
/** A guest's configuration with its pending changes (PVE's `/pending`) and its digest. */
export type GuestConfig = GuestConfig_Serialize;
export type ConfigEntry = ConfigEntry_Serialize;
export type { ConfigChange, DiskResize, DeleteInput, SnapshotInput, HaState, AgentState };
export type MigrateOptions = MigrateOptions_Serialize;
export type MigrateTarget = MigrateTarget_Serialize;
export type HaResource = HaResource_Serialize;
export type HaSettings = HaSettings_Serialize & HaSettings_Deserialize;
export type CloudInitConfig = CloudInitConfig_Serialize;
/** Cloud-init edit: `password` goes to the cluster once and is never stored by Proxdeck. */
export type CloudInitInput = CloudInitInput_Deserialize;
/** A guest's addresses from its agent, or why there are none (`state`). */
export type GuestIps = GuestIps_Serialize;
export type GuestSnapshot = GuestSnapshot_Serialize;

/** A connection as the UI receives it (never carries a secret). */
export type Connection = Connection_Serialize;

/** What the add / edit form sends; the only way secrets travel (inward). */
export type ConnectionInput = ConnectionInput_Serialize;

/** A connection's health as the UI receives it. */
export type Health = Health_Serialize;

/** The `healthChanged` event's payload: a connection moved from one health state to another. */
export type HealthChange = HealthChange_Serialize;

/** What "Test connection" found. */
export type TestReport = TestReport_Serialize;

/** One node URL of a test and whether it answered. */
export type NodeReach = NodeReach_Serialize;

/** What each feature needs from the access type. */
export type FeatureMatrix = FeatureMatrix_Serialize;
export type Feature = Feature_Serialize;

/** What removing a connection did. */
export type RemoveReport = RemoveReport_Serialize;

/** The token wizard's form; the admin password is used for one call only. */
export type TokenWizardInput = TokenWizardInput_Serialize;

/** One entry of a PVE cluster's `/cluster/resources`, as the UI receives it. */
export type Resource = Resource_Serialize;

/** Recent tasks of all clusters, and the clusters whose tasks could not be read. */
export type TaskList = TaskList_Serialize;
/** One task of the task bar. */
export type TaskEntry = TaskEntry_Serialize;
export type { TaskFailure, LogLine, CoverageFailure };
/** A page of a task's log. */
export type TaskLog = TaskLog_Serialize;

/** A Backup Server datastore with usage, estimated full date and GC state. */
export type Datastore = Datastore_Serialize;
export type GcInfo = GcInfo_Serialize;
/** A backup group (one guest or host) of a datastore, with its snapshots. */
export type BackupGroup = BackupGroup_Serialize;
export type BackupSnapshot = Snapshot_Serialize;
/** Every PVE guest and its newest backup. */
export type Coverage = Coverage_Serialize;
export type CoverageRow = CoverageRow_Serialize;

/** The summary pages' reads (see proxdeck_core::monitor). */
export type ClusterSummary = ClusterSummary_Serialize;
export type GuestSummary = GuestSummary_Serialize;
export type GuestInterface = GuestInterface_Serialize;
export type { GuestType, NodeStatus, RrdCf, RrdPoint, RrdTarget, RrdTimeframe, StorageStatus };

/** The error every command returns, as the UI receives it. */
export interface AppError {
  code: ErrorCode;
  message: string;
  detail: string | null;
  /** Per-field messages for a form (`Invalid`), keyed by the input's camelCase field names. */
  fields: Record<string, string>;
}

/** An AppError as code builds one: `fields` may be left out when there are none. */
export interface AppErrorInit {
  code: ErrorCode;
  message: string;
  detail?: string | null;
  fields?: Record<string, string> | null;
}

function normalizeAppError(init: AppErrorInit): AppError {
  return { code: init.code, message: init.message, detail: init.detail ?? null, fields: { ...(init.fields ?? {}) } };
}

export type Result<T, E = AppError> = { status: "ok"; data: T } | { status: "error"; error: E };

/** An AppError from the back end, thrown so TanStack Query sees a failure. */
export class AppErrorException extends Error {
  readonly appError: AppError;

  constructor(appError: AppErrorInit) {
    super(appError.message);
    this.name = "AppErrorException";
    this.appError = normalizeAppError(appError);
  }

  get code(): ErrorCode {
    return this.appError.code;
  }
}

declare global {
  interface Window {
    __TAURI_INTERNALS__?: unknown;
  }
}

/** True inside the Proxdeck window; false in a plain browser or under vitest. */
export function isTauri(): boolean {
  return typeof window !== "undefined" && window.__TAURI_INTERNALS__ !== undefined;
}

export function unwrap<T>(result: Result<T, AppErrorInit>): T {
  if (result.status === "ok") return result.data;
  throw new AppErrorException(result.error);
}

function isAppError(value: unknown): value is AppErrorInit {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { code?: unknown }).code === "string" &&
    typeof (value as { message?: unknown }).message === "string"
  );
}

/** Turns anything a failed call may throw into an AppError the UI can show. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppErrorException) return error.appError;
  if (isAppError(error)) return normalizeAppError(error);
  const detail = error instanceof Error ? error.message : String(error);
  return { code: "Internal", message: "The back end call failed unexpectedly.", detail, fields: {} };
}

const OUTSIDE_APP: AppError = {
  code: "Internal",
  message: "The Proxdeck back end is not available: this page is running outside the desktop app.",
  detail: null,
  fields: {},
};

async function call<T>(run: () => Promise<Result<T, AppErrorInit>>): Promise<T> {
  if (!isTauri()) throw new AppErrorException(OUTSIDE_APP);
  let result: Result<T, AppErrorInit>;
  try {
    result = await run();
  } catch (error) {
    throw new AppErrorException(toAppError(error));
  }
  return unwrap(result);
}

/** For the few commands that cannot fail in Rust (no Result): only IPC itself can. */
async function callInfallible<T>(run: () => Promise<T>): Promise<T> {
  if (!isTauri()) throw new AppErrorException(OUTSIDE_APP);
  try {
    return await run();
  } catch (error) {
    throw new AppErrorException(toAppError(error));
  }
}

export const api = {
  appInfo: (): Promise<AppInfo> => call(() => commands.appInfo()),
  settingsGet: (): Promise<Settings> => call(() => commands.settingsGet()),
  settingsSet: (settings: Settings): Promise<Settings> => call(() => commands.settingsSet(settings)),
  connectionsList: (): Promise<Connection[]> => call(() => commands.connectionsList()),
  demoOpen: (): Promise<Connection[]> => call(() => commands.demoOpen()),
  demoClose: (): Promise<null> => call(() => commands.demoClose()),
  demoOutage: (id: string, down: boolean): Promise<Connection> => call(() => commands.demoOutage(id, down)),
  connectionResources: (id: string): Promise<Resource[]> => call(() => commands.connectionResources(id)),
  connectionAdd: (input: ConnectionInput): Promise<Connection> => call(() => commands.connectionAdd(input)),
  connectionUpdate: (id: string, input: ConnectionInput): Promise<Connection> =>
    call(() => commands.connectionUpdate(id, input)),
  connectionRemove: (id: string, deleteToken: boolean): Promise<RemoveReport> =>
    call(() => commands.connectionRemove(id, deleteToken)),
  connectionSetEnabled: (id: string, enabled: boolean): Promise<Connection> =>
    call(() => commands.connectionSetEnabled(id, enabled)),
  connectionTest: (input: ConnectionInput, existingId: string | null): Promise<TestReport> =>
    call(() => commands.connectionTest(input, existingId)),
  certificateProbe: (url: string): Promise<CertificateInfo> => call(() => commands.certificateProbe(url)),
  connectionFeatures: (
    kind: ConnectionKind,
    access: AccessType,
    username: string,
    pveVersion: string | null,
  ): Promise<FeatureMatrix> =>
    callInfallible(() => commands.connectionFeatures(kind, access, username, pveVersion)),
  tokenWizardChoices: (input: TokenWizardInput): Promise<WizardChoices> =>
    call(() => commands.tokenWizardChoices(input)),
  tokenCreate: (input: TokenWizardInput): Promise<CreatedToken> => call(() => commands.tokenCreate(input)),
  connectionCheck: (id: string): Promise<Health> => call(() => commands.connectionCheck(id)),
  monitorClusterSummary: (conn: string): Promise<ClusterSummary> => call(() => commands.monitorClusterSummary(conn)),
  monitorNodeStatus: (conn: string, node: string): Promise<NodeStatus> =>
    call(() => commands.monitorNodeStatus(conn, node)),
  monitorGuestSummary: (conn: string, node: string, kind: GuestType, vmid: number): Promise<GuestSummary> =>
    call(() => commands.monitorGuestSummary(conn, node, kind, vmid)),
  monitorStorageStatus: (conn: string, node: string, storage: string): Promise<StorageStatus> =>
    call(() => commands.monitorStorageStatus(conn, node, storage)),
  monitorRrd: (conn: string, target: RrdTarget, timeframe: RrdTimeframe, cf: RrdCf): Promise<RrdPoint[]> =>
    call(() => commands.monitorRrd(conn, target, timeframe, cf)),
  tasksRecent: (limit: number): Promise<TaskList> => call(() => commands.tasksRecent(limit)),
  taskLog: (connectionId: string, node: string, upid: string, start: number): Promise<TaskLog> =>
    call(() => commands.taskLog(connectionId, node, upid, start)),
  /**
   * Streams a task's log over a Tauri channel: `onPage` gets each page of new lines as the
   * task writes them, the last with the exit status. `done` settles when the task ended (or
   * the stream failed); `stop()` ends only the local wait, never the task.
   */
  taskLogFollow: (
    connectionId: string,
    node: string,
    upid: string,
    onPage: (page: TaskLog) => void,
  ): { done: Promise<null>; stop: () => void } => {
    const followId = `log-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
    if (!isTauri()) return { done: Promise.reject(new AppErrorException(OUTSIDE_APP)), stop: () => {} };
    // The generated binding types a channel's payload in its input form (optional fields).
    const channel = new Channel<TaskLog_Deserialize>();
    channel.onmessage = (page) => onPage({ ...page, exitstatus: page.exitstatus ?? null });
    const done = call(() => commands.taskLogFollow(connectionId, node, upid, followId, channel));
    return {
      done,
      stop: () => {
        void commands.taskLogUnfollow(followId).catch(() => undefined);
      },
    };
  },
  taskStop: (connectionId: string, node: string, upid: string): Promise<null> =>
    call(() => commands.taskStop(connectionId, node, upid)),
  guestPower: (
    connectionId: string,
    node: string,
    kind: GuestType,
    vmid: number,
    action: PowerAction,
  ): Promise<TrackedTask> => call(() => commands.guestPower(connectionId, node, kind, vmid, action)),
  guestsPowerMany: (guests: GuestRef[], action: PowerAction): Promise<BulkOutcome[]> =>
    call(() => commands.guestsPowerMany(guests, action)),
  guestCloneOptions: (guest: GuestRef): Promise<CloneOptions> => call(() => commands.guestCloneOptions(guest)),
  guestClone: (guest: GuestRef, input: CloneInput): Promise<TrackedTask> => call(() => commands.guestClone(guest, input)),
  guestStorages: (connectionId: string, node: string, kind: GuestType): Promise<StorageChoice[]> =>
    call(() => commands.guestStorages(connectionId, node, kind)),
  /** Resolves when the VMID is free; rejects with an `Invalid` error on field `newid` when taken. */
  guestCheckVmid: (connectionId: string, vmid: number): Promise<null> =>
    call(() => commands.guestCheckVmid(connectionId, vmid)),
  guestConfig: (guest: GuestRef): Promise<GuestConfig> => call(() => commands.guestConfig(guest)),
  /** Rejects with code `Conflict` when the config changed elsewhere since `change.digest`. */
  guestConfigUpdate: (guest: GuestRef, change: ConfigChange): Promise<GuestConfig> =>
    call(() => commands.guestConfigUpdate(guest, change)),
  guestDiskResize: (guest: GuestRef, resize: DiskResize): Promise<TrackedTask> =>
    call(() => commands.guestDiskResize(guest, resize)),
  guestDelete: (guest: GuestRef, input: DeleteInput): Promise<TrackedTask> => call(() => commands.guestDelete(guest, input)),
  guestMigrateOptions: (guest: GuestRef): Promise<MigrateOptions> => call(() => commands.guestMigrateOptions(guest)),
  guestMigrate: (guest: GuestRef, target: string): Promise<TrackedTask> => call(() => commands.guestMigrate(guest, target)),
  guestHa: (guest: GuestRef): Promise<HaResource | null> => call(() => commands.guestHa(guest)),
  guestHaSet: (guest: GuestRef, settings: HaSettings): Promise<HaResource | null> =>
    call(() => commands.guestHaSet(guest, settings)),
  guestHaRemove: (guest: GuestRef): Promise<null> => call(() => commands.guestHaRemove(guest)),
  guestCloudinit: (guest: GuestRef): Promise<CloudInitConfig> => call(() => commands.guestCloudinit(guest)),
  guestCloudinitSet: (guest: GuestRef, input: CloudInitInput): Promise<CloudInitConfig> =>
    call(() => commands.guestCloudinitSet(guest, input)),
  guestCloudinitRegenerate: (guest: GuestRef): Promise<CloudInitConfig> =>
    call(() => commands.guestCloudinitRegenerate(guest)),
  guestIps: (guest: GuestRef): Promise<GuestIps> => call(() => commands.guestIps(guest)),
  /** Every guest's last-known addresses (polled in Rust every 3 min for running guests). */
  guestIpsKnown: (): Promise<GuestIps[]> => call(() => commands.guestIpsKnown()),
  guestSnapshots: (guest: GuestRef): Promise<GuestSnapshot[]> => call(() => commands.guestSnapshots(guest)),
  guestSnapshotCreate: (guest: GuestRef, input: SnapshotInput): Promise<TrackedTask> =>
    call(() => commands.guestSnapshotCreate(guest, input)),
  guestSnapshotRollback: (guest: GuestRef, name: string, start: boolean): Promise<TrackedTask> =>
    call(() => commands.guestSnapshotRollback(guest, name, start)),
  guestSnapshotDelete: (guest: GuestRef, name: string): Promise<TrackedTask> =>
    call(() => commands.guestSnapshotDelete(guest, name)),
  pbsDatastores: (connectionId: string): Promise<Datastore[]> => call(() => commands.pbsDatastores(connectionId)),
  pbsSnapshots: (connectionId: string, store: string): Promise<BackupGroup[]> =>
    call(() => commands.pbsSnapshots(connectionId, store)),
  backupCoverage: (days: number): Promise<Coverage> => call(() => commands.backupCoverage(days)),
  /** The privileges the connection's login holds on an ACL path (`/vms/100`, `/`); cached a minute in Rust. */
  permissionsOn: (connectionId: string, path: string): Promise<string[]> =>
    call(() => commands.permissionsOn(connectionId, path)),
  inventorySnapshot: (): Promise<ConnectionInventory[]> => call(() => commands.inventorySnapshot()),
  inventoryRefreshNow: (): Promise<RefreshReport> => call(() => commands.inventoryRefreshNow()),
  windowVisibility: (visible: boolean): Promise<null> => call(() => commands.windowVisibility(visible)),
};

type Unlisten = () => void;

/**
 * Listens to a back end event. Returns an unsubscribe function that is safe to call at any
 * time, even before the underlying listener is registered or when running outside Tauri.
 */
function subscribe<T>(
  event: { listen: (cb: (event: { payload: T }) => void) => Promise<Unlisten> },
  what: string,
  cb: (payload: T) => void,
): Unlisten {
  if (!isTauri()) return () => {};
  let unlisten: Unlisten | null = null;
  let cancelled = false;
  event
    .listen((e) => cb(e.payload))
    .then((fn) => {
      // Tauri's unlisten is async; a failure there must not become an unhandled rejection.
      const stop = () => {
        Promise.resolve(fn() as unknown).catch((error: unknown) => {
          console.warn(`Could not stop listening for ${what}`, error);
        });
      };
      if (cancelled) stop();
      else unlisten = stop;
    })
    .catch((error: unknown) => {
      console.warn(`Could not listen for ${what}`, error);
    });
  return () => {
    cancelled = true;
    unlisten?.();
  };
}

/** Subscribes to settings changes made elsewhere (another window, the back end). */
export function onSettingsChanged(cb: (settings: SettingsChanged) => void): Unlisten {
  return subscribe(events.settingsChanged, "settings changes", cb);
}

/** A connection was added, changed, enabled, disabled or removed: the list is stale. */
export function onConnectionsChanged(cb: () => void): Unlisten {
  return subscribe(events.connectionsChanged, "connection changes", () => cb());
}

/** A connection's inventory changed (or went stale): apply the delta. */
export function onInventoryChanged(cb: (delta: InventoryDelta) => void): Unlisten {
  return subscribe(events.inventoryChanged, "inventory changes", (payload) =>
    cb({ ...payload, fetchedAt: payload.fetchedAt ?? null, error: payload.error ?? null }),
  );
}

/**
 * Tasks started from Proxdeck began or ended: one task alone and at once, a burst (a bulk
 * action) gathered into lists, each task once in its latest state.
 */
export function onTasksUpdated(cb: (tasks: TrackedTask[]) => void): Unlisten {
  return subscribe(events.tasksUpdated, "task updates", (payload) =>
    cb(payload.map((t) => ({ ...t, exitstatus: t.exitstatus ?? null, durationMs: t.durationMs ?? null }))),
  );
}

/** A connection's health moved from one state to another. */
export function onHealthChanged(cb: (change: HealthChange) => void): Unlisten {
  return subscribe(events.healthChanged, "health changes", (payload) =>
    cb({ ...payload, previousSince: payload.previousSince ?? null, message: payload.message ?? null }),
  );
}
