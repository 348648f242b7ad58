// What a page shows when it fails to render: the error where the page was, with the frame
// (tree, search, task bar) still there, and a way to try again. Without it one broken page
// took the whole window down to the router's bare "Something went wrong!".
import type { ErrorComponentProps } from "@tanstack/react-router";
import { useRouter } from "@tanstack/react-router";
import { AppErrorException } from "@/backend";
import { buttonClass } from "@/ui/button";
import { ErrorNotice } from "@/ui/ErrorNotice";

export function PageError({ error, reset }: ErrorComponentProps) {
  const router = useRouter();
  return (
    <div data-testid="page-error" className="mx-auto max-w-3xl space-y-3 px-6 py-5">
      <ErrorNotice error={shown(error)} title="This page could not be shown" />
      <p className="text-sm text-muted">
        The rest of Proxdeck still works. If this happens again, the log in Settings → About says more.
      </p>
      <button
        type="button"
        className={buttonClass("secondary")}
        onClick={() => {
          reset();
          void router.invalidate();
        }}
      >
        Try again
      </button>
    </div>
  );
}

/** A back end error as it is; anything else (a bug in the page) by its own message. */
function shown(error: unknown): unknown {
  if (error instanceof AppErrorException || !(error instanceof Error)) return error;
  return new AppErrorException({ code: "Internal", message: `${error.name}: ${error.message}` });
}
