// The contract between the guest page and its tabs (Summary, Hardware, Cloud-Init, Options,
// Snapshots): each tab gets the guest and whether actions are possible now.
import type { GuestRef, GuestType } from "@/backend";

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

export const GUEST_TABS: readonly { id: GuestTab; label: string }[] = [
  { id: "summary", label: "Summary" },
  { id: "hardware", label: "Hardware" },
  { id: "cloudinit", label: "Cloud-Init" },
  { id: "options", label: "Options" },
  { id: "snapshots", label: "Snapshots" },
];

export function isGuestTab(value: unknown): value is GuestTab {
  return typeof value === "string" && GUEST_TABS.some((t) => t.id === value);
}

/** The tabs a guest of this kind has (Cloud-Init is for VMs only). */
export function tabsFor(kind: GuestType): readonly { id: GuestTab; label: string }[] {
  return GUEST_TABS.filter((t) => t.id !== "cloudinit" || kind === "qemu");
}

/** The guest route's search: the selected tab (`summary` when absent). */
export interface GuestSearch {
  tab?: GuestTab;
}

export function validateGuestSearch(search: Record<string, unknown>): GuestSearch {
  return isGuestTab(search.tab) && search.tab !== "summary" ? { tab: search.tab } : {};
}
