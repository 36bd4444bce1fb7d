// What counts as a session held (buổi phát), the figure auditors report. By default: one
// cluster × one occurrence (a slot's market day, or an emergency request) whose every language
// aired for at least 90 % of its length. An airing cut a little short (partial) still counts when
// every language reached the share; everything else is reported by its own outcome, never as
// held: preempted (even if nearly whole), partial below the share, failed, missed, cancelled.
// Test tones are never sessions. The share is configurable (LOA_SESSION_MIN_LANGUAGE_SHARE).
export const DEFAULT_MIN_LANGUAGE_SHARE = 0.9;

export interface CountingRule {
  /** 0 < share ≤ 1: the part of its length every language must have aired. */
  minLanguageShare: number;
}

export const DEFAULT_COUNTING_RULE: CountingRule = { minLanguageShare: DEFAULT_MIN_LANGUAGE_SHARE };

/** The statuses that may count as held, given the share (the reports' SQL filters the same way). */
export const HELD_STATUSES = ['AIRED', 'PARTIAL'] as const;

export type SessionOutcome = 'held' | 'partial' | 'failed' | 'missed' | 'preempted' | 'cancelled' | 'test';

export interface CountableRecord {
  broadcastKind: string;
  status: string;
  /** Smallest aired/planned share over the languages; null when the plan had no language. */
  minLanguageShare: number | null;
}

export function sessionOutcome(
  record: CountableRecord,
  rule: CountingRule = DEFAULT_COUNTING_RULE,
): SessionOutcome {
  if (record.broadcastKind === 'TEST') return 'test';
  switch (record.status) {
    case 'AIRED':
    case 'PARTIAL': {
      const share = record.minLanguageShare;
      // No language known (a plan with no language segment): only a whole airing counts.
      const enough = share === null ? record.status === 'AIRED' : share >= rule.minLanguageShare;
      return enough ? 'held' : 'partial';
    }
    case 'FAILED':
      return 'failed';
    case 'MISSED':
      return 'missed';
    case 'PREEMPTED':
      return 'preempted';
    case 'CANCELLED':
      return 'cancelled';
    default:
      throw new RangeError(`not an ended status: ${record.status}`);
  }
}

/** Sessions held: distinct cluster × occurrence among the records that count. */
export function countHeld(
  records: Iterable<CountableRecord & { clusterId: string; occurrenceKey: string }>,
  rule: CountingRule = DEFAULT_COUNTING_RULE,
): number {
  const held = new Set<string>();
  for (const r of records)
    if (sessionOutcome(r, rule) === 'held') held.add(`${r.clusterId}|${r.occurrenceKey}`);
  return held.size;
}

/** The rule in words, for README, reports and exports. */
export function describeCountingRule(rule: CountingRule = DEFAULT_COUNTING_RULE): { vi: string; en: string } {
  const pct = `${Math.round(rule.minLanguageShare * 1000) / 10} %`;
  return {
    vi: `Một buổi phát = một cụm loa × một lần phát (phiên chợ của khung giờ, hoặc một lệnh khẩn cấp), mọi ngôn ngữ phát ít nhất ${pct} thời lượng; phát thiếu, lỗi, bỏ lỡ, bị ngắt và huỷ được thống kê riêng.`,
    en: `One session = one cluster × one occurrence (a slot's market day, or one emergency request) with every language aired for at least ${pct} of its length; partial, failed, missed, preempted and cancelled airings are reported separately.`,
  };
}

/** Reads the share from its setting: a number in (0, 1], or a percentage such as "90%". */
export function parseMinLanguageShare(text: string): number {
  const trimmed = text.trim();
  const value = trimmed.endsWith('%') ? Number(trimmed.slice(0, -1)) / 100 : Number(trimmed);
  if (!Number.isFinite(value) || value <= 0 || value > 1) {
    throw new RangeError(`phải trong (0, 1] hoặc (0 %, 100 %] / must be in (0, 1] or (0%, 100%]: "${text}"`);
  }
  return value;
}
