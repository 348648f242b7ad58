import { fileURLToPath } from "node:url";
import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// The window loads the built files from Tauri's custom protocol, so everything must be
// local and relative; the dev server port is fixed because tauri.conf.json points at it.
// VITE_PROFILE=1 builds with React's profiling build, so the frame's areas are timed (the
// window bench's WINDOW_BENCH_ATTRIBUTE reads them); see src/app/perfMarks.ts.
const profiling = process.env.VITE_PROFILE === "1";

export default defineConfig({
  plugins: [react(), tailwindcss()],
  base: "./",
  resolve: {
    alias: {
      "@": fileURLToPath(new URL("./src", import.meta.url)),
      ...(profiling ? { "react-dom/client": "react-dom/profiling" } : {}),
    },
  },
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    css: false,
    clearMocks: true,
    restoreMocks: true,
    // The dialog tests type whole forms with user-event: ~4 s each alone on a 2-core machine,
    // more while cargo builds beside them. A hung test still fails, after 20 s.
    testTimeout: 20_000,
  },
});
