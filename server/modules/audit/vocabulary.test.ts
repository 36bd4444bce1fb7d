// Every action and record type the code writes to the audit trail can be read in the web app:
// each action has a sentence in Vietnamese and English, each record type a name and a place in
// the record-type filter. Found by reading the code that calls recordAudit.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const WRITERS = ['server', 'worker', 'scripts', 'cli'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sources(path);
    return /\.(ts|mjs)$/.test(entry.name) && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The string literals given as `action:` and `entityType:` in calls that record audit events. */
function recorded(): { actions: Set<string>; types: Set<string> } {
  const actions = new Set<string>();
  const types = new Set<string>();
  for (const file of WRITERS.flatMap(sources)) {
    const text = readFileSync(file, 'utf8');
    if (!text.includes('recordAudit(')) continue;
    for (const [, expr] of text.matchAll(/\baction: ([^,\n}]+)/g))
      for (const [, name] of (expr ?? '').matchAll(/'([a-z-]+\.[a-z-]+)'/g)) actions.add(name as string);
    for (const [, name] of text.matchAll(/\bentityType: '([a-z-]+)'/g)) types.add(name as string);
  }
  return { actions, types };
}

const locale = (lang: string) =>
  JSON.parse(readFileSync(`web/src/locales/${lang}.json`, 'utf8')) as {
    audit: { sentences: Record<string, string>; types: Record<string, string> };
  };

describe('the audit vocabulary', () => {
  const { actions, types } = recorded();

  it('finds what the code records', () => {
    expect(actions).toContain('bulletin.approve');
    expect(actions).toContain('slot.create');
    expect(actions).toContain('slot.update');
    expect(types).toContain('market-calendar');
  });

  it('has a sentence for every action and a name for every record type, in Vietnamese and English', () => {
    for (const lang of ['vi', 'en']) {
      const { sentences, types: names } = locale(lang).audit;
      expect(
        [...actions].filter((a) => !sentences[a]),
        `${lang}: actions without a sentence`,
      ).toEqual([]);
      expect(
        [...types].filter((t) => !names[t]),
        `${lang}: record types without a name`,
      ).toEqual([]);
    }
  });

  it('offers every record type in the filter', () => {
    const source = readFileSync('web/src/components/audit-format.tsx', 'utf8');
    const list = source.match(/AUDIT_ENTITY_TYPES = \[([^\]]*)\]/)?.[1] ?? '';
    const offered = new Set([...list.matchAll(/'([a-z-]+)'/g)].map((m) => m[1]));
    expect([...types].filter((t) => !offered.has(t))).toEqual([]);
  });
});
