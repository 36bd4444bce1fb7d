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
