// "Add a connection" and "Open demo datacenter", side by side, wherever the app is empty.
import { useQuery } from "@tanstack/react-query";
import { FlaskConical, LoaderCircle, Plus } from "lucide-react";
import { buttonClass } from "@/ui/button";
import { ErrorNotice } from "@/ui/ErrorNotice";
import { DisabledReason } from "@/ui/Tooltip";
import { useConnectionDialogs } from "./ConnectionDialogs";
import { addConnectionAction, openDemoAction, reasonIfDisabled } from "./firstRun";
import { connectionsQuery, useIsOpeningDemo, useOpenDemo } from "./queries";

const DEMO_ALREADY_OPEN = "The demo datacenter is already open in the tree";

/** "compact" splits a narrow pane into two equal columns; "regular" sizes to the labels. */
export function FirstRunActions({
  testIdPrefix,
  size = "regular",
}: {
  testIdPrefix: string;
  size?: "compact" | "regular";
}) {
  const openDemo = useOpenDemo();
  const opening = useIsOpeningDemo();
  const dialogs = useConnectionDialogs();
  const { data: connections } = useQuery(connectionsQuery);
  const demoOpen = connections?.some((c) => c.demo) ?? false;
  const demoReason = reasonIfDisabled(openDemoAction) ?? (demoOpen ? DEMO_ALREADY_OPEN : null);

  const compact = size === "compact";
  const container = compact ? "grid w-full grid-cols-2 gap-1.5" : "flex flex-wrap gap-2";
  const wrapper = compact ? "w-full" : "";
  const shape = compact ? "w-full min-h-8 px-2 py-1 leading-tight text-center" : "h-8 px-3.5";
  return (
    <div className={compact ? "w-full" : ""}>
      <div className={container}>
        <DisabledReason reason={reasonIfDisabled(addConnectionAction)} className={wrapper}>
          <button
            type="button"
            data-testid={`${testIdPrefix}-add-connection`}
            className={buttonClass("primary", shape)}
            onClick={() => dialogs.openAdd()}
          >
            <Plus aria-hidden className="size-3.5 shrink-0" />
            Add a connection
          </button>
        </DisabledReason>
        <DisabledReason reason={demoReason} className={wrapper}>
          <button
            type="button"
            data-testid={`${testIdPrefix}-open-demo`}
            className={buttonClass("secondary", shape)}
            disabled={opening}
            aria-busy={opening}
            onClick={() => openDemo.mutate()}
          >
            {opening ? (
              <LoaderCircle aria-hidden className="size-3.5 shrink-0 animate-spin" />
            ) : (
              <FlaskConical aria-hidden className="size-3.5 shrink-0" />
            )}
            {opening ? "Opening demo…" : "Open demo datacenter"}
          </button>
        </DisabledReason>
      </div>
      {openDemo.isError ? (
        <div className="mt-3 text-left" data-testid={`${testIdPrefix}-open-demo-error`}>
          <ErrorNotice error={openDemo.error} title="Could not open the demo datacenter" />
        </div>
      ) : null}
    </div>
  );
}
