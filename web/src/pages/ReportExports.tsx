// Export buttons: each asks the API for an export job and follows its progress until the file
// can be downloaded.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import type { paths } from '../api-types.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import type { Dimension } from './report-types.ts';

type ExportState =
  paths['/api/reports/exports/{exportId}']['get']['responses']['200']['content']['application/json'];

export function ReportExports(props: {
  request: { period: string; groupBy: Dimension[]; communeId: string };
}) {
  const { t } = useTranslation();
  const [current, setCurrent] = useState<ExportState | null>(null);
  const [error, setError] = useState<unknown>(null);
  const start = async (format: 'csv' | 'xlsx') => {
    setError(null);
    try {
      const { communeId, ...rest } = props.request;
      setCurrent(await api.startReportExport({ format, ...rest, filters: communeId ? { communeId } : {} }));
    } catch (err) {
      setError(err);
    }
  };
  // Follows a running export every half second until it is done or failed.
  useEffect(() => {
    if (!current || current.state === 'done' || current.state === 'failed') return;
    const timer = setTimeout(async () => {
      try {
        setCurrent(await api.reportExport(current.id));
      } catch (err) {
        setError(err);
      }
    }, 500);
    return () => clearTimeout(timer);
  }, [current]);
  const running = current !== null && (current.state === 'queued' || current.state === 'running');

  return (
    <div className="exports" data-testid="exports">
      <button type="button" disabled={running} onClick={() => start('csv')}>
        {t('reports.exportCsv')}
      </button>{' '}
      <button type="button" disabled={running} onClick={() => start('xlsx')}>
        {t('reports.exportXlsx')}
      </button>
      {current && (
        <span className="export-state">
          {' '}
          {running && (
            <>
              <progress value={current.progress} max={1} aria-label={t('reports.exportProgress')} />{' '}
              {t(`reports.exportState.${current.state}`)} {Math.round(current.progress * 100)} %
            </>
          )}
          {current.state === 'done' && (
            <a href={current.fileUrl} download={current.fileName} data-testid="export-download">
              {t('reports.download', { name: current.fileName })}
            </a>
          )}
          {current.state === 'failed' && (
            <span className="error">
              {t('reports.exportState.failed')}: {current.error}
            </span>
          )}
        </span>
      )}
      {error != null && <ErrorNote error={error} />}
    </div>
  );
}
