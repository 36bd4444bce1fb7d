// The audit trail for a reader: each event as a sentence ("Lò Thị Mai đã duyệt bản tin «…»"),
// and its detail as the fields that changed, before → after, rather than JSON.
import type { TFunction } from 'i18next';
import type { AuditEvent } from '../api-shapes.ts';
import { formatInstant } from './time.ts';

/** Every type of record the trail holds (server/modules/audit/vocabulary.test.ts keeps it so). */
export const AUDIT_ENTITY_TYPES = [
  'bulletin',
  'slot',
  'market-calendar',
  'cluster',
  'commune',
  'user',
  'api-token',
] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
/** Bookkeeping a reader does not need in a change list. */
const UNSHOWN = new Set(['id', 'communeId', 'createdAt', 'updatedAt']);

export function actorOf(e: AuditEvent, t: TFunction): string {
  const who = e.actorDisplayName ?? e.actorName;
  return e.via === 'token' ? `${who} (${t('audit.viaToken')})` : who;
}

export function recordOf(e: AuditEvent): string {
  return e.recordName ?? (e.entityId ? `#${e.entityId.slice(0, 8)}` : '—');
}

/** "Cán bộ lập lịch phát đã duyệt bản tin «Phòng chống cháy rừng»". */
export function auditSentence(e: AuditEvent, t: TFunction): string {
  const values = {
    actor: actorOf(e, t),
    record: recordOf(e),
    type: t(`audit.types.${e.entityType}`, { defaultValue: e.entityType }).toLowerCase(),
    action: e.action,
  };
  return t(`audit.sentences.${e.action}`, { ...values, defaultValue: t('audit.sentences.other', values) });
}

export interface FieldChange {
  field: string;
  before?: unknown;
  after?: unknown;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The fields an event changed. An update lists the fields of its "after" that differ from
 * "before"; a creation lists what was made; a removal what was removed.
 */
export function fieldChanges(before: unknown, after: unknown): FieldChange[] {
  const was = isRecord(before) ? before : undefined;
  const now = isRecord(after) ? after : undefined;
  const keys = Object.keys(now ?? was ?? {}).filter((k) => !UNSHOWN.has(k));
  const changes: FieldChange[] = [];
  for (const field of keys) {
    const old = was?.[field];
    const current = now?.[field];
    if (was && now && JSON.stringify(old) === JSON.stringify(current)) continue;
    changes.push({ field, ...(was ? { before: old } : {}), ...(now ? { after: current } : {}) });
  }
  // Something other than an object (rare): one line for the whole state.
  if (!was && !now && (before != null || after != null)) changes.push({ field: 'value', before, after });
  return changes;
}

/** One value, readably: names of enums, dates in local time, ids shortened, lists and settings inline. */
export function formatValue(field: string, value: unknown, t: TFunction, language: string): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'boolean') return value ? t('audit.yes') : t('audit.no');
  if (typeof value === 'number') return value.toLocaleString(language);
  if (typeof value === 'string') {
    if (UUID.test(value)) return `#${value.slice(0, 8)}`;
    if (INSTANT.test(value)) return formatInstant(value, language);
    const named = ENUM_KEYS[field];
    return named ? t(`${named}.${value}`, { defaultValue: value }) : value;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return '—';
    if (value.every((v) => typeof v === 'string' && UUID.test(v)))
      return t('audit.items', { count: value.length });
    return value.map((v) => formatValue(field, v, t, language)).join(', ');
  }
  if (isRecord(value)) {
    return Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${fieldLabel(k, t)}: ${formatValue(k, v, t, language)}`)
      .join('; ');
  }
  return String(value);
}

export function fieldLabel(field: string, t: TFunction): string {
  return t(`audit.fields.${field}`, { defaultValue: field });
}

/** Fields whose values are codes with a name in the locales. */
const ENUM_KEYS: Record<string, string> = {
  priority: 'bulletins.priorities',
  status: 'bulletins.statuses',
  driverKind: 'clusters.kinds',
  role: 'roles',
};
