// The language list is data (the `language` table): one place checks codes against it.
import type { PrismaClient } from '../../../prisma/generated/client.ts';

/** The codes among `codes` that are not in the language list. */
export async function unknownLanguages(prisma: PrismaClient, codes: readonly string[]): Promise<string[]> {
  const known = await prisma.language.findMany({
    where: { code: { in: [...codes] } },
    select: { code: true },
  });
  return codes.filter((c) => !known.some((k) => k.code === c));
}
