// One numeric setting (seconds, days…), saved on blur or Enter. The back end checks the range;
// its per-field message shows under the field.
import { useQuery } from "@tanstack/react-query";
import { useId, useState, type ReactNode } from "react";
import { toAppError, type Settings } from "@/backend";
import { ErrorNotice } from "@/ui/ErrorNotice";
import { inputClass } from "@/ui/form";
import { settingsQuery, useSaveSettings } from "./queries";

type NumberKey = "healthIntervalSecs" | "refreshVisibleSecs" | "refreshHiddenSecs" | "backupCoverageDays";

interface NumberSettingProps {
  setting: NumberKey;
  label: string;
  min: number;
  max: number;
  testId: string;
  hint: ReactNode;
}

/** A setting counted in seconds. */
export function SecondsSetting(props: NumberSettingProps) {
  return <NumberSetting {...props} unit="seconds" />;
}

export function NumberSetting({
  setting,
  label,
  min,
  max,
  testId,
  hint,
  unit,
}: NumberSettingProps & { unit: string }) {
  const settings = useQuery(settingsQuery);
  const save = useSaveSettings();
  const current = settings.data?.[setting];
  // What the user is typing; `null` shows the saved value.
  const [draft, setDraft] = useState<string | null>(null);
  const text = draft ?? (current === undefined ? "" : String(current));
  const id = useId();

  const commit = () => {
    if (!settings.data || draft === null) return;
    const value = Number(draft.trim());
    if (!Number.isInteger(value) || value === current) {
      setDraft(null);
      return;
    }
    const next: Settings = { ...settings.data, [setting]: value };
    save.mutate(next, { onSuccess: () => setDraft(null) });
  };
  const error = save.isError ? toAppError(save.error) : null;
  const fieldError = error?.fields[setting] ?? null;

  return (
    <div className="space-y-1">
      <div className="flex flex-wrap items-center gap-x-6 gap-y-2">
        <label htmlFor={id} className="w-40 text-muted">
          {label}
        </label>
        <span className="inline-flex items-center gap-2">
          <input
            id={id}
            data-testid={testId}
            type="number"
            min={min}
            max={max}
            inputMode="numeric"
            className={`${inputClass} w-24`}
            value={text}
            disabled={!settings.data}
            aria-invalid={fieldError ? true : undefined}
            aria-describedby={`${id}-hint`}
            onChange={(e) => setDraft(e.target.value)}
            onBlur={commit}
            onKeyDown={(e) => {
              if (e.key === "Enter") commit();
            }}
          />
          <span className="text-muted">{unit}</span>
        </span>
      </div>
      <p id={`${id}-hint`} className="text-sm text-muted">
        {hint}
      </p>
      {fieldError ? (
        <p data-testid={`field-error-${setting}`} className="text-sm text-error">
          {fieldError}
        </p>
      ) : error ? (
        <ErrorNotice title="Could not save the setting" error={save.error} />
      ) : null}
    </div>
  );
}
