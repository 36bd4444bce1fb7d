// Charts of the period (recharts): sessions held per month by language and by commune, success
// rate and start skew per month — each with the table of its numbers under it.
import { useTranslation } from 'react-i18next';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { api } from '../api.ts';
import type { paths } from '../api-types.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { useLoad } from '../components/use-load.ts';

type Counts = paths['/api/reports/sessions']['get']['responses']['200']['content']['application/json'];

const COLOURS = ['#1f6f8b', '#e07a1f', '#5b8c2a', '#9b3b8e', '#c0392b', '#34495e', '#b7950b', '#16a085'];

/** Rows keyed [month, series] → one object per month with a field per series. */
function pivot(counts: Counts, pick: (row: Counts['rows'][number]) => number) {
  const series = [...new Set(counts.rows.map((r) => r.labels[1] ?? r.keys[1] ?? '—'))];
  const months = [...new Set(counts.rows.map((r) => r.keys[0] ?? '—'))].sort();
  const data = months.map((month) => {
    const point: Record<string, string | number> = { month };
    for (const r of counts.rows.filter((x) => x.keys[0] === month))
      point[r.labels[1] ?? r.keys[1] ?? '—'] = pick(r);
    return point;
  });
  return { series, data };
}

function PivotChart(props: {
  title: string;
  counts: Counts;
  testId: string;
  seriesLabel(s: string): string;
}) {
  const { series, data } = pivot(props.counts, (r) => r.held);
  return (
    <figure data-testid={props.testId}>
      <figcaption>{props.title}</figcaption>
      <ResponsiveContainer width="100%" height={260}>
        <BarChart data={data}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="month" />
          <YAxis allowDecimals={false} />
          <Tooltip />
          <Legend formatter={(s: string) => props.seriesLabel(s)} />
          {series.map((s, i) => (
            <Bar key={s} dataKey={s} name={s} stackId="a" fill={COLOURS[i % COLOURS.length]} />
          ))}
        </BarChart>
      </ResponsiveContainer>
      <table>
        <thead>
          <tr>
            <th />
            {series.map((s) => (
              <th key={s}>{props.seriesLabel(s)}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {data.map((point) => (
            <tr key={point.month}>
              <td>{point.month}</td>
              {series.map((s) => (
                <td key={s} className="num">
                  {point[s] ?? 0}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

export function ReportCharts(props: { period: string; communeId: string }) {
  const { t } = useTranslation();
  const base = { period: props.period, ...(props.communeId ? { communeId: props.communeId } : {}) };
  const [charts] = useLoad(
    () =>
      Promise.all([
        api.reportSessions({ ...base, groupBy: 'month,language' }),
        api.reportSessions({ ...base, groupBy: 'month,commune' }),
        api.reportSessions({ ...base, groupBy: 'month' }),
      ]),
    [props.period, props.communeId],
  );
  if (charts.state === 'failed') return <ErrorNote error={charts.error} />;
  if (!charts.data) return null;
  const [byLanguage, byCommune, byMonth] = charts.data;
  const monthly = byMonth.rows.map((r) => ({
    month: r.keys[0] ?? '—',
    rate: r.successRate == null ? 0 : Math.round(r.successRate * 1000) / 10,
    skew: r.avgSkewMs == null ? 0 : Math.round(r.avgSkewMs * 10) / 10,
    maxSkew: r.maxSkewMs == null ? 0 : Math.round(r.maxSkewMs),
  }));
  return (
    <section className="charts">
      <h2>{t('reports.charts')}</h2>
      <PivotChart
        title={t('reports.chartByLanguage')}
        counts={byLanguage}
        testId="chart-language"
        seriesLabel={(s) => t(`reports.lang.${s}`, { defaultValue: s })}
      />
      <PivotChart
        title={t('reports.chartByCommune')}
        counts={byCommune}
        testId="chart-commune"
        seriesLabel={(s) => s}
      />
      {(['rate', 'skew'] as const).map((measure) => (
        <figure key={measure} data-testid={`chart-${measure}`}>
          <figcaption>{t(measure === 'rate' ? 'reports.chartRate' : 'reports.chartSkew')}</figcaption>
          <ResponsiveContainer width="100%" height={220}>
            <LineChart data={monthly}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="month" />
              <YAxis unit={measure === 'rate' ? ' %' : ' ms'} />
              <Tooltip />
              <Line
                dataKey={measure}
                stroke={COLOURS[measure === 'rate' ? 2 : 1]}
                isAnimationActive={false}
              />
              {measure === 'skew' && <Line dataKey="maxSkew" stroke={COLOURS[4]} isAnimationActive={false} />}
            </LineChart>
          </ResponsiveContainer>
          <table>
            <thead>
              <tr>
                <th>{t('reports.dimension.month')}</th>
                {measure === 'rate' ? (
                  <th>{t('reports.successRate')}</th>
                ) : (
                  <>
                    <th>{t('reports.avgSkew')}</th>
                    <th>{t('reports.maxSkew')}</th>
                  </>
                )}
              </tr>
            </thead>
            <tbody>
              {monthly.map((m) => (
                <tr key={m.month}>
                  <td>{m.month}</td>
                  {measure === 'rate' ? (
                    <td className="num">{m.rate} %</td>
                  ) : (
                    <>
                      <td className="num">{m.skew}</td>
                      <td className="num">{m.maxSkew}</td>
                    </>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </figure>
      ))}
    </section>
  );
}
