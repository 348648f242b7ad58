// "Add a connection" and "Open demo datacenter", side by side, wherever the app is empty.
import { FlaskConical, Plus } from "lucide-react";
import { buttonClass } from "@/ui/button";
import { DisabledReason } from "@/ui/Tooltip";
import { addConnectionAction, openDemoAction, reasonIfDisabled } from "./firstRun";

/** "compact" splits a narrow pane into two equal columns; "regular" sizes to the labels. */
export function FirstRunActions({
  testIdPrefix,
  size = "regular",
}: {
  testIdPrefix: string;
  size?: "compact" | "regular";
}) {
  const compact = size === "compact";
  const container = compact ? "grid w-full grid-cols-2 gap-1.5" : "flex flex-wrap gap-2";
  const wrapper = compact ? "w-full" : "";
  const shape = compact ? "w-full min-h-8 px-2 py-1 leading-tight text-center" : "h-8 px-3.5";
  return (
    <div className={container}>
      <DisabledReason reason={reasonIfDisabled(addConnectionAction)} className={wrapper}>
        <button type="button" data-testid={`${testIdPrefix}-add-connection`} className={buttonClass("primary", shape)}>
          <Plus aria-hidden className="size-3.5 shrink-0" />
          Add a connection
        </button>
      </DisabledReason>
      <DisabledReason reason={reasonIfDisabled(openDemoAction)} className={wrapper}>
        <button type="button" data-testid={`${testIdPrefix}-open-demo`} className={buttonClass("secondary", shape)}>
          <FlaskConical aria-hidden className="size-3.5 shrink-0" />
          Open demo datacenter
        </button>
      </DisabledReason>
    </div>
  );
}
