// Form controls that share one look and one way of showing hints and errors: every field has
// a <label htmlFor>, and its hint and error are tied to the control with aria-describedby.
import * as RadioGroup from "@radix-ui/react-radio-group";
import type { ReactNode } from "react";

const control =
  "w-full rounded border border-line-strong bg-surface px-2 text-sm text-fg placeholder:text-faint " +
  "focus:border-accent focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-accent/35 " +
  "disabled:cursor-not-allowed disabled:opacity-55 aria-[invalid=true]:border-error aria-[invalid=true]:focus-visible:ring-error/30";

export const inputClass = `h-7 ${control}`;
export const textareaClass = `py-1 leading-5 ${control}`;
export const selectClass = `h-7 ${control} pr-1`;
export const checkboxClass = "size-3.5 shrink-0 accent-accent";

/** The ids that tie a control to its hint and error. */
export function fieldIds(id: string) {
  return { hint: `${id}-hint`, error: `${id}-error` };
}

/** aria props for a control with an optional hint and error. */
export function describedBy(id: string, { hint, error }: { hint?: boolean; error?: string | null | undefined }) {
  const ids = fieldIds(id);
  const parts = [error ? ids.error : null, hint ? ids.hint : null].filter(Boolean);
  return {
    id,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": parts.length > 0 ? parts.join(" ") : undefined,
  };
}

/** The message under a field that the back end (or the form) refused. */
export function FieldError({ id, error, testId }: { id: string; error: string | null | undefined; testId?: string }) {
  if (!error) return null;
  return (
    <p id={fieldIds(id).error} data-testid={testId} className="mt-1 text-xs leading-4 text-error">
      {error}
    </p>
  );
}

/**
 * Label on top, the control, then its hint and error. `htmlFor` must be the control's id;
 * a group of controls (radios) passes `labelId` instead and labels itself with it.
 */
export function Field({
  label,
  htmlFor,
  labelId,
  hint,
  error,
  errorTestId,
  aside,
  children,
  className = "",
}: {
  label: ReactNode;
  htmlFor?: string;
  labelId?: string;
  hint?: ReactNode;
  error?: string | null;
  errorTestId?: string;
  /** Something small at the label line's right end (a port hint, a count). */
  aside?: ReactNode;
  children: ReactNode;
  className?: string;
}) {
  const base = htmlFor ?? labelId ?? "";
  return (
    <div className={className}>
      <div className="mb-1 flex items-baseline justify-between gap-2">
        {htmlFor ? (
          <label htmlFor={htmlFor} className="text-sm font-medium">
            {label}
          </label>
        ) : (
          <span id={labelId} className="text-sm font-medium">
            {label}
          </span>
        )}
        {aside ? <span className="text-xs text-muted">{aside}</span> : null}
      </div>
      {children}
      <FieldError id={base} error={error} testId={errorTestId} />
      {hint ? (
        <p id={fieldIds(base).hint} className="mt-1 text-xs leading-4 text-muted">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/** A row of mutually exclusive choices that looks like a segmented button (arrow keys move). */
export function Segmented<T extends string>({
  value,
  onChange,
  options,
  labelledBy,
  disabled = false,
}: {
  value: T;
  onChange: (value: T) => void;
  options: { value: T; label: ReactNode; testId?: string; title?: string }[];
  labelledBy: string;
  disabled?: boolean;
}) {
  return (
    <RadioGroup.Root
      aria-labelledby={labelledBy}
      value={value}
      disabled={disabled}
      onValueChange={(v) => {
        const option = options.find((o) => o.value === v);
        if (option) onChange(option.value);
      }}
      orientation="horizontal"
      className="inline-flex rounded border border-line-strong bg-sunken p-0.5"
    >
      {options.map((option) => (
        <RadioGroup.Item
          key={option.value}
          value={option.value}
          data-testid={option.testId}
          title={option.title}
          className={
            "inline-flex h-6 items-center gap-1.5 rounded-sm px-2.5 text-sm text-muted hover:text-fg " +
            "disabled:opacity-55 data-[state=checked]:bg-surface data-[state=checked]:font-medium " +
            "data-[state=checked]:text-fg data-[state=checked]:shadow-sm data-[state=checked]:ring-1 " +
            "data-[state=checked]:ring-line-strong"
          }
        >
          {option.label}
        </RadioGroup.Item>
      ))}
    </RadioGroup.Root>
  );
}

/** Radio choices stacked, each with a line of explanation. */
export function RadioList<T extends string>({
  value,
  onChange,
  options,
  labelledBy,
}: {
  value: T;
  onChange: (value: T) => void;
  options: { value: T; label: ReactNode; description?: ReactNode; testId?: string }[];
  labelledBy: string;
}) {
  return (
    <RadioGroup.Root
      aria-labelledby={labelledBy}
      value={value}
      onValueChange={(v) => {
        const option = options.find((o) => o.value === v);
        if (option) onChange(option.value);
      }}
      className="space-y-1"
    >
      {options.map((option) => (
        <RadioGroup.Item
          key={option.value}
          value={option.value}
          data-testid={option.testId}
          className={
            "group flex w-full items-start gap-2 rounded border border-line px-2.5 py-1.5 text-left " +
            "hover:bg-raised data-[state=checked]:border-accent data-[state=checked]:bg-accent-soft"
          }
        >
          <span
            aria-hidden
            className={
              "mt-[3px] flex size-3.5 shrink-0 items-center justify-center rounded-full border border-line-strong " +
              "bg-surface group-data-[state=checked]:border-accent"
            }
          >
            <RadioGroup.Indicator className="size-1.5 rounded-full bg-accent" />
          </span>
          <span className="min-w-0">
            <span className="block text-sm font-medium">{option.label}</span>
            {option.description ? (
              <span className="block text-xs leading-4 text-muted">{option.description}</span>
            ) : null}
          </span>
        </RadioGroup.Item>
      ))}
    </RadioGroup.Root>
  );
}

/** A checkbox with its label after it, the dialogs' one-line option. */
export function CheckboxField({
  testId,
  checked,
  onChange,
  children,
}: {
  testId: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  children: ReactNode;
}) {
  return (
    <label className="flex items-center gap-2 text-sm">
      <input
        type="checkbox"
        data-testid={testId}
        className={checkboxClass}
        checked={checked}
        onChange={(e) => onChange(e.target.checked)}
      />
      {children}
    </label>
  );
}
