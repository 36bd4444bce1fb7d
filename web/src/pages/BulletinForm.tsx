// Create or edit a bulletin: what it is (title, programme, priority, validity), how it plays
// (gap, repeats, chimes) and, once it exists, its language tracks.
import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { EDITOR_ROLES } from '../access.ts';
import { ApiError, api } from '../api.ts';
import type { Bulletin, BulletinUpdate, Commune, PlaySettings } from '../api-shapes.ts';
import { StatusBadge } from '../components/bulletin-format.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { Field, TextField } from '../components/Field.tsx';
import { TrackEditor } from '../components/TrackEditor.tsx';
import { fromVietnamLocalInput, toVietnamLocalInput } from '../components/time.ts';
import { useLoad } from '../components/use-load.ts';
import { PRIORITIES, type Priority } from '../constants.ts';
import { useNavigation } from '../navigation.tsx';
import { hasRoleIn, useSession } from '../session.tsx';

const DEFAULT_SETTINGS: PlaySettings = {
  gapSec: 1.5,
  repeat: 1,
  repeatGapSec: 5,
  chime: true,
  outroChime: false,
};

export function BulletinForm({ bulletinId }: { bulletinId: string | null }) {
  const { t } = useTranslation();
  const { navigate } = useNavigation();
  const [communes] = useLoad(() => api.communes(), []);
  const [loaded, reload] = useLoad(
    () => (bulletinId ? api.bulletin(bulletinId) : Promise.resolve(null)),
    [bulletinId],
  );
  const [bulletin, setBulletin] = useState<Bulletin | null>(null);
  useEffect(() => {
    if (loaded.state === 'loaded') setBulletin(loaded.data);
  }, [loaded]);

  if (loaded.state === 'failed' && !loaded.data) return <ErrorNote error={loaded.error} />;
  if (!communes.data || (bulletinId && !bulletin)) {
    return communes.state === 'failed' ? (
      <ErrorNote error={communes.error} />
    ) : (
      <p className="muted">{t('common.loading')}</p>
    );
  }
  const commune = bulletin ? communes.data.find((c) => c.id === bulletin.communeId) : undefined;

  return (
    <section>
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
        {bulletin && (
          <>
            {' › '}
            <a
              href={`/bulletins/${bulletin.id}`}
              onClick={(e) => {
                e.preventDefault();
                navigate(`/bulletins/${bulletin.id}`);
              }}
            >
              {bulletin.title}
            </a>
          </>
        )}
      </p>
      <div className="page-head">
        <h1>{bulletin ? t('bulletins.editTitle') : t('bulletins.addTitle')}</h1>
        {bulletin && <StatusBadge status={bulletin.status} />}
      </div>
      {/* Once the bulletin exists, its tracks are what the officer came for: they come first. */}
      {bulletin && commune && <TrackEditor bulletin={bulletin} commune={commune} onChanged={reload} />}
      <BulletinFields
        key={bulletin?.id ?? 'new'}
        bulletin={bulletin}
        communes={communes.data}
        onSaved={(saved) => {
          if (!bulletin) navigate(`/bulletins/${saved.id}/edit`);
          else setBulletin(saved);
        }}
      />
      {bulletin && (
        <div className="actions end">
          <button type="button" className="primary" onClick={() => navigate(`/bulletins/${bulletin.id}`)}>
            {t('bulletins.toDetail')}
          </button>
        </div>
      )}
    </section>
  );
}

function BulletinFields(props: {
  bulletin: Bulletin | null;
  communes: Commune[];
  onSaved(bulletin: Bulletin): void;
}) {
  const { t } = useTranslation();
  const { user } = useSession();
  const original = props.bulletin;
  const editable = props.communes.filter((c) => hasRoleIn(user, EDITOR_ROLES, c));
  const [communeId, setCommuneId] = useState(original?.communeId ?? editable[0]?.id ?? '');
  const [title, setTitle] = useState(original?.title ?? '');
  const [programme, setProgramme] = useState(original?.programme ?? '');
  const [priority, setPriority] = useState<Priority>(original?.priority ?? 'NORMAL');
  const [reason, setReason] = useState('');
  const [validFrom, setValidFrom] = useState(toVietnamLocalInput(original?.validFrom));
  const [validUntil, setValidUntil] = useState(toVietnamLocalInput(original?.validUntil));
  const [settings, setSettings] = useState<PlaySettings>(original?.settings ?? DEFAULT_SETTINGS);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const fields = error instanceof ApiError ? error.fieldErrors() : {};
  const commune = props.communes.find((c) => c.id === communeId);
  const canEmergency = commune ? hasRoleIn(user, ['SCHEDULER'], commune) : false;
  const setSetting = <K extends keyof PlaySettings>(key: K, value: PlaySettings[K]) =>
    setSettings((s) => ({ ...s, [key]: value }));
  const number = (text: string) => (text.trim() === '' ? Number.NaN : Number(text));

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setSaved(false);
    setBusy(true);
    const from = fromVietnamLocalInput(validFrom);
    const until = fromVietnamLocalInput(validUntil);
    try {
      if (!original) {
        const created = await api.createBulletin({
          communeId,
          title,
          programme,
          priority,
          validFrom: from,
          validUntil: until,
          settings,
          ...(priority === 'EMERGENCY' ? { reason } : {}),
        });
        props.onSaved(created);
      } else {
        // Only what changed: new play settings or priority would otherwise drop the renditions
        // or the approval for nothing.
        const body: BulletinUpdate = {};
        if (title !== original.title) body.title = title;
        if (programme !== original.programme) body.programme = programme;
        if (priority !== original.priority) body.priority = priority;
        if (body.priority === 'EMERGENCY') body.reason = reason;
        if (from !== (original.validFrom ? new Date(original.validFrom).toISOString() : null))
          body.validFrom = from;
        if (until !== (original.validUntil ? new Date(original.validUntil).toISOString() : null))
          body.validUntil = until;
        const changedSettings = (Object.keys(settings) as (keyof PlaySettings)[]).filter(
          (k) => settings[k] !== original.settings[k],
        );
        if (changedSettings.length > 0)
          body.settings = Object.fromEntries(changedSettings.map((k) => [k, settings[k]]));
        if (Object.keys(body).length > 0) props.onSaved(await api.updateBulletin(original.id, body));
        setSaved(true);
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const title_ = original ? t('bulletins.aboutTitle') : t('bulletins.addTitle');
  return (
    <form className="card" aria-label={title_} onSubmit={submit}>
      <h2>{title_}</h2>
      <ErrorNote error={error} />
      {saved && <output className="ok-note">{t('bulletins.saved')}</output>}
      <div className="grid">
        <Field label={t('bulletins.commune')} error={fields.communeId}>
          {(control) => (
            <select
              {...control}
              value={communeId}
              disabled={Boolean(original)}
              onChange={(e) => setCommuneId(e.target.value)}
            >
              {(original ? props.communes : editable).map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <TextField
          label={t('bulletins.titleField')}
          value={title}
          onChange={setTitle}
          required
          maxLength={200}
          error={fields.title}
        />
        <TextField
          label={t('bulletins.programme')}
          hint={t('bulletins.programmeHint')}
          value={programme}
          onChange={setProgramme}
          maxLength={200}
          error={fields.programme}
        />
        <Field
          label={t('bulletins.priority')}
          error={fields.priority}
          hint={t(`bulletins.priorityHints.${priority}`)}
        >
          {(control) => (
            <select {...control} value={priority} onChange={(e) => setPriority(e.target.value as Priority)}>
              {PRIORITIES.filter((p) => p !== 'EMERGENCY' || canEmergency || priority === 'EMERGENCY').map(
                (p) => (
                  <option key={p} value={p}>
                    {t(`bulletins.priorities.${p}`)}
                  </option>
                ),
              )}
            </select>
          )}
        </Field>
        {priority === 'EMERGENCY' && priority !== original?.priority && (
          <TextField
            label={t('bulletins.emergencyReason')}
            hint={t('bulletins.emergencyReasonHint')}
            value={reason}
            onChange={setReason}
            required
            maxLength={500}
            error={fields.reason}
          />
        )}
        <Field label={t('bulletins.validFrom')} error={fields.validFrom} hint={t('bulletins.vietnamTime')}>
          {(control) => (
            <input
              {...control}
              type="datetime-local"
              value={validFrom}
              onChange={(e) => setValidFrom(e.target.value)}
            />
          )}
        </Field>
        <Field label={t('bulletins.validUntil')} error={fields.validUntil} hint={t('bulletins.vietnamTime')}>
          {(control) => (
            <input
              {...control}
              type="datetime-local"
              value={validUntil}
              onChange={(e) => setValidUntil(e.target.value)}
            />
          )}
        </Field>
      </div>
      <fieldset>
        <legend>{t('bulletins.playSettings')}</legend>
        <div className="grid">
          <TextField
            label={t('bulletins.gapSec')}
            type="number"
            step="0.5"
            value={String(settings.gapSec)}
            onChange={(v) => setSetting('gapSec', number(v))}
            error={fields['settings.gapSec']}
            hint={t('bulletins.gapHint')}
          />
          <TextField
            label={t('bulletins.repeat')}
            type="number"
            step="1"
            value={String(settings.repeat)}
            onChange={(v) => setSetting('repeat', number(v))}
            error={fields['settings.repeat']}
            hint={t('bulletins.repeatHint')}
          />
          <TextField
            label={t('bulletins.repeatGapSec')}
            type="number"
            step="1"
            value={String(settings.repeatGapSec)}
            onChange={(v) => setSetting('repeatGapSec', number(v))}
            error={fields['settings.repeatGapSec']}
          />
        </div>
        <label className="inline">
          <input
            type="checkbox"
            checked={settings.chime}
            onChange={(e) => setSetting('chime', e.target.checked)}
          />{' '}
          {t('bulletins.chime')}
        </label>
        <label className="inline">
          <input
            type="checkbox"
            checked={settings.outroChime}
            onChange={(e) => setSetting('outroChime', e.target.checked)}
          />{' '}
          {t('bulletins.outroChime')}
        </label>
      </fieldset>
      {original && <p className="hint">{t('bulletins.changeInvalidates')}</p>}
      <div className="actions">
        <button type="submit" className="primary" disabled={busy || (!original && !communeId)}>
          {original ? t('common.save') : t('bulletins.create')}
        </button>
      </div>
    </form>
  );
}
