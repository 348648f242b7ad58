// WebKitGTK takes the page language from the POSIX locale, so under LANG=C (common on the
// servers and shells admins work from) `navigator.language` is "C", which is no BCP 47 tag:
// `new Intl.NumberFormat("C")` throws, and so does any library that passes the page language
// to Intl (uPlot does it when it loads, which took the whole window down). Such a language is
// replaced by "en-US" before anything reads it.

/** Whether Intl accepts `tag` as a locale. */
export function isUsableLanguage(tag: string | undefined | null): boolean {
  if (!tag) return false;
  try {
    new Intl.NumberFormat(tag);
    return true;
  } catch {
    return false;
  }
}

/** Replaces an unusable `navigator.language` (and `languages`) with "en-US". */
export function repairPageLanguage(nav: Navigator = navigator): void {
  if (!isUsableLanguage(nav.language)) {
    Object.defineProperty(nav, "language", { value: "en-US", configurable: true });
  }
  const usable = (nav.languages ?? []).filter(isUsableLanguage);
  if (usable.length !== (nav.languages ?? []).length) {
    Object.defineProperty(nav, "languages", {
      value: Object.freeze(usable.length > 0 ? usable : [nav.language]),
      configurable: true,
    });
  }
}

repairPageLanguage();
