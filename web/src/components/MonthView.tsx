// A month of a market calendar: the market days of the visible month from the occurrence
// preview, each with its lunar date and the day's earthly branch ("14/1 âm · ngày Tý").
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import type { MarketCalendar, MarketDay } from '../api-shapes.ts';
import { formatIsoDate, lunarShort, marketDayLabel, todayIn, weekdayName } from './calendar-format.ts';
import { ErrorNote } from './ErrorNote.tsx';
import { useLoad } from './use-load.ts';

const pad = (n: number) => String(n).padStart(2, '0');
const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
/** Monday = 0 … Sunday = 6. */
const weekdayIndex = (year: number, month: number, day: number) =>
  (new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7;

export function MonthView({ calendar }: { calendar: MarketCalendar }) {
  const { t } = useTranslation();
  const today = todayIn(calendar.zone);
  const [month, setMonth] = useState(() => ({
    year: Number(today.slice(0, 4)),
    month: Number(today.slice(5, 7)),
  }));
  const from = `${month.year}-${pad(month.month)}-01`;
  const to = `${month.year}-${pad(month.month)}-${pad(daysIn(month.year, month.month))}`;
  const [days] = useLoad(
    () => api.marketDays(calendar.id, from, to),
    [calendar.id, calendar.updatedAt, from],
  );
  const byDate = new Map<string, MarketDay>((days.data?.days ?? []).map((d) => [d.date, d]));
  const shift = (delta: number) =>
    setMonth(({ year, month: m }) => {
      const index = year * 12 + (m - 1) + delta;
      return { year: Math.floor(index / 12), month: (index % 12) + 1 };
    });
  const title = t('calendars.month.title', { month: month.month, year: month.year });
  const blanks = weekdayIndex(month.year, month.month, 1);
  const count = daysIn(month.year, month.month);
  const shown = days.data && days.data.from === from ? days.data.days : [];

  return (
    <section className="month-view" aria-label={t('calendars.month.label', { name: calendar.name })}>
      <div className="month-head">
        <button type="button" onClick={() => shift(-1)} aria-label={t('calendars.month.previous')}>
          ‹
        </button>
        <h3 aria-live="polite">{title}</h3>
        <button type="button" onClick={() => shift(1)} aria-label={t('calendars.month.next')}>
          ›
        </button>
        <button
          type="button"
          className="link"
          onClick={() => setMonth({ year: Number(today.slice(0, 4)), month: Number(today.slice(5, 7)) })}
        >
          {t('calendars.month.today')}
        </button>
      </div>
      <ErrorNote error={days.state === 'failed' ? days.error : null} />
      <div className="month-grid" aria-hidden="true">
        {(['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const).map((code) => (
          <div key={code} className="month-dow">
            {t(`calendars.weekdaysShort.${code}`)}
          </div>
        ))}
        {Array.from({ length: blanks }, (_, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: blank cells before day 1 have no identity
          <div key={`blank-${i}`} className="month-cell blank" />
        ))}
        {Array.from({ length: count }, (_, i) => {
          const date = `${month.year}-${pad(month.month)}-${pad(i + 1)}`;
          const market = byDate.get(date);
          return (
            <div
              key={date}
              className={`month-cell${market ? ' market' : ''}${date === today ? ' today' : ''}`}
              title={market ? market.label : undefined}
            >
              <span className="solar">{i + 1}</span>
              {market && (
                <>
                  <span className="lunar">{lunarShort(t, market)}</span>
                  <span className="branch">{market.branch}</span>
                </>
              )}
            </div>
          );
        })}
      </div>
      {days.state === 'loading' && <p className="muted">{t('common.loading')}</p>}
      {days.state === 'loaded' && shown.length === 0 && <p className="muted">{t('calendars.month.none')}</p>}
      {shown.length > 0 && (
        <ul
          className="market-days"
          aria-label={t('calendars.month.listLabel', { month: month.month, year: month.year })}
        >
          {shown.map((d) => (
            <li key={d.date} className={d.date < today ? 'past' : undefined}>
              <span className="md-date">
                {weekdayName(t, d.weekday)} {formatIsoDate(d.date)}
              </span>{' '}
              <span className="md-lunar">{marketDayLabel(t, d)}</span>{' '}
              <span className="md-canchi">{t('calendars.canChiDay', { canChi: d.dayCanChi })}</span>
              {d.source !== 'rule' && (
                <span className="badge">
                  {t(`calendars.sources.${d.source}`, {
                    from: d.movedFrom ? formatIsoDate(d.movedFrom) : '',
                  })}
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
