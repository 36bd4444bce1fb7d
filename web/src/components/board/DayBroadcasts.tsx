// The broadcasts of a day (Vietnam time) with status, start skew, seconds aired and the reason of
// each ending, and a player for what the recorder captured. Read again whenever the board moves.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, recordingUrl } from '../../api.ts';
import type { Broadcast } from '../../api-shapes.ts';
import { PriorityBadge } from '../bulletin-format.tsx';
import { LoadNote } from '../LoadNote.tsx';
import { formatDuration } from '../time.ts';
import { useLoad } from '../use-load.ts';
import {
  BroadcastStatusBadge,
  formatClock,
  formatSkew,
  hasRecording,
  useAiringName,
  vietnamToday,
} from './broadcast-format.tsx';

export function DayBroadcasts({ refreshKey }: { refreshKey: unknown }) {
  const { t, i18n } = useTranslation();
  const name = useAiringName();
  const [day, setDay] = useState(vietnamToday);
  const [load, reload] = useLoad(() => api.broadcasts({ day }), [day]);
  const [playing, setPlaying] = useState<string | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new board means rows may have moved
  useEffect(() => {
    if (day === vietnamToday()) reload();
  }, [refreshKey]);
  const rows = load.data;
  return (
    <section className="day-broadcasts" aria-labelledby="day-title">
      <div className="page-head">
        <h2 id="day-title">{t('board.dayTitle')}</h2>
        <label className="inline">
          {t('board.day')}{' '}
          <input type="date" value={day} onChange={(e) => e.target.value && setDay(e.target.value)} />
        </label>
      </div>
      <LoadNote load={load} empty={t('board.noBroadcasts')} />
      {rows && rows.length > 0 && (
        <table className="stack" aria-label={t('board.dayTitle')}>
          <thead>
            <tr>
              <th>{t('board.columns.time')}</th>
              <th>{t('board.columns.what')}</th>
              <th>{t('board.columns.cluster')}</th>
              <th>{t('board.columns.status')}</th>
              <th>{t('board.columns.skew')}</th>
              <th>{t('board.columns.aired')}</th>
              <th>
                <span className="sr-only">{t('board.columns.recording')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((b: Broadcast) => (
              <tr key={b.id} data-testid="day-broadcast" data-broadcast-id={b.id}>
                <td data-label={t('board.columns.time')}>{formatClock(b.scheduledAt, i18n.language)}</td>
                <td className="title-cell">
                  <strong>{name(b)}</strong> <span className="muted">{t(`board.kinds.${b.kind}`)}</span>{' '}
                  {b.priority !== 'NORMAL' && <PriorityBadge priority={b.priority} />}
                  {b.triggerReason && b.kind === 'EMERGENCY' && (
                    <small className="muted block">{t('board.because', { reason: b.triggerReason })}</small>
                  )}
                </td>
                <td data-label={t('board.columns.cluster')}>{b.clusterName}</td>
                <td data-label={t('board.columns.status')}>
                  <BroadcastStatusBadge status={b.status} />
                  {b.reason && <small className="block reason">{b.reason}</small>}
                </td>
                <td data-label={t('board.columns.skew')}>
                  {formatSkew(b.skewMs, i18n.language)}
                  {b.spreadMs !== null && (
                    <small className="muted block">
                      {t('board.spread', { spread: formatSkew(b.spreadMs, i18n.language).slice(1) })}
                    </small>
                  )}
                </td>
                <td data-label={t('board.columns.aired')}>
                  {b.secondsAired === null
                    ? '—'
                    : `${formatDuration(b.secondsAired)} / ${formatDuration(b.durationSec)}`}
                </td>
                <td className="row-actions">
                  {hasRecording(b) &&
                    (playing === b.id ? (
                      // biome-ignore lint/a11y/useMediaCaption: a recording of speech with no captions to give
                      <audio
                        controls
                        autoPlay
                        src={recordingUrl(b.id)}
                        aria-label={t('board.recordingOf', { what: name(b), cluster: b.clusterName })}
                        data-testid="recording-player"
                      />
                    ) : (
                      <button type="button" onClick={() => setPlaying(b.id)}>
                        {t('board.listen')}
                      </button>
                    ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
