// Add or edit a slot: calendar, time, priority, repeats, target clusters and the playlist;
// the collisions the server found when it was saved.
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../api.ts';
import type { BulletinSummary, Cluster, MarketCalendar, Slot, SlotCollision } from '../api-shapes.ts';
import { PriorityBadge } from '../components/bulletin-format.tsx';
import { formatIsoDate } from '../components/calendar-format.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { Field, TextField } from '../components/Field.tsx';
import { fieldMessage } from '../components/problem.ts';
import { PRIORITIES, type Priority } from '../constants.ts';

/** Each other slot met: which, at what time, on which clusters, on which dates, and who yields. */
export function CollisionList({ collisions }: { collisions: SlotCollision[] }) {
  const { t } = useTranslation();
  return (
    <ul className="collisions">
      {collisions.map((c) => (
        <li key={c.slotId}>
          <strong>
            {t('slots.collision.slot', {
              name: c.slotName || t('slots.unnamed'),
              time: c.time,
              calendar: c.calendarName,
            })}
          </strong>{' '}
          <PriorityBadge priority={c.priority} />
          <div>
            {t('slots.collision.clusters')}: {c.clusters.map((x) => x.name).join(', ')}
          </div>
          <div>
            {t('slots.collision.dates', { count: c.dates.length })}:{' '}
            {c.dates.slice(0, 8).map(formatIsoDate).join(', ')}
            {c.dates.length > 8 ? ` ${t('slots.collision.more', { n: c.dates.length - 8 })}` : ''}
          </div>
          <div className="hint">{t(`slots.resolutions.${c.resolution}`)}</div>
        </li>
      ))}
    </ul>
  );
}

export function SlotForm(props: {
  slot: Slot | null;
  calendar: MarketCalendar;
  clusters: Cluster[];
  bulletins: BulletinSummary[];
  onDone(warnings: SlotCollision[] | null): void;
}) {
  const { t } = useTranslation();
  const original = props.slot;
  const [name, setName] = useState(original?.name ?? '');
  const [time, setTime] = useState(original?.time ?? '07:00');
  const [clusterIds, setClusterIds] = useState<string[]>(original?.clusterIds ?? []);
  const [playlist, setPlaylist] = useState<string[]>(original?.bulletinIds ?? []);
  const [priority, setPriority] = useState<Priority>(original?.priority ?? 'NORMAL');
  const [order, setOrder] = useState(original?.order?.toString() ?? '');
  const [repeat, setRepeat] = useState(String(original?.repeat ?? 1));
  const [repeatGap, setRepeatGap] = useState(String(original?.repeatGapSec ?? 0));
  const [duration, setDuration] = useState(original?.durationGiven ? String(original.durationSec) : '');
  const [enabled, setEnabled] = useState(original?.enabled ?? true);
  const [toAdd, setToAdd] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const fields = error instanceof ApiError ? error.fieldErrors() : {};
  const conflicts =
    error instanceof ApiError && error.code === 'slot-conflict'
      ? ((error.body.conflicts as SlotCollision[] | undefined) ?? [])
      : [];
  const notApproved =
    error instanceof ApiError && error.code === 'bulletin-not-approved'
      ? ((error.body.bulletinIds as string[] | undefined) ?? [])
      : [];
  const conflictClusterIds = new Set(conflicts.flatMap((c) => c.clusters.map((x) => x.id)));
  const title = original ? t('slots.editTitle', { time: original.time }) : t('slots.addTitle');
  const titleOf = (id: string) => props.bulletins.find((b) => b.id === id)?.title ?? id.slice(0, 8);
  const move = (index: number, delta: number) => {
    const next = [...playlist];
    const [item] = next.splice(index, 1);
    next.splice(index + delta, 0, item as string);
    setPlaylist(next);
  };
  const toggleCluster = (id: string) =>
    setClusterIds(clusterIds.includes(id) ? clusterIds.filter((x) => x !== id) : [...clusterIds, id]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setBusy(true);
    const body = {
      name,
      time,
      clusterIds,
      bulletinIds: playlist,
      priority,
      order: order.trim() === '' ? null : Number(order),
      repeat: Number(repeat),
      repeatGapSec: Number(repeatGap),
      durationSec: duration.trim() === '' ? null : Number(duration),
      enabled,
    };
    try {
      const saved = original
        ? await api.updateSlot(original.id, body)
        : await api.createSlot({ ...body, calendarId: props.calendar.id });
      props.onDone(saved.warnings);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const clusterError = fields.clusterIds;
  const playlistError =
    fields.bulletinIds ?? Object.entries(fields).find(([k]) => k.startsWith('bulletinIds.'))?.[1];

  return (
    <form className="card" aria-label={title} onSubmit={submit} noValidate>
      <h2>{title}</h2>
      <p className="hint">
        {t('slots.calendarNote', { name: props.calendar.name, zone: props.calendar.zone })}
      </p>
      {conflicts.length === 0 && <ErrorNote error={error} />}
      <div className="grid">
        <Field label={t('slots.time')} error={fields.time} hint={t('slots.timeHint')}>
          {(control) => (
            // Text, not type=time: a browser in an English locale would show 07:00 AM.
            <input
              {...control}
              required
              inputMode="numeric"
              placeholder="HH:mm"
              maxLength={5}
              value={time}
              onChange={(e) => setTime(e.target.value)}
            />
          )}
        </Field>
        <TextField
          label={t('slots.name')}
          value={name}
          onChange={setName}
          maxLength={120}
          error={fields.name}
        />
        <Field label={t('slots.priority')} error={fields.priority}>
          {(control) => (
            <select {...control} value={priority} onChange={(e) => setPriority(e.target.value as Priority)}>
              {PRIORITIES.map((p) => (
                <option key={p} value={p}>
                  {t(`bulletins.priorities.${p}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        {priority !== 'NORMAL' && (
          <TextField
            label={t('slots.order')}
            type="number"
            value={order}
            onChange={setOrder}
            hint={t('slots.orderHint')}
            error={fields.order}
          />
        )}
        <TextField
          label={t('slots.repeat')}
          type="number"
          value={repeat}
          onChange={setRepeat}
          error={fields.repeat}
        />
        <TextField
          label={t('slots.repeatGap')}
          type="number"
          value={repeatGap}
          onChange={setRepeatGap}
          error={fields.repeatGapSec}
        />
        <TextField
          label={t('slots.duration')}
          type="number"
          value={duration}
          onChange={setDuration}
          hint={t('slots.durationHint')}
          error={fields.durationSec}
        />
      </div>
      {conflicts.length > 0 && (
        <div className="error-note conflict" role="alert">
          <p>
            <strong>{t('slots.conflictTitle', { time })}</strong>
          </p>
          <CollisionList collisions={conflicts} />
          <p className="hint">{t('slots.conflictHelp')}</p>
        </div>
      )}
      <fieldset className={clusterError || conflictClusterIds.size ? 'invalid' : undefined}>
        <legend>{t('slots.clusters')}</legend>
        {props.clusters.length === 0 && <p className="muted">{t('slots.noClusters')}</p>}
        <div className="checks">
          {props.clusters.map((c) => (
            <label key={c.id} className={`inline${conflictClusterIds.has(c.id) ? ' clash' : ''}`}>
              <input
                type="checkbox"
                checked={clusterIds.includes(c.id)}
                onChange={() => toggleCluster(c.id)}
              />{' '}
              {c.name}
              {!c.enabled && ` (${t('slots.off')})`}
              {conflictClusterIds.has(c.id) && <span className="badge down">{t('slots.clashes')}</span>}
            </label>
          ))}
        </div>
        {clusterError && (
          <small className="field-error" role="alert">
            {fieldMessage(t, clusterError)}
          </small>
        )}
      </fieldset>
      <fieldset className={playlistError || notApproved.length ? 'invalid' : undefined}>
        <legend>{t('slots.playlist')}</legend>
        {playlist.length === 0 && <p className="muted">{t('slots.playlistEmpty')}</p>}
        <ol className="playlist">
          {playlist.map((id, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a bulletin may repeat in a playlist
            <li key={`${id}-${i}`} className={notApproved.includes(id) ? 'clash' : undefined}>
              <span className="pl-title">{titleOf(id)}</span>
              <span className="row-actions">
                <button
                  type="button"
                  disabled={i === 0}
                  onClick={() => move(i, -1)}
                  aria-label={t('slots.moveUp', { title: titleOf(id) })}
                >
                  ↑
                </button>
                <button
                  type="button"
                  disabled={i === playlist.length - 1}
                  onClick={() => move(i, 1)}
                  aria-label={t('slots.moveDown', { title: titleOf(id) })}
                >
                  ↓
                </button>
                <button
                  type="button"
                  className="link danger"
                  onClick={() => setPlaylist(playlist.filter((_, j) => j !== i))}
                  aria-label={t('slots.removeFromPlaylist', { title: titleOf(id) })}
                >
                  {t('slots.remove')}
                </button>
              </span>
            </li>
          ))}
        </ol>
        <div className="inline-add">
          <label htmlFor="slot-add-bulletin" className="sr-only">
            {t('slots.addBulletin')}
          </label>
          <select id="slot-add-bulletin" value={toAdd} onChange={(e) => setToAdd(e.target.value)}>
            <option value="">{t('slots.chooseBulletin')}</option>
            {props.bulletins.map((b) => (
              <option key={b.id} value={b.id}>
                {b.title} ({t(`bulletins.priorities.${b.priority}`)})
              </option>
            ))}
          </select>
          <button
            type="button"
            disabled={!toAdd}
            onClick={() => {
              setPlaylist([...playlist, toAdd]);
              setToAdd('');
            }}
          >
            {t('slots.addBulletin')}
          </button>
        </div>
        {props.bulletins.length === 0 && <p className="hint">{t('slots.noApproved')}</p>}
        {playlistError && (
          <small className="field-error" role="alert">
            {fieldMessage(t, playlistError)}
          </small>
        )}
      </fieldset>
      <label className="inline">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />{' '}
        {t('slots.enabledLabel')}
      </label>
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {t('common.save')}
        </button>
        <button type="button" onClick={() => props.onDone(null)}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
