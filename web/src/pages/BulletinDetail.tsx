// One bulletin: its status (live over Server-Sent Events while it is processed), the players
// with waveforms for the whole programme and each language, loudness, every rendition, the
// programme's timeline and the approval.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { EDITOR_ROLES } from '../access.ts';
import { api } from '../api.ts';
import {
  type Bulletin,
  type BulletinStatusEvent,
  type Commune,
  type Language,
  type Rendition,
  segmentsOf,
} from '../api-shapes.ts';
import {
  formatBytes,
  formatHz,
  formatLevel,
  PriorityBadge,
  StatusBadge,
} from '../components/bulletin-format.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { languageName } from '../components/languages.ts';
import { formatDuration, formatInstant } from '../components/time.ts';
import { useLoad } from '../components/use-load.ts';
import { segmentColour, WaveformPlayer } from '../components/WaveformPlayer.tsx';
import { useNavigation } from '../navigation.tsx';
import { hasRoleIn, useSession } from '../session.tsx';

/** What a browser plays best, in order of preference. */
const PLAYABLE_PROFILES = ['mp3-24k', 'opus-24k', 'wav-l16'];

function playable(renditions: Rendition[]): Rendition | undefined {
  for (const profile of PLAYABLE_PROFILES) {
    const found = renditions.find((r) => r.profileId === profile);
    if (found) return found;
  }
  return renditions.find((r) => r.mimeType.startsWith('audio/mpeg') || r.mimeType.startsWith('audio/wav'));
}

/** A fallback while processing, in case a status event is lost (the stream only speaks on changes). */
const PROCESSING_RECHECK_MS = 15_000;

/**
 * Follows the bulletin's status and progress over SSE; calls `onChange` when the status or the
 * revision moved, so the page loads the new tracks and renditions. `set` lets an action's answer
 * (Process, Approve) take the place of the last event.
 */
function useLiveStatus(bulletinId: string, onChange: () => void) {
  const [live, setLive] = useState<BulletinStatusEvent | null>(null);
  const last = useRef<BulletinStatusEvent | null>(null);
  const changed = useRef(onChange);
  changed.current = onChange;
  useEffect(() => {
    const source = new EventSource(`/api/bulletins/${encodeURIComponent(bulletinId)}/events`);
    source.addEventListener('status', (e) => {
      const event = JSON.parse((e as MessageEvent<string>).data) as BulletinStatusEvent;
      const before = last.current;
      last.current = event;
      setLive(event);
      if (before && (before.status !== event.status || before.revision !== event.revision)) changed.current();
    });
    source.addEventListener('progress', (e) => {
      const { progress } = JSON.parse((e as MessageEvent<string>).data) as { progress: number };
      // Progress only comes from a running transcode: the bulletin is being processed.
      const before = last.current;
      if (!before) return;
      last.current = { ...before, status: 'PROCESSING', progress, failureReason: null };
      setLive(last.current);
    });
    return () => source.close();
  }, [bulletinId]);
  const set = (event: BulletinStatusEvent) => {
    last.current = event;
    setLive(event);
  };
  // While processing, look again now and then: the end of a job is announced once.
  useEffect(() => {
    if (live?.status !== 'PROCESSING') return;
    const timer = window.setInterval(() => {
      api.bulletin(bulletinId).then(
        (b) => {
          if (b.status !== 'PROCESSING' && last.current?.status === 'PROCESSING') {
            last.current = {
              status: b.status,
              progress: b.progress,
              failureReason: b.failureReason,
              revision: b.revision,
            };
            setLive(last.current);
            changed.current();
          }
        },
        () => {},
      );
    }, PROCESSING_RECHECK_MS);
    return () => window.clearInterval(timer);
  }, [live?.status, bulletinId]);
  return [live, set] as const;
}

export function BulletinDetail({ bulletinId }: { bulletinId: string }) {
  const { t, i18n } = useTranslation();
  const { user } = useSession();
  const { navigate } = useNavigation();
  const [loaded, reload] = useLoad(() => api.bulletin(bulletinId), [bulletinId]);
  const [communes] = useLoad(() => api.communes(), []);
  const [languages] = useLoad(() => api.languages(), []);
  const [override, setOverride] = useState<Bulletin | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [live, setLive] = useLiveStatus(bulletinId, () => {
    setOverride(null);
    reload();
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: a fresh load replaces an action's answer
  useEffect(() => setOverride(null), [loaded.data]);

  const base = override ?? loaded.data;
  if (!base) {
    return loaded.state === 'failed' ? (
      <ErrorNote error={loaded.error} />
    ) : (
      <p className="muted">{t('common.loading')}</p>
    );
  }
  // The stream is newer than the last load while the revision is the same.
  const current =
    live && live.revision === base.revision
      ? { ...base, status: live.status, progress: live.progress, failureReason: live.failureReason }
      : base;
  const commune = communes.data?.find((c) => c.id === current.communeId);
  const canEdit = commune ? hasRoleIn(user, EDITOR_ROLES, commune) : false;
  const langs = languages.data ?? [];

  async function act(action: () => Promise<Bulletin>) {
    setActionError(null);
    setBusy(true);
    try {
      const answer = await action();
      setOverride(answer);
      setLive({
        status: answer.status,
        progress: answer.progress,
        failureReason: answer.failureReason,
        revision: answer.revision,
      });
    } catch (err) {
      setActionError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="bulletin-detail">
      <p className="breadcrumbs">
        <a
          href="/bulletins"
          onClick={(e) => {
            e.preventDefault();
            navigate('/bulletins');
          }}
        >
          {t('bulletins.title')}
        </a>
      </p>
      <div className="page-head">
        <h1>{current.title}</h1>
        {canEdit && (
          <button type="button" onClick={() => navigate(`/bulletins/${current.id}/edit`)}>
            {t('bulletins.edit')}
          </button>
        )}
      </div>
      <dl className="facts">
        <div>
          <dt>{t('bulletins.status')}</dt>
          <dd>
            <StatusBadge status={current.status} />
          </dd>
        </div>
        <div>
          <dt>{t('bulletins.priority')}</dt>
          <dd>
            <PriorityBadge priority={current.priority} />
          </dd>
        </div>
        <div>
          <dt>{t('bulletins.commune')}</dt>
          <dd>{commune?.name ?? '—'}</dd>
        </div>
        <div>
          <dt>{t('bulletins.programme')}</dt>
          <dd>{current.programme || '—'}</dd>
        </div>
        <div>
          <dt>{t('bulletins.validity')}</dt>
          <dd>
            {current.validFrom || current.validUntil
              ? `${formatInstant(current.validFrom, i18n.language)} – ${formatInstant(current.validUntil, i18n.language)}`
              : t('bulletins.noValidity')}
          </dd>
        </div>
        <div>
          <dt>{t('bulletins.languages')}</dt>
          <dd>
            {current.tracks.length === 0
              ? t('bulletins.noTracks')
              : [...current.tracks]
                  .sort((a, b) => a.position - b.position)
                  .map((tr) => languageName(langs, tr.language, i18n.language))
                  .join(' → ')}
          </dd>
        </div>
        <div>
          <dt>{t('bulletins.playSettings')}</dt>
          <dd>
            {t('bulletins.settingsSummary', {
              gapSec: current.settings.gapSec.toLocaleString(i18n.language === 'en' ? 'en-GB' : 'vi-VN'),
              repeat: current.settings.repeat,
              repeatGapSec: current.settings.repeatGapSec.toLocaleString(
                i18n.language === 'en' ? 'en-GB' : 'vi-VN',
              ),
            })}
          </dd>
        </div>
      </dl>

      <ProcessingBox
        bulletin={current}
        canEdit={canEdit}
        busy={busy}
        onProcess={() => act(() => api.transcode(current.id))}
      />
      {actionError ? <ErrorNote error={actionError} /> : null}

      {current.status === 'READY' && current.renditions.length > 0 && (
        <>
          <Players bulletin={current} languages={langs} />
          <Timeline bulletin={current} languages={langs} />
          <RenditionTable bulletin={current} languages={langs} />
        </>
      )}
      <ApprovalBox
        bulletin={current}
        commune={commune}
        busy={busy}
        onApprove={() => act(() => api.approve(current.id))}
      />
    </section>
  );
}

function ProcessingBox(props: { bulletin: Bulletin; canEdit: boolean; busy: boolean; onProcess(): void }) {
  const { t } = useTranslation();
  const { bulletin } = props;
  const percent = Math.round(bulletin.progress * 100);
  const canStart = bulletin.status === 'UPLOADED' || bulletin.status === 'FAILED';
  return (
    <section className="card" aria-labelledby="processing-heading">
      <h2 id="processing-heading">{t('processing.title')}</h2>
      {bulletin.status === 'DRAFT' && <p className="muted">{t('processing.draft')}</p>}
      {bulletin.status === 'UPLOADED' && <p className="muted">{t('processing.waiting')}</p>}
      {bulletin.status === 'PROCESSING' && (
        <div className="upload-progress">
          <label htmlFor="processing-progress">{t('processing.running', { percent })}</label>
          <progress
            id="processing-progress"
            max={1}
            value={bulletin.progress}
            data-testid="processing-progress"
          />
        </div>
      )}
      {bulletin.status === 'READY' && <p className="ok-inline">{t('processing.ready')}</p>}
      {bulletin.status === 'FAILED' && (
        <p className="error-note" role="alert">
          {t('processing.failed')} {bulletin.failureReason}
        </p>
      )}
      {props.canEdit && canStart && (
        <button type="button" className="primary" disabled={props.busy} onClick={props.onProcess}>
          {bulletin.status === 'FAILED' ? t('processing.retry') : t('processing.start')}
        </button>
      )}
    </section>
  );
}

function Players(props: { bulletin: Bulletin; languages: Language[] }) {
  const { t, i18n } = useTranslation();
  const { bulletin } = props;
  const order = [...bulletin.tracks].sort((a, b) => a.position - b.position).map((tr) => tr.language);
  const programme = playable(bulletin.renditions.filter((r) => r.language === null));
  const name = (code: string) => languageName(props.languages, code, i18n.language);
  return (
    <section className="card" aria-labelledby="players-heading">
      <h2 id="players-heading">{t('player.title')}</h2>
      {programme && (
        <div className="player-block">
          <WaveformPlayer
            rendition={programme}
            label={t('player.programme')}
            testId="player-programme"
            languages={order}
          />
          <Loudness rendition={programme} />
        </div>
      )}
      {order.map((code) => {
        const rendition = playable(bulletin.renditions.filter((r) => r.language === code));
        if (!rendition) return null;
        return (
          <div className="player-block" key={code}>
            <WaveformPlayer rendition={rendition} label={name(code)} testId={`player-${code}`} />
            <Loudness rendition={rendition} />
          </div>
        );
      })}
    </section>
  );
}

function Loudness({ rendition }: { rendition: Rendition }) {
  const { t, i18n } = useTranslation();
  return (
    <p className="loudness">
      {t('player.loudness')}: <strong>{formatLevel(rendition.integratedLufs, 'LUFS', i18n.language)}</strong>{' '}
      · {t('player.truePeak')}: <strong>{formatLevel(rendition.truePeakDbtp, 'dBTP', i18n.language)}</strong>{' '}
      · {t('player.duration')}: <strong>{formatDuration(rendition.durationSec)}</strong>
    </p>
  );
}

function Timeline(props: { bulletin: Bulletin; languages: Language[] }) {
  const { t, i18n } = useTranslation();
  const programme = props.bulletin.renditions.find((r) => r.language === null && r.segments);
  const segments = programme ? segmentsOf(programme) : [];
  if (!programme || segments.length === 0) return null;
  const order = [...props.bulletin.tracks].sort((a, b) => a.position - b.position).map((tr) => tr.language);
  const total = programme.durationSec || 1;
  const repeats = props.bulletin.settings.repeat > 1;
  const what = (s: (typeof segments)[number]) =>
    s.kind === 'language'
      ? languageName(props.languages, s.language ?? '', i18n.language)
      : t(`timeline.${s.kind}`);
  return (
    <section className="card" aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">{t('timeline.title')}</h2>
      <div className="timeline-bar" aria-hidden="true">
        {segments.map((s) => (
          <span
            key={`${s.kind}-${s.language ?? ''}-${s.repetition}-${s.startSec}`}
            style={{
              left: `${(s.startSec / total) * 100}%`,
              width: `${(s.durationSec / total) * 100}%`,
              background: segmentColour(s, order),
            }}
            title={what(s)}
          />
        ))}
      </div>
      <table className="compact" aria-label={t('timeline.title')}>
        <thead>
          <tr>
            <th>{t('timeline.from')}</th>
            <th>{t('timeline.to')}</th>
            <th>{t('timeline.what')}</th>
            {repeats && <th>{t('timeline.repetition')}</th>}
          </tr>
        </thead>
        <tbody>
          {segments.map((s) => (
            <tr key={`${s.kind}-${s.language ?? ''}-${s.repetition}-${s.startSec}`}>
              <td>{formatDuration(s.startSec)}</td>
              <td>{formatDuration(s.startSec + s.durationSec)}</td>
              <td>
                <span className="swatch" style={{ background: segmentColour(s, order) }} /> {what(s)}
              </td>
              {repeats && <td>{s.repetition + 1}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function RenditionTable(props: { bulletin: Bulletin; languages: Language[] }) {
  const { t, i18n } = useTranslation();
  const { bulletin } = props;
  // The programme first, then the languages in play order.
  const rank = (r: Rendition) =>
    r.language === null ? -1 : (bulletin.tracks.find((tr) => tr.language === r.language)?.position ?? 99);
  const sorted = [...bulletin.renditions].sort(
    (a, b) => rank(a) - rank(b) || a.profileId.localeCompare(b.profileId),
  );
  const extension = (r: Rendition) =>
    r.mimeType.includes('mpeg')
      ? 'mp3'
      : r.mimeType.includes('ogg')
        ? 'ogg'
        : r.mimeType.includes('wav')
          ? 'wav'
          : r.mimeType.includes('mulaw')
            ? 'ul16'
            : 'au';
  return (
    <section className="card" aria-labelledby="renditions-heading">
      <h2 id="renditions-heading">{t('renditions.title')}</h2>
      <div className="table-scroll">
        <table className="compact" aria-label={t('renditions.title')}>
          <thead>
            <tr>
              <th>{t('renditions.content')}</th>
              <th>{t('renditions.profile')}</th>
              <th>{t('renditions.codec')}</th>
              <th>{t('renditions.sampleRate')}</th>
              <th>{t('renditions.size')}</th>
              <th>{t('renditions.duration')}</th>
              <th>{t('renditions.loudness')}</th>
              <th>{t('renditions.truePeak')}</th>
              <th>
                <span className="sr-only">{t('renditions.download')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((r) => (
              <tr key={r.id}>
                <td>
                  {r.language === null
                    ? t('player.programme')
                    : languageName(props.languages, r.language, i18n.language)}
                </td>
                <td className="nowrap">
                  {t(`renditions.profiles.${r.profileId}`, { defaultValue: r.profileId })}
                </td>
                <td>{r.codec}</td>
                <td className="nowrap">{formatHz(r.sampleRate, i18n.language)}</td>
                <td className="nowrap">{formatBytes(r.bytes, i18n.language)}</td>
                <td>{formatDuration(r.durationSec)}</td>
                <td className="nowrap">{formatLevel(r.integratedLufs, 'LUFS', i18n.language)}</td>
                <td className="nowrap">
                  {formatLevel(r.truePeakDbtp, 'dBTP', i18n.language)}
                  {r.peakTrimDb < 0 && (
                    <small className="muted">
                      {' '}
                      {t('renditions.trimmed', { db: formatLevel(-r.peakTrimDb, 'dB', i18n.language) })}
                    </small>
                  )}
                </td>
                <td>
                  <a
                    href={r.url}
                    download={`${bulletin.title}-${r.language ?? 'chuong-trinh'}-${r.profileId}.${extension(r)}`}
                  >
                    {t('renditions.download')}
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function ApprovalBox(props: {
  bulletin: Bulletin;
  commune: Commune | undefined;
  busy: boolean;
  onApprove(): void;
}) {
  const { t, i18n } = useTranslation();
  const { user } = useSession();
  const { bulletin, commune } = props;
  const isAuthor = bulletin.authorId === user.id;
  const canApproveHere = commune ? hasRoleIn(user, EDITOR_ROLES, commune) : false;
  const isScheduler = commune ? hasRoleIn(user, ['SCHEDULER'], commune) : false;
  const emergencyBlocked = bulletin.priority === 'EMERGENCY' && !isScheduler;
  let body: React.ReactNode;
  if (bulletin.approvedAt) {
    body = (
      <p className="ok-inline" data-testid="approval">
        {t('approval.approved', {
          who: bulletin.approvedById === user.id ? t('approval.you') : t('approval.someoneElse'),
          when: formatInstant(bulletin.approvedAt, i18n.language),
        })}
      </p>
    );
  } else if (bulletin.status !== 'READY') {
    body = <p className="muted">{t('approval.notReady')}</p>;
  } else if (!canApproveHere) {
    body = <p className="muted">{t('approval.waiting')}</p>;
  } else if (isAuthor) {
    body = <p className="muted">{t('approval.authorCannot')}</p>;
  } else if (emergencyBlocked) {
    body = <p className="muted">{t('errors.emergency-needs-scheduler')}</p>;
  } else {
    body = (
      <>
        <p>{t('approval.prompt')}</p>
        <button type="button" className="primary" disabled={props.busy} onClick={props.onApprove}>
          {t('approval.approve')}
        </button>
      </>
    );
  }
  return (
    <section className="card" aria-labelledby="approval-heading">
      <h2 id="approval-heading">{t('approval.title')}</h2>
      <p className="muted">
        {t('approval.author', { who: isAuthor ? t('approval.you') : t('approval.someoneElse') })}
      </p>
      {body}
    </section>
  );
}
