import { describe, expect, it } from "vitest";
import { isUsableLanguage, repairPageLanguage } from "./locale";

describe("the page language", () => {
  it("tells BCP 47 tags from POSIX locale names", () => {
    expect(isUsableLanguage("en-US")).toBe(true);
    expect(isUsableLanguage("de")).toBe(true);
    expect(isUsableLanguage("C")).toBe(false);
    expect(isUsableLanguage("")).toBe(false);
    expect(isUsableLanguage(undefined)).toBe(false);
  });

  it("replaces LANG=C's \"C\" with en-US so Intl (and uPlot) can load", () => {
    const nav = { language: "C", languages: ["C"] } as unknown as Navigator;
    expect(() => new Intl.NumberFormat(nav.language)).toThrow(RangeError);
    repairPageLanguage(nav);
    expect(nav.language).toBe("en-US");
    expect(nav.languages).toEqual(["en-US"]);
    expect(() => new Intl.NumberFormat(nav.language)).not.toThrow();
  });

  it("keeps a usable language as it is", () => {
    const nav = { language: "fr-CH", languages: ["fr-CH", "de"] } as unknown as Navigator;
    repairPageLanguage(nav);
    expect(nav.language).toBe("fr-CH");
    expect(nav.languages).toEqual(["fr-CH", "de"]);
  });
});
