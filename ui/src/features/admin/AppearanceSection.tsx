// Theme choice. Selecting saves through the back end; the window follows at once.
import * as RadioGroup from "@radix-ui/react-radio-group";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Monitor, Moon, Sun, type LucideIcon } from "lucide-react";
import type { Theme } from "@/backend";
import { ErrorNotice } from "@/ui/ErrorNotice";
import { settingsQuery, useSaveSettings } from "./queries";
import { useThemePreference } from "./useThemeSync";

const CHOICES: { value: Theme; label: string; icon: LucideIcon }[] = [
  { value: "light", label: "Light", icon: Sun },
  { value: "dark", label: "Dark", icon: Moon },
  { value: "system", label: "System", icon: Monitor },
];

function isTheme(value: string): value is Theme {
  return CHOICES.some((c) => c.value === value);
}

export function AppearanceSection() {
  const queryClient = useQueryClient();
  const settings = useQuery(settingsQuery);
  const save = useSaveSettings();
  // Settings are saved whole, so the other settings must be known first (they are, unless the
  // page is still loading them; if they cannot be read, the error below says so).
  const choose = (theme: Theme) => {
    if (settings.data) save.mutate({ ...settings.data, theme });
    else
      queryClient.fetchQuery(settingsQuery).then(
        (current) => save.mutate({ ...current, theme }),
        () => {},
      );
  };
  const { preference, resolved } = useThemePreference();

  return (
    <section aria-labelledby="appearance" className="rounded-md border border-line bg-surface">
      <h2 id="appearance" className="border-b border-line px-4 py-2.5 text-base font-semibold">
        Appearance
      </h2>
      <div className="space-y-3 p-4">
        <div className="flex flex-wrap items-center gap-x-6 gap-y-2">
          <span id="theme-label" className="w-28 text-muted">
            Theme
          </span>
          <RadioGroup.Root
            aria-labelledby="theme-label"
            value={preference}
            onValueChange={(value) => {
              if (isTheme(value)) choose(value);
            }}
            orientation="horizontal"
            className="inline-flex rounded border border-line-strong bg-sunken p-0.5"
          >
            {CHOICES.map(({ value, label, icon: Icon }) => (
              <RadioGroup.Item
                key={value}
                value={value}
                data-testid={`theme-${value}`}
                className="inline-flex h-7 items-center gap-1.5 rounded-sm px-3 text-sm text-muted hover:text-fg data-[state=checked]:bg-surface data-[state=checked]:text-fg data-[state=checked]:shadow-sm data-[state=checked]:ring-1 data-[state=checked]:ring-line-strong"
              >
                <Icon aria-hidden className="size-3.5" />
                {label}
              </RadioGroup.Item>
            ))}
          </RadioGroup.Root>
        </div>
        <p className="text-sm text-muted">
          {preference === "system"
            ? `Following your operating system, which is using ${resolved} mode now.`
            : `Always ${resolved}, whatever your operating system uses.`}
        </p>
        {settings.isError ? <ErrorNotice title="Could not load your settings" error={settings.error} /> : null}
        {save.isError ? <ErrorNotice title="Could not save the theme" error={save.error} /> : null}
      </div>
    </section>
  );
}
