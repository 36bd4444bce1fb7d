// The counting rule's setting (LOA_SESSION_MIN_LANGUAGE_SHARE: "0.9" or "90%"), read where a
// report is made: the API, the export job and `loa report` count alike.
import {
  type CountingRule,
  DEFAULT_COUNTING_RULE,
  parseMinLanguageShare,
} from '../domain/session-log/counting.ts';

export function countingRuleFromEnv(env: NodeJS.ProcessEnv = process.env): CountingRule {
  const text = env.LOA_SESSION_MIN_LANGUAGE_SHARE;
  if (text === undefined || text.trim() === '') return DEFAULT_COUNTING_RULE;
  return { minLanguageShare: parseMinLanguageShare(text) };
}
