// Providers shared by the real window and the tests.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { RouterProvider } from "@tanstack/react-router";
import { ThemeSync } from "@/features/admin/useThemeSync";
import { TooltipProvider } from "@/ui/Tooltip";
import type { AppRouter } from "./router";

export function createQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: { refetchOnWindowFocus: false },
    },
  });
}

export function App({ router, queryClient }: { router: AppRouter; queryClient: QueryClient }) {
  return (
    <QueryClientProvider client={queryClient}>
      <TooltipProvider delayDuration={350}>
        <ThemeSync />
        <RouterProvider router={router} />
      </TooltipProvider>
    </QueryClientProvider>
  );
}
