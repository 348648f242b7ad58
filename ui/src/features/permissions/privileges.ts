// Which privilege each guest action needs, and the sentence a disabled action shows.
//
// Each requirement is the `permissions.check` of the endpoint the action calls, read from
// the PVE 9.1 API schema (../shared/pve-api/pve-apidata.json, pve-docs 9.1.3). The cited
// endpoint is the qemu one; its lxc twin checks the same unless noted.

/** What an action needs: all of `privileges` (or one of them with `any`) on a path. */
export interface PrivilegeRequirement {
  readonly privileges: readonly string[];
  /** One privilege of the list is enough (PVE's `"any", 1`). */
  readonly any?: boolean;
  /** A fixed ACL path (HA is checked on `/`); otherwise the guest's `/vms/<vmid>`. */
  readonly path?: "/";
}

/** The guest actions the UI gates. `configure.<section>` are the config editor's sections. */
export type GuestAction =
  | "start"
  | "stop"
  | "shutdown"
  | "reboot"
  | "reset"
  | "suspend"
  | "resume"
  | "clone"
  | "configure"
  | "configure.cpu"
  | "configure.memory"
  | "configure.disk"
  | "configure.network"
  | "configure.options"
  | "configure.cloudinit"
  | "migrate"
  | "delete"
  | "snapshot"
  | "rollback"
  | "ha"
  | "agent"
  | "console";

const POWER: PrivilegeRequirement = { privileges: ["VM.PowerMgmt"] };

export const ACTION_PRIVILEGES: Readonly<Record<GuestAction, PrivilegeRequirement>> = {
  // POST /nodes/{node}/qemu/{vmid}/status/{start,stop,shutdown,reboot,reset,resume}:
  // ["perm", "/vms/{vmid}", ["VM.PowerMgmt"]].
  start: POWER,
  stop: POWER,
  shutdown: POWER,
  reboot: POWER,
  reset: POWER,
  // status/suspend: VM.PowerMgmt; with `todisk` also VM.Config.Disk and
  // Datastore.AllocateSpace on the state storage (the dialog asks for those itself).
  suspend: POWER,
  resume: POWER,
  // POST .../clone: ["and", ["perm", "/vms/{vmid}", ["VM.Clone"]], ["or", ["perm",
  // "/vms/{newid}", ["VM.Allocate"]], ["perm", "/pool/{pool}", ["VM.Allocate"]]]]. The new
  // id is not known before the dialog, so VM.Allocate is checked on the source guest's path:
  // the usual grants (on /vms, or on the guest's pool) reach both.
  clone: { privileges: ["VM.Clone", "VM.Allocate"] },
  // PUT/POST .../config: any of VM.Config.{Disk,CDROM,CPU,Memory,Network,HWType,Options,
  // Cloudinit} (lxc: Disk, CPU, Memory, Network, Options); each key then needs its own.
  configure: {
    privileges: [
      "VM.Config.Disk",
      "VM.Config.CDROM",
      "VM.Config.CPU",
      "VM.Config.Memory",
      "VM.Config.Network",
      "VM.Config.HWType",
      "VM.Config.Options",
      "VM.Config.Cloudinit",
    ],
    any: true,
  },
  // The per-key privileges PVE's config update checks (cores/sockets/cpu → CPU,
  // memory/balloon → Memory, scsi*/virtio*/resize → Disk, net* → Network, name/onboot/... →
  // Options, ci*/ipconfig* → Cloudinit; PUT .../cloudinit: ["VM.Config.Cloudinit"]).
  "configure.cpu": { privileges: ["VM.Config.CPU"] },
  "configure.memory": { privileges: ["VM.Config.Memory"] },
  "configure.disk": { privileges: ["VM.Config.Disk"] },
  "configure.network": { privileges: ["VM.Config.Network"] },
  "configure.options": { privileges: ["VM.Config.Options"] },
  "configure.cloudinit": { privileges: ["VM.Config.Cloudinit"] },
  // POST .../migrate: ["perm", "/vms/{vmid}", ["VM.Migrate"]].
  migrate: { privileges: ["VM.Migrate"] },
  // DELETE /nodes/{node}/qemu/{vmid}: ["perm", "/vms/{vmid}", ["VM.Allocate"]].
  delete: { privileges: ["VM.Allocate"] },
  // POST and DELETE .../snapshot[/{snapname}]: ["perm", "/vms/{vmid}", ["VM.Snapshot"]].
  snapshot: { privileges: ["VM.Snapshot"] },
  // POST .../snapshot/{snapname}/rollback: ["perm", "/vms/{vmid}", ["VM.Snapshot",
  // "VM.Snapshot.Rollback"], "any", 1]: either one will do.
  rollback: { privileges: ["VM.Snapshot", "VM.Snapshot.Rollback"], any: true },
  // POST/PUT/DELETE /cluster/ha/resources[/{sid}]: ["perm", "/", ["Sys.Console"]].
  ha: { privileges: ["Sys.Console"], path: "/" },
  // GET .../agent/network-get-interfaces (and get-osinfo, ping): ["perm", "/vms/{vmid}",
  // ["VM.GuestAgent.Audit", "VM.GuestAgent.Unrestricted"], "any", 1]. PVE 9 dropped
  // VM.Monitor; it is no longer a valid privilege name.
  agent: { privileges: ["VM.GuestAgent.Audit", "VM.GuestAgent.Unrestricted"], any: true },
  // POST .../vncproxy (and termproxy): ["perm", "/vms/{vmid}", ["VM.Console"]].
  console: { privileges: ["VM.Console"] },
};

/** A guest's ACL path. */
export function guestPath(vmid: number): string {
  return `/vms/${vmid}`;
}

/** "A", "A and B", "A, B and C" (with "or" for `word`). */
function list(names: readonly string[], word: "and" | "or"): string {
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} ${word} ${names[names.length - 1]}`;
}

/**
 * Why an action needing `needed` on `path` is not allowed with the `held` privileges, or
 * `null` when it is. With `any`, one of `needed` is enough. An empty `needed` is allowed.
 */
export function privilegeReason(
  held: Iterable<string>,
  needed: string | readonly string[],
  path: string,
  any = false,
): string | null {
  const names = typeof needed === "string" ? [needed] : [...needed];
  const have = new Set(held);
  if (names.length === 0) return null;
  if (any) {
    if (names.some((n) => have.has(n))) return null;
    const lacks = names.length === 1 ? "it" : names.length === 2 ? "neither" : "none of them";
    const verb = names.length === 1 ? "lacks" : "has";
    return `Needs ${list(names, "or")} on ${path} (this login ${verb} ${lacks})`;
  }
  const missing = names.filter((n) => !have.has(n));
  if (missing.length === 0) return null;
  const lacks =
    names.length === 1
      ? "it"
      : missing.length < names.length
        ? list(missing, "and")
        : names.length === 2
          ? "both"
          : "all of them";
  return `Needs ${list(names, "and")} on ${path} (this login lacks ${lacks})`;
}
