// The "where am I" line at the top of the main pane.
import { Link } from "@tanstack/react-router";
import { ChevronRight } from "lucide-react";
import { Fragment } from "react";

export interface Crumb {
  label: string;
  /** Route to go back to; the last crumb (the current page) has none. */
  to?: "/" | "/settings";
}

export function Breadcrumbs({ items }: { items: Crumb[] }) {
  return (
    <nav aria-label="Breadcrumb" className="flex h-9 shrink-0 items-center border-b border-line bg-surface px-4">
      <ol className="flex items-center gap-1 text-sm">
        {items.map((item, i) => (
          <Fragment key={item.label}>
            {i > 0 ? <ChevronRight aria-hidden className="size-3.5 text-faint" /> : null}
            <li>
              {item.to ? (
                <Link to={item.to} className="rounded px-0.5 text-muted hover:text-accent hover:underline">
                  {item.label}
                </Link>
              ) : (
                <span aria-current="page" className="px-0.5 font-medium">
                  {item.label}
                </span>
              )}
            </li>
          </Fragment>
        ))}
      </ol>
    </nav>
  );
}
