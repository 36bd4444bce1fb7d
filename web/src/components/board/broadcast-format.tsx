// How broadcasts read on the board and in the day's list: status badges, the airing's name,
// times and skew, in the UI language and Vietnam time.
import { useTranslation } from 'react-i18next';
import type { Broadcast, BroadcastStatus, HealthState } from '../../api-shapes.ts';
import { VIETNAM_ZONE } from '../time.ts';

const TONE = {
  PLANNED: 'planned',
  STARTING: 'live',
  AIRING: 'live',
  AIRED: 'ok',
  PARTIAL: 'warn',
  FAILED: 'down',
  MISSED: 'down',
  PREEMPTED: 'warn',
  CANCELLED: 'off',
} as const satisfies Record<BroadcastStatus, string>;

export function BroadcastStatusBadge({ status }: { status: BroadcastStatus }) {
  const { t } = useTranslation();
  return (
    <span className={`badge bc-${TONE[status]}`} data-testid="broadcast-status" data-status={status}>
      {t(`board.statuses.${status}`)}
    </span>
  );
}

export function HealthBadge({ state }: { state: HealthState }) {
  const { t } = useTranslation();
  const tone = state === 'ONLINE' ? 'ok' : state === 'OFFLINE' ? 'down' : 'off';
  return <span className={`badge bc-${tone}`}>{t(`board.health.${state}`)}</span>;
}

/** What airs: the bulletins' titles, or "test tone". */
export function useAiringName() {
  const { t } = useTranslation();
  return (b: Broadcast) =>
    b.kind === 'TEST' ? t('board.testTone') : b.titles.length ? b.titles.join(' · ') : t('board.untitled');
}

/** Time of day (HH:mm:ss) in Vietnam. */
export function formatClock(iso: string | null | undefined, uiLanguage: string): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(uiLanguage === 'en' ? 'en-GB' : 'vi-VN', {
    timeZone: VIETNAM_ZONE,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(iso));
}

/** Start skew as "+12 ms" (late) or "−3 ms" (early). */
export function formatSkew(ms: number | null | undefined, uiLanguage: string): string {
  if (ms === null || ms === undefined) return '—';
  const locale = uiLanguage === 'en' ? 'en-GB' : 'vi-VN';
  const text = Math.abs(ms).toLocaleString(locale, { maximumFractionDigits: Math.abs(ms) < 10 ? 1 : 0 });
  return `${ms < 0 ? '−' : '+'}${text} ms`;
}

/** Today's date in Vietnam, YYYY-MM-DD. */
export function vietnamToday(): string {
  return new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
}

/** The recorder captured something of it (the player has audio to play). */
export function hasRecording(b: Broadcast): boolean {
  return b.driverKind === 'RECORDER' && b.firstAudioAt !== null;
}
