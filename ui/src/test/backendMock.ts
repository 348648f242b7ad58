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
      // No connections unless a test says otherwise (the tree asks on every render of the frame).
      connectionsList: vi.fn<typeof actual.api.connectionsList>(() => Promise.resolve([])),
      demoOpen: vi.fn<typeof actual.api.demoOpen>(),
      demoClose: vi.fn<typeof actual.api.demoClose>(),
      connectionResources: vi.fn<typeof actual.api.connectionResources>(() => Promise.resolve([])),
    },
    onSettingsChanged: vi.fn<typeof actual.onSettingsChanged>(() => () => {}),
  };
}
