// Which power actions a guest has now, and why the others are not available — the rules PVE
// applies before it starts a task (see proxdeck-sim's `power`), so a button is disabled
// with the reason instead of failing after a click.
import type { GuestType, PowerAction } from "@/backend";

export interface PowerTarget {
  kind: GuestType;
  vmid: number;
  name: string | null;
  status: string;
  template: boolean;
  lock: string | null;
}

export interface PowerActionInfo {
  action: PowerAction;
  label: string;
  /** Asked before it runs, in PVE's words where PVE asks. */
  confirm: string | null;
  /** In the toolbar itself; the others are under "More". */
  primary: boolean;
}

export const POWER_ACTIONS: readonly PowerActionInfo[] = [
  { action: "start", label: "Start", confirm: null, primary: true },
  { action: "shutdown", label: "Shutdown", confirm: "Shut down {guest}? The guest's OS is asked to power off.", primary: true },
  { action: "reboot", label: "Reboot", confirm: "Reboot {guest}? The guest's OS is asked to restart.", primary: true },
  {
    action: "stop",
    label: "Stop",
    confirm: "Stop {guest} now? This is like pulling the power plug: unsaved data in the guest is lost.",
    primary: true,
  },
  {
    action: "reset",
    label: "Reset",
    confirm: "Reset {guest}? This is like pressing the reset button: unsaved data in the guest is lost.",
    primary: false,
  },
  { action: "suspend", label: "Pause", confirm: null, primary: false },
  { action: "resume", label: "Resume", confirm: null, primary: false },
];

export const guestLabel = (t: Pick<PowerTarget, "kind" | "vmid" | "name">) =>
  `${t.kind === "lxc" ? "CT" : "VM"} ${t.vmid}${t.name ? ` (${t.name})` : ""}`;

export function confirmText(info: PowerActionInfo, target: PowerTarget): string | null {
  return info.confirm?.replace("{guest}", guestLabel(target)) ?? null;
}

/** Why `action` cannot run on `target` now, or `null` when it can. */
export function powerBlocked(action: PowerAction, target: PowerTarget): string | null {
  const noun = target.kind === "lxc" ? "container" : "VM";
  if (action === "reset" && target.kind === "lxc") return "Containers have no reset: use Reboot, or Stop and Start";
  if (target.template) return `A template does not run: clone it to get a ${noun} that does`;
  if (target.lock) return `The ${noun} is locked (${target.lock}): wait for that operation to end`;
  const running = target.status === "running";
  const paused = target.status === "paused";
  const stopped = target.status === "stopped";
  switch (action) {
    case "start":
      return stopped ? null : `The ${noun} is ${running ? "running" : target.status} already`;
    case "shutdown":
    case "reboot":
    case "stop":
    case "reset":
      return stopped ? `The ${noun} is not running` : null;
    case "suspend":
      return running ? null : paused ? `The ${noun} is paused already` : `The ${noun} is not running`;
    case "resume":
      return paused ? null : `The ${noun} is not paused`;
  }
}
