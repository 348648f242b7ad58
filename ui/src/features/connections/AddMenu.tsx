// The top bar's "+ Add" menu: the things an administrator can add to Proxdeck.
import * as Menu from "@radix-ui/react-dropdown-menu";
import { ChevronDown, FlaskConical, Plus, Server, X } from "lucide-react";
import { useRef, type ReactNode } from "react";
import { buttonClass } from "@/ui/button";
import { ErrorNotice } from "@/ui/ErrorNotice";
import { useConnectionDialogs } from "./ConnectionDialogs";
import { addConnectionAction, openDemoAction, reasonIfDisabled, type FirstRunAction } from "./firstRun";
import { useIsOpeningDemo, useOpenDemo } from "./queries";

function Item({
  action,
  icon,
  label,
  testId,
  onSelect,
}: {
  action: FirstRunAction;
  icon: ReactNode;
  label: string;
  testId?: string;
  onSelect?: () => void;
}) {
  const reason = reasonIfDisabled(action);
  return (
    <Menu.Item
      data-testid={testId}
      disabled={reason !== null || onSelect === undefined}
      onSelect={onSelect}
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
  const openDemo = useOpenDemo();
  const opening = useIsOpeningDemo();
  const dialogs = useConnectionDialogs();
  const trigger = useRef<HTMLButtonElement>(null);
  return (
    <>
      {/* Not modal: a modal menu injects a <style> element, which the app's CSP forbids. */}
      <Menu.Root modal={false}>
        <Menu.Trigger ref={trigger} data-testid="add-menu" className={buttonClass("primary", "h-7 px-2.5")}>
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
            <Item
              action={addConnectionAction}
              icon={<Server className="size-4" />}
              label="Connection (PVE or PBS)…"
              testId="add-menu-connection"
              onSelect={() => dialogs.openAdd(trigger.current)}
            />
            <Item
              action={openDemoAction}
              icon={<FlaskConical className="size-4" />}
              label={opening ? "Opening the demo datacenter…" : "Demo datacenter"}
              testId="add-menu-demo"
              onSelect={opening ? undefined : () => openDemo.mutate()}
            />
          </Menu.Content>
        </Menu.Portal>
      </Menu.Root>
      {openDemo.isError ? (
        // The menu is gone by the time the call fails, so the error stays below the top bar until dismissed.
        <div className="fixed top-12 right-3 z-50 w-80 shadow-xl">
          <ErrorNotice error={openDemo.error} title="Could not open the demo datacenter" />
          <button
            type="button"
            className={buttonClass("ghost", "absolute top-1.5 right-1.5 size-6")}
            aria-label="Dismiss"
            onClick={() => openDemo.reset()}
          >
            <X aria-hidden className="size-3.5" />
          </button>
        </div>
      ) : null}
    </>
  );
}
