// @vitest-environment node
// The backend boundary is a lint rule; this proves the rule really fires.
import path from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");
const eslint = new ESLint({ cwd: root });
const snippet = 'import { invoke } from "@tauri-apps/api/core";\nexport const call = () => invoke("app_info");\n';

async function restrictedImportErrors(file: string, code = snippet) {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === "no-restricted-imports");
}

describe("backend boundary lint rule", () => {
  it("forbids @tauri-apps/* outside src/backend", async () => {
    const errors = await restrictedImportErrors("src/features/inventory/TreePane.tsx");
    expect(errors).toHaveLength(1);
    expect(errors[0]?.severity).toBe(2);
    expect(errors[0]?.message).toMatch(/Only src\/backend\/ may import @tauri-apps/);
  });

  it("allows @tauri-apps/* inside src/backend", async () => {
    expect(await restrictedImportErrors("src/backend/index.ts")).toHaveLength(0);
  });

  it("forbids reaching past src/backend/index.ts", async () => {
    const code = 'import { commands } from "@/backend/bindings";\nexport const c = commands;\n';
    const errors = await restrictedImportErrors("src/app/App.tsx", code);
    expect(errors).toHaveLength(1);
  });
}, 60_000);
