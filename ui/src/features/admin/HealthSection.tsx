// How often each connection's health is checked. Saved on blur or Enter; the back end checks
// the range (5–3600 s) and its message shows under the field.
import { useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { toAppError } from "@/backend";
import { ErrorNotice } from "@/ui/ErrorNotice";
import { inputClass } from "@/ui/form";
import { settingsQuery, useSaveSettings } from "./queries";

export function HealthSection() {
  const settings = useQuery(settingsQuery);
  const save = useSaveSettings();
  const current = settings.data?.healthIntervalSecs;
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
    save.mutate({ ...settings.data, healthIntervalSecs: value }, { onSuccess: () => setDraft(null) });
  };
  const error = save.isError ? toAppError(save.error) : null;
  const fieldError = error?.fields.healthIntervalSecs ?? null;

  return (
    <section aria-labelledby="health-checks" className="rounded-md border border-line bg-surface">
      <h2 id="health-checks" className="border-b border-line px-4 py-2.5 text-base font-semibold">
        Health checks
      </h2>
      <div className="space-y-2 p-4">
        <div className="flex flex-wrap items-center gap-x-6 gap-y-2">
          <label htmlFor={id} className="w-28 text-muted">
            Check every
          </label>
          <span className="inline-flex items-center gap-2">
            <input
              id={id}
              data-testid="health-interval"
              type="number"
              min={5}
              max={3600}
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
            <span className="text-muted">seconds</span>
          </span>
        </div>
        <p id={`${id}-hint`} className="text-sm text-muted">
          Each enabled connection is checked this often (5 to 3600 seconds, 30 by default). After a failure
          Proxdeck looks again sooner — 5, 10, 20 seconds… — and a desktop notification says when a cluster becomes
          unreachable and when it is back.
        </p>
        {fieldError ? (
          <p data-testid="field-error-healthIntervalSecs" className="text-sm text-error">
            {fieldError}
          </p>
        ) : error ? (
          <ErrorNotice title="Could not save the interval" error={save.error} />
        ) : null}
      </div>
    </section>
  );
}
