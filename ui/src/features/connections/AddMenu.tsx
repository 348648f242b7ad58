// The top bar's "+ Add" menu: the things an administrator can add to Proxdeck.
import * as Menu from "@radix-ui/react-dropdown-menu";
import { ChevronDown, FlaskConical, Plus, Server } from "lucide-react";
import type { ReactNode } from "react";
import { buttonClass } from "@/ui/button";
import { addConnectionAction, openDemoAction, reasonIfDisabled, type FirstRunAction } from "./firstRun";

function Item({ action, icon, label }: { action: FirstRunAction; icon: ReactNode; label: string }) {
  const reason = reasonIfDisabled(action);
  return (
    <Menu.Item
      disabled={reason !== null}
      className="flex cursor-default gap-2 rounded px-2 py-1.5 outline-none data-[disabled]:opacity-70 data-[highlighted]:bg-accent-soft"
    >
      <span className="mt-0.5 text-muted">{icon}</span>
      <span className="flex flex-col">
        <span className="font-medium">{label}</span>
        {reason ? <span className="text-xs text-muted">{reason}</span> : null}
      </span>
    </Menu.Item>
  );
}

export function AddMenu() {
  return (
    // Not modal: a modal menu injects a <style> element, which the app's CSP forbids.
    <Menu.Root modal={false}>
      <Menu.Trigger className={buttonClass("primary", "h-7 px-2.5")}>
        <Plus aria-hidden className="size-3.5" />
        Add
        <ChevronDown aria-hidden className="size-3 opacity-80" />
      </Menu.Trigger>
      <Menu.Portal>
        <Menu.Content
          align="end"
          sideOffset={6}
          className="z-50 w-72 rounded-md border border-line-strong bg-surface p-1 text-fg shadow-xl"
        >
          <Item action={addConnectionAction} icon={<Server className="size-4" />} label="Connection (PVE or PBS)…" />
          <Item action={openDemoAction} icon={<FlaskConical className="size-4" />} label="Demo datacenter" />
        </Menu.Content>
      </Menu.Portal>
    </Menu.Root>
  );
}
