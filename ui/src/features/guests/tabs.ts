// The contract between the guest page and its tabs (Summary, Hardware, Cloud-Init, Options,
// Snapshots): each tab gets the guest and whether actions are possible now.
import type { GuestRef } from "@/backend";

export type GuestTab = "summary" | "hardware" | "cloudinit" | "options" | "snapshots";

export interface GuestTabProps {
  guest: GuestRef;
  /** The guest's name (VM `name`, container `hostname`), when known. */
  name: string | null;
  /** `running`, `stopped`, `paused`… from the inventory. */
  status: string;
  template: boolean;
  /** Why no action can run now (the cluster is offline, stale data…); `null`: they can. */
  blockedReason: string | null;
}
