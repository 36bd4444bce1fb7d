// The language list is data (the `language` table): one place reads it and checks codes against it.
import type { Db } from './db.ts';

export interface Language {
  code: string;
  nameVi: string;
  nameEn: string;
}

export const languageRepository = {
  list(db: Db): Promise<Language[]> {
    return db.language.findMany({ orderBy: { code: 'asc' } });
  },
};

/** The codes among `codes` that are not in the language list. */
export async function unknownLanguages(db: Db, codes: readonly string[]): Promise<string[]> {
  const known = await db.language.findMany({
    where: { code: { in: [...codes] } },
    select: { code: true },
  });
  return codes.filter((c) => !known.some((k) => k.code === c));
}
