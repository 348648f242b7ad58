// The order of a cluster's nodes in the tree: the ones put in order come first, the others
// follow alphabetically. Up and down move a node; focus stays on the moved node's button.
import { ArrowDown, ArrowUp, Plus, X } from "lucide-react";
import { useEffect, useRef } from "react";
import { buttonClass } from "@/ui/button";
import { move, nodeDisplayOrder } from "./connectionForm";

const iconButton = buttonClass("ghost", "size-6 shrink-0");

export function NodeOrderEditor({
  nodeOrder,
  known,
  onChange,
  labelledBy,
}: {
  nodeOrder: string[];
  /** The cluster's nodes from the last test (empty before one). */
  known: string[];
  onChange: (next: string[]) => void;
  labelledBy: string;
}) {
  const { ordered, others } = nodeDisplayOrder(nodeOrder, known);
  const buttons = useRef(new Map<string, HTMLButtonElement>());
  const refocus = useRef<string[] | null>(null);

  useEffect(() => {
    // After a move the button may be disabled (top or bottom) or gone: try the candidates in turn.
    const candidates = refocus.current;
    if (!candidates) return;
    refocus.current = null;
    for (const key of candidates) {
      const el = buttons.current.get(key);
      if (el && !el.disabled) {
        el.focus();
        return;
      }
    }
  });

  const register = (key: string) => (el: HTMLButtonElement | null) => {
    if (el) buttons.current.set(key, el);
    else buttons.current.delete(key);
  };

  const change = (next: string[], focus: string[]) => {
    refocus.current = focus;
    onChange(next);
  };

  return (
    <div className="space-y-2" data-testid="node-order">
      <p className="text-xs leading-4 text-muted">
        Nodes in this list appear first in the tree, in this order; all other nodes follow alphabetically.
        {known.length === 0 ? " Test the connection to list the cluster's nodes." : null}
      </p>
      {ordered.length > 0 ? (
        <ol aria-labelledby={labelledBy} className="divide-y divide-line rounded border border-line bg-surface">
          {ordered.map((node, i) => (
            <li key={node} data-testid={`node-order-item-${node}`} className="flex h-7 items-center gap-1 pr-1 pl-2">
              <span className="w-5 text-xs text-faint tabular-nums">{i + 1}.</span>
              <span className="min-w-0 flex-1 truncate text-sm">{node}</span>
              <button
                type="button"
                ref={register(`up-${node}`)}
                data-testid={`node-order-up-${node}`}
                aria-label={`Move ${node} up`}
                title="Move up"
                className={iconButton}
                disabled={i === 0}
                onClick={() => change(move(nodeOrder, i, -1), [`up-${node}`, `down-${node}`])}
              >
                <ArrowUp aria-hidden className="size-3.5" />
              </button>
              <button
                type="button"
                ref={register(`down-${node}`)}
                data-testid={`node-order-down-${node}`}
                aria-label={`Move ${node} down`}
                title="Move down"
                className={iconButton}
                disabled={i === ordered.length - 1}
                onClick={() => change(move(nodeOrder, i, 1), [`down-${node}`, `up-${node}`])}
              >
                <ArrowDown aria-hidden className="size-3.5" />
              </button>
              <button
                type="button"
                data-testid={`node-order-remove-${node}`}
                aria-label={`Take ${node} out of the order`}
                title="Back to alphabetical"
                className={iconButton}
                onClick={() => {
                  const next = ordered[i + 1] ?? ordered[i - 1];
                  change(
                    nodeOrder.filter((n) => n !== node),
                    next ? [`up-${next}`, `down-${next}`, `add-${node}`] : [`add-${node}`],
                  );
                }}
              >
                <X aria-hidden className="size-3.5" />
              </button>
            </li>
          ))}
        </ol>
      ) : null}
      {others.length > 0 ? (
        <div>
          <p className="mb-1 text-xs text-muted">
            {ordered.length > 0 ? "Then, alphabetically:" : "Alphabetically (no order set):"}
          </p>
          <ul className="flex flex-wrap gap-1">
            {others.map((node) => (
              <li key={node}>
                <button
                  type="button"
                  ref={register(`add-${node}`)}
                  data-testid={`node-order-add-${node}`}
                  aria-label={`Put ${node} in the order`}
                  className={buttonClass("secondary", "h-6 px-1.5 text-xs font-normal")}
                  onClick={() => change([...nodeOrder, node], [`down-${node}`, `up-${node}`])}
                >
                  <Plus aria-hidden className="size-3" />
                  {node}
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
