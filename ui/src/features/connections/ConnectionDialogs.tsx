// One place that owns the add / edit / remove dialogs, so the first-run buttons, the "+ Add"
// menu, the tree's context menu and the admin list all open the same ones.
import { createContext, lazy, Suspense, useContext, useMemo, useRef, useState, type ReactNode } from "react";
import type { Connection } from "@/backend";
import type { ConnectionDialogMode } from "./ConnectionDialog";

// Loaded when first opened: the dialogs (and the token wizard behind them) are not needed to
// paint the window.
const ConnectionDialog = lazy(() => import("./ConnectionDialog").then((m) => ({ default: m.ConnectionDialog })));
const RemoveDialog = lazy(() => import("./RemoveDialog").then((m) => ({ default: m.RemoveDialog })));

/** `returnFocus` gets the focus when the dialog closes (the opener, when it is a menu that is gone by then). */
export interface ConnectionDialogsApi {
  openAdd: (returnFocus?: HTMLElement | null) => void;
  openEdit: (connection: Connection, returnFocus?: HTMLElement | null) => void;
  openRemove: (connection: Connection, returnFocus?: HTMLElement | null) => void;
}

const Context = createContext<ConnectionDialogsApi | null>(null);

type Request = (ConnectionDialogMode | { type: "remove"; connection: Connection }) & {
  returnFocus: HTMLElement | null;
};

/** `generation` tells one opening from the next: each starts from scratch. */
type Open = Request & { generation: number };

export function ConnectionDialogsProvider({ children }: { children: ReactNode }) {
  const [open, setOpen] = useState<Open | null>(null);
  const openings = useRef(0);
  const api = useMemo<ConnectionDialogsApi>(() => {
    const show = (next: Request) => {
      openings.current += 1;
      setOpen({ ...next, generation: openings.current });
    };
    return {
      openAdd: (returnFocus = null) => show({ type: "add", returnFocus }),
      openEdit: (connection, returnFocus = null) => show({ type: "edit", connection, returnFocus }),
      openRemove: (connection, returnFocus = null) => show({ type: "remove", connection, returnFocus }),
    };
  }, []);
  // A dialog that finishes late (a save that returns after the user closed it) must not close
  // the dialog opened since.
  const closer = (generation: number) => () =>
    setOpen((current) => (current?.generation === generation ? null : current));

  return (
    <Context.Provider value={api}>
      {children}
      <Suspense fallback={null}>
        {open?.type === "remove" ? (
          <RemoveDialog
            key={open.generation}
            connection={open.connection}
            returnFocus={open.returnFocus}
            onClose={closer(open.generation)}
          />
        ) : open ? (
          <ConnectionDialog
            key={open.generation}
            mode={open}
            returnFocus={open.returnFocus}
            onClose={closer(open.generation)}
          />
        ) : null}
      </Suspense>
    </Context.Provider>
  );
}

export function useConnectionDialogs(): ConnectionDialogsApi {
  const api = useContext(Context);
  if (!api) throw new Error("useConnectionDialogs needs a ConnectionDialogsProvider above it");
  return api;
}
