// Seconds aired per language, from the plan's timeline and how far the audio got: the plan's
// items play one after another (each after its gap), each item's language segments sit at their
// offsets, and a language has aired whatever part of its segments lies before `secondsAired`.
// Languages come in the order they first air; a language met twice (repeats) adds up.
import type { ProgrammeSegment } from '../bulletin.ts';

export interface TimelineItem {
  gapBeforeSec?: number;
  durationSec: number;
  segments: readonly ProgrammeSegment[];
}

export interface LanguageSeconds {
  language: string;
  plannedSec: number;
  airedSec: number;
}

const ms = (sec: number) => Math.round(sec * 1000) / 1000;

export function languageSeconds(items: readonly TimelineItem[], secondsAired: number): LanguageSeconds[] {
  const byLanguage = new Map<string, { plannedSec: number; airedSec: number }>();
  let offset = 0;
  for (const item of items) {
    offset += item.gapBeforeSec ?? 0;
    for (const segment of item.segments) {
      if (segment.kind !== 'language' || !segment.language) continue;
      const start = offset + segment.startSec;
      const end = start + segment.durationSec;
      const aired = Math.max(0, Math.min(end, secondsAired) - start);
      const sum = byLanguage.get(segment.language) ?? { plannedSec: 0, airedSec: 0 };
      sum.plannedSec += segment.durationSec;
      sum.airedSec += aired;
      byLanguage.set(segment.language, sum);
    }
    offset += item.durationSec;
  }
  return [...byLanguage].map(([language, s]) => ({
    language,
    plannedSec: ms(s.plannedSec),
    airedSec: ms(s.airedSec),
  }));
}

/** The smallest share of its length any language aired (null when the plan has no language). */
export function minLanguageShare(seconds: readonly LanguageSeconds[]): number | null {
  const shares = seconds.filter((s) => s.plannedSec > 0).map((s) => Math.min(1, s.airedSec / s.plannedSec));
  return shares.length ? Math.round(Math.min(...shares) * 1e6) / 1e6 : null;
}
