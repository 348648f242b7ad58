// What the guest action dialogs (clone, migrate, remove, HA) share: the dialog frame that
// closes through `onClose`, the Cancel/submit footer, the loading line, the refusal at the top
// with each field's message under its field (hidden once that field is edited), the form
// values that start from the proposed ones, and labelled text and select fields.
import { LoaderCircle } from "lucide-react";
import { useState, type ComponentProps, type HTMLAttributes, type ReactNode } from "react";
import { toAppError, type GuestRef } from "@/backend";
import { buttonClass } from "@/ui/button";
import { Dialog } from "@/ui/Dialog";
import { ErrorNotice } from "@/ui/ErrorNotice";
import { describedBy, Field, inputClass, selectClass } from "@/ui/form";
import { DisabledReason } from "@/ui/Tooltip";
import type { PowerTarget } from "./power";

/** What every guest action dialog is opened with. */
export interface GuestDialogProps {
  guest: GuestRef;
  target: PowerTarget;
  returnFocus: HTMLElement | null;
  onClose: () => void;
}

/** A `Dialog` that is open while shown and calls `onClose` when dismissed (Escape, ×). */
export function ActionDialog({
  onClose,
  ...props
}: Omit<ComponentProps<typeof Dialog>, "open" | "onOpenChange"> & { onClose: () => void }) {
  return (
    <Dialog
      open
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      {...props}
    />
  );
}

const dangerButton = buttonClass("primary", "h-7 px-3 bg-error enabled:hover:bg-error/85");

/**
 * The footer: `leading` at the left end, then Cancel and the submit button, which spins while
 * `pending`. With a `disabledReason` the submit button is wrapped to say why it is disabled.
 */
export function DialogFooter({
  leading,
  cancelTestId,
  submitTestId,
  onCancel,
  pending,
  disabled = pending,
  disabledReason,
  danger = false,
  children,
}: {
  leading?: ReactNode;
  cancelTestId: string;
  submitTestId: string;
  onCancel: () => void;
  pending: boolean;
  disabled?: boolean;
  disabledReason?: string | null;
  danger?: boolean;
  /** The submit button's label. */
  children: ReactNode;
}) {
  const submit = (
    <button
      type="submit"
      data-testid={submitTestId}
      className={danger ? dangerButton : buttonClass("primary", "h-7 px-3")}
      disabled={disabled}
      aria-busy={pending}
    >
      {pending ? <LoaderCircle aria-hidden className="size-3.5 animate-spin" /> : null}
      {children}
    </button>
  );
  return (
    <>
      {leading}
      <span className="flex-1" />
      <button type="button" data-testid={cancelTestId} className={buttonClass("secondary", "h-7 px-3")} onClick={onCancel}>
        Cancel
      </button>
      {disabledReason === undefined ? submit : <DisabledReason reason={disabledReason}>{submit}</DisabledReason>}
    </>
  );
}

/** The line shown while what the form offers is being read. */
export function LoadingNotice({ testId, children }: { testId: string; children: ReactNode }) {
  return (
    <p className="flex items-center gap-2 text-sm text-muted" data-testid={testId}>
      <LoaderCircle aria-hidden className="size-3.5 animate-spin" />
      {children}
    </p>
  );
}

/** The refusal at the top of the form; each field's own message goes under the field. */
export function RefusalNotice({ testId, error, title }: { testId: string; error: unknown; title: string }) {
  if (!error) return null;
  return (
    <div data-testid={testId}>
      <ErrorNotice error={error} title={title} />
    </div>
  );
}

/**
 * The refusal of `mutation` and its message for each field. A field edited since the refusal
 * no longer shows its message; `clearEdited` before the next submit shows them all again.
 */
export function useRefusal(mutation: { isError: boolean; error: unknown }) {
  const [edited, setEdited] = useState<ReadonlySet<string>>(new Set());
  const refusal = mutation.isError ? toAppError(mutation.error) : null;
  return {
    refusal,
    fieldError: (field: string) => (refusal && !edited.has(field) ? (refusal.fields[field] ?? null) : null),
    touch: (field: string) => setEdited((s) => (s.has(field) ? s : new Set(s).add(field))),
    clearEdited: () => setEdited((s) => (s.size === 0 ? s : new Set())),
  };
}

/** The form's values: the `proposed` ones until the first edit, from then on what was typed. */
export function useDraft<T extends object>(proposed: T | null) {
  const [draft, setDraft] = useState<T | null>(null);
  const form = draft ?? proposed;
  const update = (patch: Partial<T>) => {
    if (form) setDraft({ ...form, ...patch });
  };
  return [form, update] as const;
}

interface LabelledProps {
  /** The control's id, which the label, hint and error are tied to. */
  id: string;
  label: ReactNode;
  testId: string;
  hint?: ReactNode;
  error?: string | null;
  errorTestId?: string;
}

/** The `Field` around a control, and the props that tie the control to its label, hint and error. */
function labelled({ id, label, testId, hint, error, errorTestId }: LabelledProps) {
  return {
    field: { label, htmlFor: id, hint, error, errorTestId },
    control: { ...describedBy(id, { error, hint: Boolean(hint) }), "data-testid": testId },
  };
}

/** A labelled text input (no autocomplete) with its hint and error. */
export function TextField({
  value,
  onChange,
  onBlur,
  inputMode,
  spellCheck,
  placeholder,
  ...props
}: LabelledProps & {
  value: string;
  onChange: (value: string) => void;
  onBlur?: (value: string) => void;
  inputMode?: HTMLAttributes<HTMLInputElement>["inputMode"];
  spellCheck?: boolean;
  placeholder?: string;
}) {
  const { field, control } = labelled(props);
  return (
    <Field {...field}>
      <input
        {...control}
        className={inputClass}
        inputMode={inputMode}
        autoComplete="off"
        spellCheck={spellCheck}
        placeholder={placeholder}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        onBlur={onBlur ? (e) => onBlur(e.target.value) : undefined}
      />
    </Field>
  );
}

/** A labelled select with its hint and error; `children` are its options. */
export function SelectField({
  value,
  onChange,
  disabled,
  children,
  ...props
}: LabelledProps & {
  value: string;
  onChange: (value: string) => void;
  disabled?: boolean;
  children: ReactNode;
}) {
  const { field, control } = labelled(props);
  return (
    <Field {...field}>
      <select {...control} className={selectClass} value={value} disabled={disabled} onChange={(e) => onChange(e.target.value)}>
        {children}
      </select>
    </Field>
  );
}
