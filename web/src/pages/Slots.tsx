// Khung giờ phát: the slots of a market calendar — a time of day (the calendar's zone, Vietnam
// time by default), target clusters, a playlist of approved bulletins, priority and repeats.
// Conflicts are found by the server when a slot is saved; they are shown next to the form.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CALENDAR_WRITERS } from '../access.ts';
import { api } from '../api.ts';
import type { BulletinSummary, Cluster, Slot, SlotCollision } from '../api-shapes.ts';
import { PriorityBadge } from '../components/bulletin-format.tsx';
import { formatIsoDate } from '../components/calendar-format.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { Field } from '../components/Field.tsx';
import { useConfirmedAction } from '../components/use-confirmed-action.ts';
import { useLoad } from '../components/use-load.ts';
import { hasRoleIn, useSession } from '../session.tsx';
import { CollisionList, SlotForm } from './SlotForm.tsx';

const initialCalendarId = () => new URLSearchParams(window.location.search).get('calendarId') ?? '';

export function SlotsPage() {
  const { t } = useTranslation();
  const { user } = useSession();
  const [calendarId, setCalendarId] = useState(initialCalendarId);
  const [communes] = useLoad(() => api.communes(), []);
  const [calendars] = useLoad(() => api.marketCalendars(), []);
  const calendarList = calendars.data ?? [];
  const calendar = calendarList.find((c) => c.id === calendarId) ?? calendarList[0] ?? null;
  const [slots, reload] = useLoad(
    () => (calendar ? api.slots({ calendarId: calendar.id }) : Promise.resolve([] as Slot[])),
    [calendar?.id],
  );
  const [clusters] = useLoad(
    () => (calendar ? api.clusters(calendar.communeId) : Promise.resolve([] as Cluster[])),
    [calendar?.communeId],
  );
  const [bulletins] = useLoad(
    () =>
      calendar
        ? api.bulletins({ communeId: calendar.communeId, status: 'READY' })
        : Promise.resolve([] as BulletinSummary[]),
    [calendar?.communeId],
  );
  const [editing, setEditing] = useState<Slot | 'new' | null>(null);
  const [warnings, setWarnings] = useState<SlotCollision[]>([]);
  const [error, confirmThen] = useConfirmedAction();
  const commune = calendar ? communes.data?.find((c) => c.id === calendar.communeId) : undefined;
  const canWrite = commune ? hasRoleIn(user, CALENDAR_WRITERS, commune) : false;
  const clusterName = (id: string) => clusters.data?.find((c) => c.id === id)?.name ?? '—';
  const bulletinTitle = (id: string) => bulletins.data?.find((b) => b.id === id)?.title ?? id.slice(0, 8);
  const choose = (id: string) => {
    setCalendarId(id);
    setEditing(null);
    setWarnings([]);
    window.history.replaceState(null, '', `/slots?calendarId=${encodeURIComponent(id)}`);
  };

  const remove = (slot: Slot) =>
    confirmThen(t('slots.confirmDelete', { time: slot.time }), async () => {
      await api.deleteSlot(slot.id);
      reload();
    });

  return (
    <section>
      <div className="page-head">
        <h1>{t('slots.title')}</h1>
        {canWrite && editing === null && (
          <button
            type="button"
            className="primary"
            onClick={() => {
              setWarnings([]);
              setEditing('new');
            }}
          >
            {t('slots.add')}
          </button>
        )}
      </div>
      <div className="filters">
        <Field label={t('slots.calendar')}>
          {(control) => (
            <select {...control} value={calendar?.id ?? ''} onChange={(e) => choose(e.target.value)}>
              {calendarList.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                  {communes.data ? ` — ${communes.data.find((x) => x.id === c.communeId)?.name ?? ''}` : ''}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      {calendars.state === 'failed' && <ErrorNote error={calendars.error} />}
      {calendars.data && calendarList.length === 0 && <p className="muted">{t('slots.noCalendars')}</p>}
      {calendar && <p className="hint">{t('slots.zoneNote', { zone: calendar.zone })}</p>}
      {warnings.length > 0 && (
        <div className="warning" aria-live="polite">
          <p>
            <strong>{t('slots.savedWithWarnings')}</strong>
          </p>
          <CollisionList collisions={warnings} />
          <button type="button" className="link" onClick={() => setWarnings([])}>
            {t('slots.dismiss')}
          </button>
        </div>
      )}
      {editing && calendar && (
        <SlotForm
          key={editing === 'new' ? 'new' : editing.id}
          slot={editing === 'new' ? null : editing}
          calendar={calendar}
          clusters={clusters.data ?? []}
          bulletins={(bulletins.data ?? []).filter((b) => b.approvedAt !== null)}
          onDone={(saved) => {
            setEditing(null);
            if (saved) {
              setWarnings(saved);
              reload();
            }
          }}
        />
      )}
      <ErrorNote error={error} />
      {slots.state === 'failed' && <ErrorNote error={slots.error} />}
      {calendar && slots.data && slots.data.length === 0 && <p className="muted">{t('slots.none')}</p>}
      {slots.data && slots.data.length > 0 && (
        <table className="stack" aria-label={t('slots.tableLabel', { name: calendar?.name ?? '' })}>
          <thead>
            <tr>
              <th>{t('slots.time')}</th>
              <th>{t('slots.name')}</th>
              <th>{t('slots.priority')}</th>
              <th>{t('slots.clusters')}</th>
              <th>{t('slots.playlist')}</th>
              <th>{t('slots.repeatColumn')}</th>
              <th>{t('slots.upcoming')}</th>
              <th>
                <span className="sr-only">{t('common.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {slots.data.map((s) => (
              <tr key={s.id} className={s.enabled ? undefined : 'disabled-row'}>
                <td className="nowrap title-cell">
                  <strong>{s.time}</strong>
                  {!s.enabled && <span className="badge off">{t('slots.off')}</span>}
                </td>
                <td data-label={t('slots.name')}>{s.name || '—'}</td>
                <td data-label={t('slots.priority')}>
                  <PriorityBadge priority={s.priority} />
                </td>
                <td data-label={t('slots.clusters')}>{s.clusterIds.map(clusterName).join(', ')}</td>
                <td data-label={t('slots.playlist')}>
                  <ol className="plain-numbered">
                    {s.bulletinIds.map((id, i) => (
                      // biome-ignore lint/suspicious/noArrayIndexKey: a bulletin may repeat in a playlist
                      <li key={`${id}-${i}`}>{bulletinTitle(id)}</li>
                    ))}
                  </ol>
                </td>
                <td data-label={t('slots.repeatColumn')}>
                  {t('slots.repeatSummary', {
                    repeat: s.repeat,
                    gap: s.repeatGapSec,
                    minutes: Math.ceil(s.airtimeSec / 60),
                  })}
                </td>
                <td data-label={t('slots.upcoming')}>
                  {s.upcoming
                    .slice(0, 3)
                    .map((u) => formatIsoDate(u.date))
                    .join(', ') || '—'}
                </td>
                <td className="row-actions">
                  {canWrite && (
                    <>
                      <button
                        type="button"
                        onClick={() => {
                          setWarnings([]);
                          setEditing(s);
                        }}
                        aria-label={t('slots.editNamed', { time: s.time })}
                      >
                        {t('common.edit')}
                      </button>
                      <button
                        type="button"
                        className="danger"
                        onClick={() => remove(s)}
                        aria-label={t('slots.deleteNamed', { time: s.time })}
                      >
                        {t('common.delete')}
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
