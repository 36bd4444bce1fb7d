// Turns API problems and field messages into words for the user, in the UI language.
import type { TFunction } from 'i18next';
import { ApiError } from '../api.ts';

/** One sentence for a failed call: known codes are translated, others show the server's title. */
export function problemMessage(t: TFunction, error: unknown): string {
  if (!(error instanceof ApiError)) return t('errors.unexpected');
  if (error.code === 'too-many-login-attempts') {
    const minutes = Math.max(1, Math.ceil((error.retryAfterSeconds ?? 60) / 60));
    return t('errors.too-many-login-attempts', { minutes });
  }
  const known = t(`errors.${error.code}`, { defaultValue: '' });
  if (known) return known;
  return error.detail ? `${error.title}: ${error.detail}` : error.title;
}

const PATTERNS: [RegExp, string][] = [
  [/^must not be empty$/, 'fieldErrors.empty'],
  [/^at least (\d+) characters$/, 'fieldErrors.minLength'],
  [/^at most (\d+) characters$/, 'fieldErrors.maxLength'],
  [/^must be a UUID$/, 'fieldErrors.uuid'],
  [/^lowercase letters, digits, dot, dash and underscore only$/, 'fieldErrors.username'],
  [/^RTP uses an even port$/, 'fieldErrors.evenPort'],
  [/^must be an IANA time zone/, 'fieldErrors.timeZone'],
  [/^the official commune code/, 'fieldErrors.communeCode'],
  [/^unknown language code/, 'fieldErrors.language'],
  [/^give a province or a commune, not both$/, 'fieldErrors.scopeBoth'],
  [/^names a commune that does not exist$/, 'fieldErrors.noCommune'],
  [/^no such user$/, 'fieldErrors.noUser'],
  [/^Unrecognized keys?: (.*)$/, 'fieldErrors.unknownField'],
  [/^from 1 to 10$/, 'fieldErrors.range1to10'],
  [/^validUntil must be after validFrom$/, 'fieldErrors.untilAfterFrom'],
  [/^Invalid input: expected number/, 'fieldErrors.number'],
  [/^Too big: expected number to be <=?(\S+)$/, 'fieldErrors.tooBig'],
  [/^Too small: expected number to be >=?(\S+)$/, 'fieldErrors.tooSmall'],
  [/^Too small: expected array to have >=?(\d+) items?$/, 'fieldErrors.minItems'],
  [/^expected a real date YYYY-MM-DD$/, 'fieldErrors.isoDate'],
  [/^values must not repeat$/, 'fieldErrors.repeated'],
  [/^expected HH:mm/, 'fieldErrors.timeOfDay'],
  [/^at least one cluster$/, 'fieldErrors.oneCluster'],
  [/^at least one bulletin$/, 'fieldErrors.oneBulletin'],
];

/** The server words field issues in English; the common ones are said in the UI language. */
export function fieldMessage(t: TFunction, message: string): string {
  for (const [pattern, key] of PATTERNS) {
    const match = pattern.exec(message);
    if (match) return t(key, { n: match[1], message });
  }
  return message;
}
