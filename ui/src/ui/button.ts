// One look for every button and button-like link, so focus and disabled states match.
export type ButtonVariant = "primary" | "secondary" | "ghost";

const base =
  "inline-flex items-center justify-center gap-1.5 rounded border text-sm font-medium select-none " +
  "transition-colors disabled:opacity-55 disabled:cursor-not-allowed";

const variants: Record<ButtonVariant, string> = {
  primary:
    "border-transparent bg-accent text-accent-fg enabled:hover:bg-accent-hover " +
    "disabled:bg-line-strong disabled:text-surface",
  secondary: "border-line-strong bg-surface text-fg enabled:hover:bg-raised",
  ghost: "border-transparent bg-transparent text-muted enabled:hover:bg-sunken enabled:hover:text-fg",
};

export function buttonClass(variant: ButtonVariant = "secondary", extra = ""): string {
  return `${base} ${variants[variant]} ${extra}`.trim();
}
