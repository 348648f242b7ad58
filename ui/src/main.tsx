import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App, createQueryClient } from "@/app/App";
import { createAppRouter } from "@/app/router";
import { applyTheme, rememberedTheme, resolveTheme, systemPrefersDark } from "@/features/admin/theme";
import "./index.css";

// Paint the first frame in the right theme; settings from the back end follow a moment later.
applyTheme(resolveTheme(rememberedTheme(), systemPrefersDark()));

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");

createRoot(root).render(
  <StrictMode>
    <App router={createAppRouter()} queryClient={createQueryClient()} />
  </StrictMode>,
);
