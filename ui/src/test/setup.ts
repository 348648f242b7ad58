import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/react";
import { afterEach, beforeEach } from "vitest";
import { installMatchMedia } from "./matchMedia";

class ResizeObserverStub {
  observe() {}
  unobserve() {}
  disconnect() {}
}

beforeEach(() => {
  // Node-environment tests (e.g. the lint rule test) have no DOM to prepare.
  if (typeof window === "undefined") return;
  installMatchMedia();
  window.scrollTo = () => {};
  globalThis.ResizeObserver ??= ResizeObserverStub;
  window.localStorage.clear();
  delete document.documentElement.dataset.theme;
  document.documentElement.style.colorScheme = "";
});

afterEach(() => {
  if (typeof window === "undefined") return;
  cleanup();
});
