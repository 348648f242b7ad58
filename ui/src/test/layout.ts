// jsdom lays nothing out, so a virtualized list renders no rows: this gives the scroll boxes
// with the given test ids a size (1200×600) for the tests of a file.
import { afterAll, beforeAll } from "vitest";

export function giveScrollBoxesASize(...testIds: string[]): void {
  const saved = {
    clientHeight: Object.getOwnPropertyDescriptor(HTMLElement.prototype, "clientHeight"),
    clientWidth: Object.getOwnPropertyDescriptor(HTMLElement.prototype, "clientWidth"),
  };
  beforeAll(() => {
    for (const [prop, value] of [
      ["clientHeight", 600],
      ["clientWidth", 1200],
    ] as const) {
      Object.defineProperty(HTMLElement.prototype, prop, {
        configurable: true,
        get(this: HTMLElement) {
          return testIds.includes(this.dataset.testid ?? "") ? value : 0;
        },
      });
    }
  });
  afterAll(() => {
    for (const [prop, descriptor] of Object.entries(saved)) {
      if (descriptor) Object.defineProperty(HTMLElement.prototype, prop, descriptor);
    }
  });
}
