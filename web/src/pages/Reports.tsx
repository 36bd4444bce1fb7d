// The auditors' report of a period (a quarter by default): counts of sessions held grouped by one
// or two dimensions, each number a link to the records behind it (and on to the recording or the
// device's receipt); planned vs aired with the exceptions and their reasons; CSV/XLSX exports
// written by a job whose progress shows here; charts with their tables (ReportCharts).
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import type { paths } from '../api-types.ts';
import { CommuneFilter } from '../components/CommuneFilter.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { Field } from '../components/Field.tsx';
import { formatInstant } from '../components/time.ts';
import { useLoad } from '../components/use-load.ts';
import { ReportCharts } from './ReportCharts.tsx';
import { ReportExports } from './ReportExports.tsx';
import { ReportRecords } from './ReportRecords.tsx';
import { COUNTS, DIMENSIONS, type Dimension, type Drill } from './report-types.ts';

type Counts = paths['/api/reports/sessions']['get']['responses']['200']['content']['application/json'];
type CountRow = Counts['rows'][number];
function currentQuarter(now = new Date()): string {
  const local = new Date(now.getTime() + 7 * 3600_000);
  return `${local.getUTCFullYear()}-Q${Math.floor(local.getUTCMonth() / 3) + 1}`;
}

/** The filter a row's key means for the records query. */
function rowFilters(groupBy: Dimension[], row: CountRow): Record<string, string> {
  const filters: Record<string, string> = {};
  groupBy.forEach((d, i) => {
    const key = row.keys[i];
    if (key == null) return;
    const name = d === 'commune' ? 'communeId' : d === 'cluster' ? 'clusterId' : d;
    filters[name] = key;
  });
  return filters;
}

export function ReportsPage() {
  const { t, i18n } = useTranslation();
  const [communes] = useLoad(() => api.communes(), []);
  const [period, setPeriod] = useState(currentQuarter());
  const [communeId, setCommuneId] = useState('');
  const [first, setFirst] = useState<Dimension>('commune');
  const [second, setSecond] = useState<Dimension | ''>('language');
  const [drill, setDrill] = useState<Drill | null>(null);
  const groupBy = second ? [first, second] : [first];
  const base = { period, ...(communeId ? { communeId } : {}) };
  const validPeriod = /^\d{4}-Q[1-4]$/.test(period);
  const [counts] = useLoad(
    () => (validPeriod ? api.reportSessions({ ...base, groupBy: groupBy.join(',') }) : Promise.resolve(null)),
    [period, communeId, first, second],
  );
  const [planned] = useLoad(
    () => (validPeriod ? api.reportPlanned({ ...base, limit: 50 }) : Promise.resolve(null)),
    [period, communeId],
  );
  const label = (d: Dimension, row: CountRow, i: number) => {
    const value = row.labels[i] ?? row.keys[i];
    if (value == null) return t('reports.none');
    return d === 'language' ? t(`reports.lang.${value}`, { defaultValue: value }) : value;
  };
  const pct = (v: number | null | undefined) => (v == null ? '—' : `${(v * 100).toFixed(1)} %`);

  return (
    <section className="reports">
      <h1>{t('reports.title')}</h1>
      <div className="filters">
        <Field label={t('reports.period')}>
          {(control) => (
            <input
              {...control}
              value={period}
              placeholder="2026-Q3"
              pattern="\d{4}-Q[1-4]"
              onChange={(e) => {
                setPeriod(e.target.value.trim());
                setDrill(null);
              }}
            />
          )}
        </Field>
        <CommuneFilter
          label={t('reports.commune')}
          allLabel={t('reports.allCommunes')}
          communes={communes.data ?? []}
          value={communeId}
          onChange={(id) => {
            setCommuneId(id);
            setDrill(null);
          }}
        />
        <Field label={t('reports.groupBy')}>
          {(control) => (
            <select {...control} value={first} onChange={(e) => setFirst(e.target.value as Dimension)}>
              {DIMENSIONS.map((d) => (
                <option key={d} value={d}>
                  {t(`reports.dimension.${d}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('reports.thenBy')}>
          {(control) => (
            <select {...control} value={second} onChange={(e) => setSecond(e.target.value as Dimension | '')}>
              <option value="">—</option>
              {DIMENSIONS.filter((d) => d !== first).map((d) => (
                <option key={d} value={d}>
                  {t(`reports.dimension.${d}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      {!validPeriod && <p className="error">{t('reports.badPeriod')}</p>}
      {counts.state === 'failed' && <ErrorNote error={counts.error} />}
      {counts.data && (
        <>
          <p className="muted" data-testid="counting-rule">
            {i18n.language === 'en' ? counts.data.rule.en : counts.data.rule.vi} ·{' '}
            {t('reports.periodDays', { from: counts.data.period.from, to: counts.data.period.to })}
          </p>
          <table className="counts" data-testid="report-counts">
            <thead>
              <tr>
                {groupBy.map((d) => (
                  <th key={d}>{t(`reports.dimension.${d}`)}</th>
                ))}
                {COUNTS.map((c) => (
                  <th key={c}>{t(`reports.outcome.${c}`)}</th>
                ))}
                <th>{t('reports.minutes')}</th>
                <th>{t('reports.successRate')}</th>
                <th>{t('reports.avgSkew')}</th>
              </tr>
            </thead>
            <tbody>
              {[...counts.data.rows, { ...counts.data.total, total: true }].map((row) => {
                const isTotal = 'total' in row;
                const names = isTotal
                  ? [t('reports.total'), ...groupBy.slice(1).map(() => '')]
                  : groupBy.map((d, i) => label(d as Dimension, row, i));
                return (
                  <tr key={isTotal ? 'total' : row.keys.join('|')} className={isTotal ? 'total' : undefined}>
                    {names.map((n, i) => (
                      <td key={`${groupBy[i]}`}>{n}</td>
                    ))}
                    {COUNTS.map((c) => (
                      <td key={c} className="num">
                        {row[c] > 0 ? (
                          <button
                            type="button"
                            className="link"
                            data-testid={`count-${c}`}
                            onClick={() =>
                              setDrill({
                                filters: {
                                  ...(communeId ? { communeId } : {}),
                                  ...(isTotal ? {} : rowFilters(groupBy, row)),
                                },
                                outcome: c,
                                title: `${names.filter(Boolean).join(' × ')} · ${t(`reports.outcome.${c}`)}: ${row[c]}`,
                              })
                            }
                          >
                            {row[c]}
                          </button>
                        ) : (
                          0
                        )}
                      </td>
                    ))}
                    <td className="num">{row.minutesAired.toFixed(1)}</td>
                    <td className="num">{pct(row.successRate)}</td>
                    <td className="num">{row.avgSkewMs == null ? '—' : row.avgSkewMs.toFixed(0)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
      {drill && validPeriod && <ReportRecords period={period} drill={drill} onClose={() => setDrill(null)} />}
      {validPeriod && <ReportExports request={{ period, groupBy, communeId }} />}
      <h2>{t('reports.planned')}</h2>
      {planned.state === 'failed' && <ErrorNote error={planned.error} />}
      {planned.data && (
        <div data-testid="planned">
          <p>
            {(['held', 'partial', 'failed', 'missed', 'preempted', 'cancelled', 'pending'] as const)
              .map((o) => `${t(`reports.outcome.${o}`)}: ${planned.data?.outcomes[o]}`)
              .join(' · ')}
          </p>
          <table>
            <thead>
              <tr>
                <th>{t('reports.scheduled')}</th>
                <th>{t('reports.dimension.commune')}</th>
                <th>{t('reports.dimension.cluster')}</th>
                <th>{t('reports.dimension.marketDay')}</th>
                <th>{t('reports.result')}</th>
                <th>{t('reports.reason')}</th>
                <th>{t('reports.secondsAired')}</th>
              </tr>
            </thead>
            <tbody>
              {planned.data.rows.map((r) => (
                <tr key={r.broadcastId}>
                  <td>{formatInstant(r.scheduledAt, i18n.language)}</td>
                  <td>{r.communeName}</td>
                  <td>{r.clusterName}</td>
                  <td>{r.marketDay ?? t('reports.none')}</td>
                  <td>{t(`reports.outcome.${r.outcome}`)}</td>
                  <td>{r.reason ?? r.reasonCode ?? ''}</td>
                  <td className="num">
                    {r.secondsAired ?? 0} / {r.durationSec}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {planned.data.next && <p className="muted">{t('reports.moreExceptions')}</p>}
        </div>
      )}
      {validPeriod && <ReportCharts period={period} communeId={communeId} />}
    </section>
  );
}
