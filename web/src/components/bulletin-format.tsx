// How bulletins read on every page: status and priority badges, sizes, loudness.
import { useTranslation } from 'react-i18next';
import type { BulletinStatus } from '../api-shapes.ts';
import type { Priority } from '../constants.ts';

export function StatusBadge({ status }: { status: BulletinStatus }) {
  const { t } = useTranslation();
  return (
    <span className={`badge status-${status.toLowerCase()}`} data-testid="bulletin-status">
      {t(`bulletins.statuses.${status}`)}
    </span>
  );
}

export function PriorityBadge({ priority }: { priority: Priority }) {
  const { t } = useTranslation();
  return (
    <span className={`badge priority-${priority.toLowerCase()}`}>
      {t(`bulletins.priorities.${priority}`)}
    </span>
  );
}

export function formatBytes(bytes: number, uiLanguage: string): string {
  const locale = uiLanguage === 'en' ? 'en-GB' : 'vi-VN';
  const units = ['B', 'kB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toLocaleString(locale, { maximumFractionDigits: digits })} ${units[unit]}`;
}

/** A measured level such as −18,0 LUFS, with a true minus sign. */
export function formatLevel(value: number, unit: string, uiLanguage: string): string {
  const locale = uiLanguage === 'en' ? 'en-GB' : 'vi-VN';
  const text = Math.abs(value).toLocaleString(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  return `${value < 0 ? '−' : ''}${text} ${unit}`;
}

export function formatHz(hz: number, uiLanguage: string): string {
  const locale = uiLanguage === 'en' ? 'en-GB' : 'vi-VN';
  return `${(hz / 1000).toLocaleString(locale, { maximumFractionDigits: 1 })} kHz`;
}
