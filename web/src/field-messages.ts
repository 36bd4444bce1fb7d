// The field issues the UI words itself, recognised by the server's English wording (a problem's
// field issue carries it as `en` when its `message` is in another language).
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

export function fieldMessageKey(english: string): { key: string; n: string | undefined } | null {
  for (const [pattern, key] of PATTERNS) {
    const match = pattern.exec(english);
    if (match) return { key, n: match[1] };
  }
  return null;
}
