import type { Language } from '../types.ts';

export function languageName(languages: Language[], code: string, uiLanguage: string): string {
  const found = languages.find((l) => l.code === code);
  if (!found) return code;
  return uiLanguage === 'en' ? found.nameEn : found.nameVi;
}
