// One bulletin: its status (live over Server-Sent Events while it is processed), the players
// with waveforms for the whole programme and each language, loudness, every rendition, the
// programme's timeline and the approval.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { EDITOR_ROLES } from '../access.ts';
import { api } from '../api.ts';
import type { Bulletin, BulletinStatusEvent, Commune } from '../api-shapes.ts';
import { PriorityBadge, StatusBadge } from '../components/bulletin-format.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { languageName } from '../components/languages.ts';
import { formatInstant } from '../components/time.ts';
import { useConfirmedAction } from '../components/use-confirmed-action.ts';
import { useLoad } from '../components/use-load.ts';
import { useNavigation } from '../navigation.tsx';
import { hasRoleIn, useSession } from '../session.tsx';
import { Players, RenditionTable, Timeline } from './BulletinRenditions.tsx';

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
      {canEdit && (
        <LifecycleBox
          bulletin={current}
          onChanged={(answer) => setOverride(answer)}
          onDeleted={() => navigate('/bulletins')}
        />
      )}
    </section>
  );
}

/** Which of the commune's languages will air (a track) and which will not; required ones missing. */
function LanguagePlan({ bulletin }: { bulletin: Bulletin }) {
  const { t, i18n } = useTranslation();
  const name = (l: Bulletin['languagePlan'][number]) => (i18n.language === 'en' ? l.nameEn : l.nameVi);
  const missing = bulletin.languagePlan.filter((l) => l.required && !l.airs);
  return (
    <>
      <ul className="language-plan" data-testid="language-plan">
        {bulletin.languagePlan.map((l) => (
          <li key={l.language} data-airs={l.airs}>
            {name(l)}:{' '}
            {l.airs
              ? t('languagePlan.airs')
              : l.required
                ? t('languagePlan.missing')
                : t('languagePlan.notAiring')}
          </li>
        ))}
      </ul>
      {missing.length > 0 && (
        <p className="error-note" role="alert" data-testid="missing-languages">
          {t('languagePlan.cannotProcess', { languages: missing.map(name).join(', ') })}
        </p>
      )}
    </>
  );
}

/** Delete a draft, withdraw an approval, archive: each asked for first. */
function LifecycleBox(props: { bulletin: Bulletin; onChanged(answer: Bulletin): void; onDeleted(): void }) {
  const { t, i18n } = useTranslation();
  const { bulletin } = props;
  const [error, confirmThen] = useConfirmedAction();
  if (bulletin.archivedAt) {
    return (
      <section className="card" aria-labelledby="lifecycle-heading">
        <h2 id="lifecycle-heading">{t('lifecycle.title')}</h2>
        <p className="muted" data-testid="archived">
          {t('lifecycle.archived', { when: formatInstant(bulletin.archivedAt, i18n.language) })}
        </p>
      </section>
    );
  }
  return (
    <section className="card" aria-labelledby="lifecycle-heading">
      <h2 id="lifecycle-heading">{t('lifecycle.title')}</h2>
      <ErrorNote error={error} />
      <div className="actions">
        {bulletin.erasable && (
          <button
            type="button"
            className="danger"
            onClick={() =>
              confirmThen(t('lifecycle.confirmDelete', { title: bulletin.title }), async () => {
                await api.deleteBulletin(bulletin.id);
                props.onDeleted();
              })
            }
          >
            {t('lifecycle.delete')}
          </button>
        )}
        {bulletin.approvedAt && (
          <button
            type="button"
            onClick={() =>
              confirmThen(t('lifecycle.confirmWithdraw', { title: bulletin.title }), async () =>
                props.onChanged(await api.withdrawApproval(bulletin.id)),
              )
            }
          >
            {t('lifecycle.withdraw')}
          </button>
        )}
        {!bulletin.erasable && (
          <button
            type="button"
            className="danger"
            onClick={() =>
              confirmThen(t('lifecycle.confirmArchive', { title: bulletin.title }), async () =>
                props.onChanged(await api.archiveBulletin(bulletin.id)),
              )
            }
          >
            {t('lifecycle.archive')}
          </button>
        )}
      </div>
      <p className="muted">{bulletin.erasable ? t('lifecycle.deleteHint') : t('lifecycle.archiveHint')}</p>
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
      <LanguagePlan bulletin={bulletin} />
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
      {props.canEdit && canStart && !bulletin.archivedAt && (
        <button
          type="button"
          className="primary"
          disabled={props.busy || bulletin.missingLanguages.length > 0}
          onClick={props.onProcess}
        >
          {bulletin.status === 'FAILED' ? t('processing.retry') : t('processing.start')}
        </button>
      )}
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
          who: bulletin.approvedById === user.id ? t('approval.you') : (bulletin.approverName ?? '—'),
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
        {t('approval.author', { who: isAuthor ? t('approval.you') : bulletin.authorName })}
      </p>
      {body}
    </section>
  );
}
