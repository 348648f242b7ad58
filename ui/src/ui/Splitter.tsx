// A draggable, keyboard-operable divider between two panes (WAI-ARIA window splitter).
import { useRef, type KeyboardEvent, type PointerEvent } from "react";

const KEY_STEP = 16;

export function Splitter({
  orientation,
  value,
  min,
  max,
  onChange,
  label,
  invert = false,
}: {
  /** "vertical" divides left | right; "horizontal" divides top / bottom. */
  orientation: "vertical" | "horizontal";
  value: number;
  min: number;
  max: number;
  onChange: (next: number) => void;
  label: string;
  /** Set when the sized pane is after the divider (below or to the right). */
  invert?: boolean;
}) {
  const drag = useRef<{ start: number; value: number } | null>(null);
  const clamp = (n: number) => Math.min(max, Math.max(min, Math.round(n)));
  const sign = invert ? -1 : 1;
  const coordinate = (e: PointerEvent) => (orientation === "vertical" ? e.clientX : e.clientY);

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    if (e.button !== 0) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    drag.current = { start: coordinate(e), value };
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    if (!drag.current) return;
    onChange(clamp(drag.current.value + sign * (coordinate(e) - drag.current.start)));
  };
  const onPointerUp = () => {
    drag.current = null;
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const grow = orientation === "vertical" ? "ArrowRight" : "ArrowDown";
    const shrink = orientation === "vertical" ? "ArrowLeft" : "ArrowUp";
    let next: number | null = null;
    if (e.key === grow) next = value + sign * KEY_STEP;
    else if (e.key === shrink) next = value - sign * KEY_STEP;
    else if (e.key === "Home") next = min;
    else if (e.key === "End") next = max;
    if (next === null) return;
    e.preventDefault();
    onChange(clamp(next));
  };

  const shape =
    orientation === "vertical" ? "w-1 cursor-col-resize -mx-0.5" : "h-1 cursor-row-resize -my-0.5";
  return (
    <div
      role="separator"
      aria-orientation={orientation}
      aria-label={label}
      aria-valuenow={value}
      aria-valuemin={min}
      aria-valuemax={max}
      tabIndex={0}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerUp}
      onKeyDown={onKeyDown}
      className={`relative z-10 shrink-0 touch-none bg-transparent transition-colors hover:bg-accent/60 focus-visible:bg-accent ${shape}`}
    />
  );
}
