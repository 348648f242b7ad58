// One facet of the guest table (cluster, node, status…) as a compact multi-select: a button
// that says how many values are chosen, and a menu of the values with their row counts.
import * as Menu from "@radix-ui/react-dropdown-menu";
import { Check, ChevronDown } from "lucide-react";
import { buttonClass } from "@/ui/button";
import type { FacetCount, FacetName } from "./guestRows";

export const FACET_LABEL: Record<FacetName, string> = {
  cluster: "Cluster",
  node: "Node",
  status: "Status",
  type: "Type",
  tag: "Tag",
  pool: "Pool",
};

/** How a facet value reads: the guest types as PVE names them. */
export function facetValueLabel(facet: FacetName, value: string): string {
  if (facet === "type") return value === "lxc" ? "Container (lxc)" : "VM (qemu)";
  return value;
}

export function FacetMenu({
  facet,
  counts,
  chosen,
  onChange,
}: {
  facet: FacetName;
  counts: FacetCount[];
  chosen: ReadonlySet<string>;
  onChange: (next: ReadonlySet<string>) => void;
}) {
  const label = FACET_LABEL[facet];
  const toggle = (value: string) => {
    const next = new Set(chosen);
    if (next.has(value)) next.delete(value);
    else next.add(value);
    onChange(next);
  };
  return (
    <Menu.Root modal={false}>
      <Menu.Trigger
        data-testid={`facet-${facet}`}
        data-chosen={chosen.size}
        aria-label={chosen.size > 0 ? `${label}: ${[...chosen].join(", ")}` : `${label}: all`}
        className={buttonClass(
          "secondary",
          `h-6 gap-1 px-2 text-sm font-normal ${chosen.size > 0 ? "border-accent text-accent" : ""}`,
        )}
      >
        {label}
        {chosen.size > 0 ? (
          <span className="rounded bg-accent px-1 text-2xs leading-4 font-medium text-accent-fg">{chosen.size}</span>
        ) : null}
        <ChevronDown aria-hidden className="size-3 opacity-70" />
      </Menu.Trigger>
      <Menu.Portal>
        <Menu.Content
          align="start"
          sideOffset={4}
          data-testid={`facet-${facet}-menu`}
          className="z-50 max-h-80 min-w-44 overflow-auto rounded-md border border-line-strong bg-surface p-1 text-sm text-fg shadow-xl"
        >
          {counts.length === 0 ? <p className="px-2 py-1 text-muted">No values</p> : null}
          {counts.map(({ value, count }) => (
            <Menu.CheckboxItem
              key={value}
              data-testid={`facet-${facet}-${value}`}
              checked={chosen.has(value)}
              onSelect={(e) => {
                e.preventDefault();
                toggle(value);
              }}
              className="flex h-6 cursor-default items-center gap-2 rounded pr-2 pl-1.5 outline-none data-[highlighted]:bg-accent-soft"
            >
              <span className="inline-flex size-3.5 shrink-0 items-center justify-center rounded-sm border border-line-strong">
                <Menu.ItemIndicator>
                  <Check aria-hidden className="size-3 text-accent" />
                </Menu.ItemIndicator>
              </span>
              <span className="min-w-0 flex-1 truncate">{facetValueLabel(facet, value)}</span>
              <span className={`shrink-0 tabular-nums ${count === 0 ? "text-faint" : "text-muted"}`}>{count}</span>
            </Menu.CheckboxItem>
          ))}
          {chosen.size > 0 ? (
            <>
              <Menu.Separator className="my-1 h-px bg-line" />
              <Menu.Item
                data-testid={`facet-${facet}-clear`}
                onSelect={() => onChange(new Set())}
                className="flex h-6 cursor-default items-center rounded px-2 text-muted outline-none data-[highlighted]:bg-accent-soft data-[highlighted]:text-fg"
              >
                Show all
              </Menu.Item>
            </>
          ) : null}
        </Menu.Content>
      </Menu.Portal>
    </Menu.Root>
  );
}
