// Keeps <html data-theme> in line with the saved preference and, for "system", the OS.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useLayoutEffect, useState } from "react";
import { onSettingsChanged, type Theme } from "@/backend";
import { settingsQuery } from "./queries";
import {
  applyTheme,
  rememberTheme,
  rememberedTheme,
  resolveTheme,
  systemPrefersDark,
  watchSystemTheme,
  type ResolvedTheme,
} from "./theme";

/** The saved theme preference and what it resolves to right now. No side effects. */
export function useThemePreference(): { preference: Theme; resolved: ResolvedTheme } {
  const { data } = useQuery(settingsQuery);
  const [fallback] = useState(rememberedTheme);
  const [prefersDark, setPrefersDark] = useState(systemPrefersDark);
  useEffect(() => watchSystemTheme(setPrefersDark), []);
  const preference = data?.theme ?? fallback;
  return { preference, resolved: resolveTheme(preference, prefersDark) };
}

/** Mounted once at the root: applies the theme and follows changes from the back end. */
export function ThemeSync() {
  const queryClient = useQueryClient();
  const { data } = useQuery(settingsQuery);
  const { resolved } = useThemePreference();

  useLayoutEffect(() => applyTheme(resolved), [resolved]);

  useEffect(
    () => onSettingsChanged((settings) => queryClient.setQueryData(settingsQuery.queryKey, settings)),
    [queryClient],
  );

  useEffect(() => {
    if (data) rememberTheme(data.theme);
  }, [data]);

  return null;
}
