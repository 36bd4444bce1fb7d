// Instants are shown in Vietnam's legal time, whatever the browser's zone.
export const VIETNAM_ZONE = 'Asia/Ho_Chi_Minh';

export function formatInstant(iso: string | null | undefined, uiLanguage: string): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(uiLanguage === 'en' ? 'en-GB' : 'vi-VN', {
    timeZone: VIETNAM_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(iso));
}

/** Vietnam has kept UTC+7 without daylight saving since 1975: a fixed offset is exact. */
const VIETNAM_OFFSET_MS = 7 * 3600_000;

/** An instant as the value of an <input type="datetime-local">, in Vietnam time. */
export function toVietnamLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  return new Date(new Date(iso).getTime() + VIETNAM_OFFSET_MS).toISOString().slice(0, 16);
}

/** The value of an <input type="datetime-local"> read as Vietnam time, as an ISO instant. */
export function fromVietnamLocalInput(value: string): string | null {
  if (!value) return null;
  const instant = new Date(`${value.length === 16 ? `${value}:00` : value}+07:00`);
  return Number.isNaN(instant.getTime()) ? null : instant.toISOString();
}

/** A date without the time, in Vietnam time. */
export function formatDate(iso: string | null | undefined, uiLanguage: string): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(uiLanguage === 'en' ? 'en-GB' : 'vi-VN', {
    timeZone: VIETNAM_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date(iso));
}

/** A length or position of audio as m:ss (or h:mm:ss), whole seconds cut off as audio players do. */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.floor(seconds + 1e-6));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
