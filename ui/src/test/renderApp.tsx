// Renders the whole app (providers, router, frame) at a path, as the window would.
import { createMemoryHistory } from "@tanstack/react-router";
import { render } from "@testing-library/react";
import { QueryClient } from "@tanstack/react-query";
import { App } from "@/app/App";
import { createAppRouter } from "@/app/router";

export function renderApp(path = "/") {
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false }, mutations: { retry: false } },
  });
  const router = createAppRouter(createMemoryHistory({ initialEntries: [path] }));
  const result = render(<App router={router} queryClient={queryClient} />);
  return { ...result, router, queryClient };
}
