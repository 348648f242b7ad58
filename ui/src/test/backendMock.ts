// Builds the fake "@/backend" module for vi.mock. The real error class and helpers are kept,
// only the calls into Rust are replaced.
import { vi } from "vitest";
import type * as Backend from "@/backend";

export async function backendMock(importOriginal: () => Promise<typeof Backend>) {
  const actual = await importOriginal();
  return {
    ...actual,
    isTauri: () => true,
    api: {
      appInfo: vi.fn<typeof actual.api.appInfo>(),
      settingsGet: vi.fn<typeof actual.api.settingsGet>(),
      settingsSet: vi.fn<typeof actual.api.settingsSet>(),
    },
    onSettingsChanged: vi.fn<typeof actual.onSettingsChanged>(() => () => {}),
  };
}
