import { z } from 'zod';
import type { Lang } from './details.ts';
import { type FieldIssue, ValidationError } from './errors.ts';

export function toFieldIssues(where: string, error: z.ZodError): FieldIssue[] {
  return error.issues.flatMap((issue) => {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
    return keys.map((key) => ({
      field: [where, ...issue.path, ...(key === undefined ? [] : [key])].map(String).join('.'),
      message: issue.message,
    }));
  });
}

/** zod's own messages per language, chosen per request (never a process-wide switch). */
const ZOD_MESSAGES: Record<Lang, z.core.$ZodErrorMap> = {
  vi: z.locales.vi().localeError,
  en: z.locales.en().localeError,
};

/** Adds each issue's English wording (the same parse, in English) when the caller asked for another language. */
function withEnglish(
  issues: FieldIssue[],
  schema: z.ZodType,
  input: unknown,
  part: 'params' | 'query' | 'body',
  lang: Lang,
): FieldIssue[] {
  if (lang === 'en') return issues;
  const english = schema.safeParse(input ?? (part === 'body' ? undefined : {}), { error: ZOD_MESSAGES.en });
  if (english.success) return issues;
  const en = toFieldIssues(part, english.error);
  return issues.map((issue, i) => (en[i]?.field === issue.field ? { ...issue, en: en[i].message } : issue));
}

/** Parses every part of a request, reporting all bad fields at once, in the caller's language. */
export function parseRequest(
  schemas: { params?: z.ZodType; query?: z.ZodType; body?: z.ZodType },
  raw: { params: unknown; query: unknown; body: unknown },
  lang: Lang = 'en',
): { params: unknown; query: unknown; body: unknown } {
  const issues: FieldIssue[] = [];
  const out: Record<'params' | 'query' | 'body', unknown> = {
    params: raw.params,
    query: raw.query,
    body: undefined,
  };
  for (const part of ['params', 'query', 'body'] as const) {
    const schema = schemas[part];
    if (!schema) continue;
    const parsed = schema.safeParse(raw[part] ?? (part === 'body' ? undefined : {}), {
      error: ZOD_MESSAGES[lang],
    });
    if (parsed.success) out[part] = parsed.data;
    else issues.push(...withEnglish(toFieldIssues(part, parsed.error), schema, raw[part], part, lang));
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return out;
}
