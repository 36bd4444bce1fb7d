// The canonical serialisation of a session record and its place in the commune's hash chain.
//
//   body = canonical JSON of the record's BODY_FIELDS (keys sorted at every depth, no spaces,
//          instants as ISO 8601 UTC with milliseconds, absent values as null, plus "v": 1)
//   hash = sha256 hex of UTF-8 "<seq>\n<prevHash>\n<body>", prevHash of seq 1 = 64 zeros
//
// The database appends with the same formula (session_record_append in the migration), from the
// body made here; `loa log verify` makes the body again from the stored columns. Changing a
// field, its spelling or its order of keys would change every hash: add a version instead.
import { createHash } from 'node:crypto';

export const CANONICAL_VERSION = 1;
export const GENESIS_HASH = '0'.repeat(64);

/** The fields a record's hash covers: every column but the chain's own (seq, prevHash, hash). */
export const BODY_FIELDS = [
  'communeId',
  'kind',
  'broadcastId',
  'broadcastKind',
  'recordedAt',
  'communeCode',
  'communeName',
  'province',
  'clusterId',
  'clusterName',
  'clusterLocation',
  'slotId',
  'slotName',
  'slotTimeOfDay',
  'calendarName',
  'requestId',
  'occurrenceKey',
  'marketDay',
  'lunarDate',
  'priority',
  'bulletins',
  'bulletinIds',
  'programmes',
  'renditionSha256',
  'languages',
  'languageSeconds',
  'minLanguageShare',
  'durationSec',
  'secondsAired',
  'scheduledAt',
  'claimedAt',
  'firstAudioAt',
  'endedAt',
  'skewMs',
  'spreadMs',
  'attempts',
  'status',
  'reasonCode',
  'reason',
  'driverKind',
  'profileId',
  'receipt',
  'triggeredById',
  'triggeredBy',
  'triggerReason',
  'preemptedById',
] as const;

export type BodyField = (typeof BODY_FIELDS)[number];
export type RecordBodySource = { readonly [K in BodyField]?: unknown };

/** JSON with keys sorted by UTF-16 code units at every depth; instants as ISO strings. */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
    return JSON.stringify(value);
  }
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new TypeError(`cannot serialise a ${typeof value}`);
}

/** The body a record's hash covers. */
export function recordBody(record: RecordBodySource): string {
  const fields: Record<string, unknown> = { v: CANONICAL_VERSION };
  for (const field of BODY_FIELDS) fields[field] = record[field] ?? null;
  return canonicalJson(fields);
}

export function chainHash(seq: number, prevHash: string, body: string): string {
  return createHash('sha256').update(`${seq}\n${prevHash}\n${body}`, 'utf8').digest('hex');
}
