// The top bar: product mark, global search, "+ Add" and the gear to the admin area.
import { Link } from "@tanstack/react-router";
import { Settings } from "lucide-react";
import { AddMenu } from "@/features/connections/AddMenu";
import { buttonClass } from "@/ui/button";
import { Tooltip } from "@/ui/Tooltip";
import { GlobalSearch } from "./GlobalSearch";

function LogoMark() {
  return (
    <svg viewBox="0 0 20 20" aria-hidden className="size-5">
      <rect width="20" height="20" rx="4" className="fill-accent" />
      <path d="M5 5.5h6.2a3.3 3.3 0 0 1 0 6.6H8.2V15H5z" className="fill-accent-fg" />
      <path d="M8.2 8.1h2.8a.75.75 0 0 1 0 1.5H8.2z" className="fill-accent" />
    </svg>
  );
}

export function TopBar() {
  return (
    <header className="flex h-11 shrink-0 items-center gap-4 border-b border-line bg-surface px-3">
      <Link to="/" className="flex shrink-0 items-center gap-2 rounded pr-1" aria-label="Proxdeck — datacenter">
        <LogoMark />
        <span className="text-[15px] font-semibold tracking-tight">Proxdeck</span>
      </Link>
      <div className="flex flex-1 justify-center">
        <GlobalSearch />
      </div>
      <div className="flex shrink-0 items-center gap-1.5">
        <AddMenu />
        <Tooltip content="Settings">
          <Link
            to="/settings"
            data-testid="open-settings"
            aria-label="Settings"
            className={buttonClass("ghost", "size-7 [&.active]:bg-accent-soft [&.active]:text-accent")}
          >
            <Settings aria-hidden className="size-4" />
          </Link>
        </Tooltip>
      </div>
    </header>
  );
}
