// The live board: one card per cluster with what it airs now and next, its health, the day's
// missed airings called out, and the "Phát thử" (test tone) action for those who may air there.
// Kept up to date by the server's event stream (GET /api/board/events).
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { BOARD_EVENTS_URL } from '../../api.ts';
import type { Board, BoardCluster } from '../../api-shapes.ts';
import { PriorityBadge } from '../bulletin-format.tsx';
import { ErrorNote } from '../ErrorNote.tsx';
import { formatDuration, formatInstant } from '../time.ts';
import { BroadcastStatusBadge, formatClock, HealthBadge, useAiringName } from './broadcast-format.tsx';

export type BoardConnection = 'connecting' | 'live' | 'reconnecting';

/** The board as the server streams it; EventSource reconnects by itself after a drop. */
export function useLiveBoard(): { board: Board | null; connection: BoardConnection } {
  const [board, setBoard] = useState<Board | null>(null);
  const [connection, setConnection] = useState<BoardConnection>('connecting');
  useEffect(() => {
    const source = new EventSource(BOARD_EVENTS_URL);
    source.addEventListener('board', (e) => {
      setBoard(JSON.parse((e as MessageEvent<string>).data) as Board);
      setConnection('live');
    });
    source.onerror = () => setConnection('reconnecting');
    return () => source.close();
  }, []);
  return { board, connection };
}

export interface TestToneState {
  clusterId: string;
  state: 'sending' | 'sent' | 'failed';
  error?: unknown;
}

export function LiveBoard(props: {
  board: Board | null;
  connection: BoardConnection;
  canAir(cluster: BoardCluster): boolean;
  onTestTone(cluster: BoardCluster): void;
  testTone: TestToneState | null;
}) {
  const { t, i18n } = useTranslation();
  const name = useAiringName();
  const { board } = props;
  const missedTotal = board?.clusters.reduce((n, c) => n + c.missed.length, 0) ?? 0;
  return (
    <section className="board" aria-labelledby="board-title">
      <div className="page-head">
        <h2 id="board-title">{t('board.title')}</h2>
        <span className={`board-connection ${props.connection}`} data-testid="board-connection">
          {t(`board.connection.${props.connection}`)}
        </span>
      </div>
      {!board && <p className="muted">{t('common.loading')}</p>}
      {missedTotal > 0 && (
        <output className="warning board-missed-total">
          {t('board.missedToday', { count: missedTotal })}
        </output>
      )}
      {board && board.clusters.length === 0 && <p className="muted">{t('board.noClusters')}</p>}
      <ul className="board-grid">
        {board?.clusters.map((c) => {
          const tone = props.testTone?.clusterId === c.id ? props.testTone : null;
          return (
            <li
              key={c.id}
              className={`board-card${c.now ? ' airing' : ''}${c.missed.length ? ' has-missed' : ''}`}
              data-testid="board-cluster"
              data-cluster-id={c.id}
            >
              <div className="board-card-head">
                <h3>{c.name}</h3>
                <HealthBadge state={c.health.state} />
              </div>
              <p className="muted board-commune">
                {c.communeName}
                {c.health.lastSeenAt &&
                  ` · ${t('board.lastSeen', { at: formatInstant(c.health.lastSeenAt, i18n.language) })}`}
                {!c.enabled && ` · ${t('board.disabled')}`}
              </p>
              <dl>
                <dt>{t('board.now')}</dt>
                <dd data-testid="board-now">
                  {c.now ? (
                    <>
                      <BroadcastStatusBadge status={c.now.status} /> <strong>{name(c.now)}</strong>{' '}
                      {c.now.priority !== 'NORMAL' && <PriorityBadge priority={c.now.priority} />}
                      <small className="muted">
                        {' '}
                        {t('board.since', {
                          at: formatClock(c.now.firstAudioAt ?? c.now.startedAt, i18n.language),
                        })}
                        {' · '}
                        {formatDuration(c.now.durationSec)}
                      </small>
                    </>
                  ) : (
                    <span className="muted">{t('board.silent')}</span>
                  )}
                </dd>
                <dt>{t('board.next')}</dt>
                <dd data-testid="board-next">
                  {c.next ? (
                    <>
                      <strong>{formatInstant(c.next.scheduledAt, i18n.language)}</strong> {name(c.next)}
                    </>
                  ) : (
                    <span className="muted">{t('board.nothingPlanned')}</span>
                  )}
                </dd>
              </dl>
              {c.missed.length > 0 && (
                <div className="board-missed" data-testid="board-missed">
                  <strong>{t('board.missed', { count: c.missed.length })}</strong>
                  <ul>
                    {c.missed.slice(0, 3).map((m) => (
                      <li key={m.id}>
                        {formatClock(m.scheduledAt, i18n.language)} · {name(m)}
                        {m.reason && <small> — {m.reason}</small>}
                      </li>
                    ))}
                  </ul>
                </div>
              )}
              {props.canAir(c) && (
                <div className="board-actions">
                  <button
                    type="button"
                    onClick={() => props.onTestTone(c)}
                    disabled={!c.enabled || tone?.state === 'sending'}
                    aria-label={t('board.testToneOn', { cluster: c.name })}
                  >
                    {tone?.state === 'sending' ? t('board.testToneSending') : t('board.testToneAction')}
                  </button>
                  {tone?.state === 'sent' && <output className="ok-inline">{t('board.testToneSent')}</output>}
                  {tone?.state === 'failed' && <ErrorNote error={tone.error} />}
                </div>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
