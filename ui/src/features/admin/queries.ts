// Query definitions for the admin area: app settings and system information.
import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api, type Settings } from "@/backend";

export const settingsQuery = queryOptions({
  queryKey: ["settings"] as const,
  queryFn: api.settingsGet,
  staleTime: Infinity,
  retry: false,
});

export const appInfoQuery = queryOptions({
  queryKey: ["app-info"] as const,
  queryFn: api.appInfo,
  staleTime: Infinity,
  retry: false,
});

/** Saves settings; the cache is updated at once so the UI reacts before the round trip. */
export function useSaveSettings() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (settings: Settings) => api.settingsSet(settings),
    onMutate: async (settings) => {
      await queryClient.cancelQueries({ queryKey: settingsQuery.queryKey });
      const previous = queryClient.getQueryData(settingsQuery.queryKey);
      queryClient.setQueryData(settingsQuery.queryKey, settings);
      return { previous };
    },
    onError: async (_error, _settings, context) => {
      // Show what is really saved, not the choice that failed.
      if (context?.previous) queryClient.setQueryData(settingsQuery.queryKey, context.previous);
      else await queryClient.resetQueries({ queryKey: settingsQuery.queryKey });
    },
    onSuccess: (saved) => {
      queryClient.setQueryData(settingsQuery.queryKey, saved);
    },
  });
}
