// First: makes navigator.language usable by Intl before any module reads it.
import "@/app/locale";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createHashHistory } from "@tanstack/react-router";
import { App, createQueryClient } from "@/app/App";
import { reopenWhereLeftOff } from "@/app/lastRoute";
import { createAppRouter } from "@/app/router";
import { connectionsQuery, syncInventory } from "@/features/connections/queries";
import { inventoryQuery } from "@/features/inventory/inventoryQuery";
import { applyTheme, rememberedTheme, resolveTheme, systemPrefersDark } from "@/features/admin/theme";
import "./index.css";

// Paint the first frame in the right theme; settings from the back end follow a moment later.
applyTheme(resolveTheme(rememberedTheme(), systemPrefersDark()));

// Open on the page shown when the app was last closed.
const history = createHashHistory();
reopenWhereLeftOff(history);

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");

// Ask for the last-known inventory and the connections now, while React and the first page
// load: the tree and the tables paint from them (the back end answers from memory).
const queryClient = createQueryClient();
syncInventory(queryClient); // first: no delta of the first refresh may be missed
void queryClient.prefetchQuery(inventoryQuery);
void queryClient.prefetchQuery(connectionsQuery);

createRoot(root).render(
  <StrictMode>
    <App router={createAppRouter(history)} queryClient={queryClient} />
  </StrictMode>,
);
