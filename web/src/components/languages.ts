import type { Language } from '../api-shapes.ts';

/** Vietnamese first, then the ethnic languages by their name in the UI language. */
export function sortLanguages(languages: Language[], uiLanguage: string): Language[] {
  const name = (l: Language) => (uiLanguage === 'en' ? l.nameEn : l.nameVi);
  return [...languages].sort((a, b) =>
    a.code === 'vie' ? -1 : b.code === 'vie' ? 1 : name(a).localeCompare(name(b), uiLanguage),
  );
}

export function languageName(languages: Language[], code: string, uiLanguage: string): string {
  const found = languages.find((l) => l.code === code);
  if (!found) return code;
  return uiLanguage === 'en' ? found.nameEn : found.nameVi;
}
