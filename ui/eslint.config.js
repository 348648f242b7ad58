import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

// Only src/backend/ may talk to Tauri; everything else goes through "@/backend" so the
// generated bindings can change without touching features.
const backendBoundary = {
  patterns: [
    {
      group: ["@tauri-apps/*"],
      message: "Only src/backend/ may import @tauri-apps/*; use \"@/backend\" instead.",
    },
    {
      group: ["@/backend/*", "**/backend/bindings", "**/backend/bindings.ts"],
      message: "Import from \"@/backend\" (src/backend/index.ts), not its internals.",
    },
  ],
};

export default tseslint.config(
  { ignores: ["dist/", "src/backend/bindings.ts", "node_modules/"] },
  {
    files: ["**/*.{ts,tsx}"],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      ecmaVersion: 2022,
      globals: globals.browser,
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.flat["recommended-latest"].rules,
      "no-restricted-imports": ["error", backendBoundary],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  {
    files: ["src/backend/**"],
    rules: { "no-restricted-imports": "off" },
  },
  {
    files: ["**/*.js"],
    extends: [js.configs.recommended],
    languageOptions: { globals: globals.node },
  },
);
