// The records behind a number of the report, a page at a time: when and where, what aired in
// which language, the outcome and its reason, and on to the recording (recorder clusters) or the
// device's receipt.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import type { paths } from '../api-types.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { formatInstant } from '../components/time.ts';
import type { Drill } from './report-types.ts';

type RecordRow =
  paths['/api/reports/records']['get']['responses']['200']['content']['application/json']['records'][number];

const PAGE = 25;

export function ReportRecords(props: { period: string; drill: Drill; onClose(): void }) {
  const { t, i18n } = useTranslation();
  const [records, setRecords] = useState<RecordRow[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const load = async (cursor?: string) => {
    setBusy(true);
    setError(null);
    try {
      const page = await api.reportRecords({
        period: props.period,
        ...props.drill.filters,
        outcome: props.drill.outcome,
        limit: PAGE,
        ...(cursor ? { cursor } : {}),
      });
      setRecords((old) => (cursor ? [...old, ...page.records] : page.records));
      setNext(page.next);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new drill-down starts from its first page
  useEffect(() => {
    setRecords([]);
    void load();
  }, [props.drill, props.period]);

  return (
    <section className="drill" data-testid="drill-down" aria-live="polite">
      <h2>
        {t('reports.records')}: {props.drill.title}{' '}
        <button type="button" className="link" onClick={props.onClose}>
          {t('reports.close')}
        </button>
      </h2>
      {error != null && <ErrorNote error={error} />}
      <table>
        <thead>
          <tr>
            <th>{t('reports.scheduled')}</th>
            <th>{t('reports.dimension.cluster')}</th>
            <th>{t('reports.dimension.marketDay')}</th>
            <th>{t('reports.dimension.programme')}</th>
            <th>{t('reports.dimension.language')}</th>
            <th>{t('reports.secondsAired')}</th>
            <th>{t('reports.result')}</th>
            <th>{t('reports.evidence')}</th>
          </tr>
        </thead>
        <tbody>
          {records.map((r) => (
            <tr key={`${r.communeId}-${r.seq}`} data-testid="record-row">
              <td>{formatInstant(r.scheduledAt, i18n.language)}</td>
              <td>
                {r.clusterName} · {r.communeName}
              </td>
              <td>{r.marketDay ?? t('reports.none')}</td>
              <td>{r.programmes.join(', ')}</td>
              <td>{r.languages.map((l) => t(`reports.lang.${l}`, { defaultValue: l })).join(' → ')}</td>
              <td className="num">
                {r.secondsAired.toFixed(1)} / {r.durationSec.toFixed(0)}
              </td>
              <td>
                {t(`reports.outcome.${r.outcome}`)}
                {r.reason ? ` — ${r.reason}` : ''}
              </td>
              <td>
                {r.recordingUrl && (
                  <a href={r.recordingUrl} target="_blank" rel="noreferrer">
                    {t('reports.recording')}
                  </a>
                )}{' '}
                {r.receipt != null && (
                  <details>
                    <summary>{t('reports.receipt')}</summary>
                    <pre>{JSON.stringify(r.receipt, null, 2)}</pre>
                  </details>
                )}
                <small className="muted" title={r.hash}>
                  #{r.seq}
                </small>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {busy && <p className="muted">{t('common.loading')}</p>}
      {next && !busy && (
        <button type="button" onClick={() => load(next)}>
          {t('reports.more')}
        </button>
      )}
    </section>
  );
}
