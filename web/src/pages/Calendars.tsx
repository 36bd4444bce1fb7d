// Lịch phiên chợ: a commune's market calendars, their rules (weekdays, earthly branches, cycles,
// lunar days …), exceptions and Tết policy, and a month of the market days they give.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CALENDAR_WRITERS } from '../access.ts';
import { api } from '../api.ts';
import type { Commune, MarketCalendar } from '../api-shapes.ts';
import { CommuneFilter } from '../components/CommuneFilter.tsx';
import { describeRule } from '../components/calendar-format.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { LoadNote } from '../components/LoadNote.tsx';
import { MonthView } from '../components/MonthView.tsx';
import { useConfirmedAction } from '../components/use-confirmed-action.ts';
import { useLoad } from '../components/use-load.ts';
import { useNavigation } from '../navigation.tsx';
import { hasRoleIn, useSession } from '../session.tsx';
import { CalendarForm } from './CalendarForm.tsx';

export function CalendarsPage() {
  const { t } = useTranslation();
  const { user } = useSession();
  const { navigate } = useNavigation();
  const [communeId, setCommuneId] = useState('');
  const [communes] = useLoad(() => api.communes(), []);
  const [calendars, reload] = useLoad(() => api.marketCalendars(communeId || undefined), [communeId]);
  const [editing, setEditing] = useState<MarketCalendar | 'new' | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [error, confirmThen] = useConfirmedAction();
  const communeList = communes.data ?? [];
  const writable = communeList.filter((c) => hasRoleIn(user, CALENDAR_WRITERS, c));
  const communeOf = (id: string) => communeList.find((c) => c.id === id);
  const list = calendars.data ?? [];
  const selected = list.find((c) => c.id === selectedId) ?? list[0] ?? null;
  const feedCommune = communeId ? communeOf(communeId) : selected ? communeOf(selected.communeId) : undefined;

  const remove = (calendar: MarketCalendar) =>
    confirmThen(t('calendars.confirmDelete', { name: calendar.name }), async () => {
      await api.deleteMarketCalendar(calendar.id);
      reload();
    });

  return (
    <section>
      <div className="page-head">
        <h1>{t('calendars.title')}</h1>
        {writable.length > 0 && editing === null && (
          <button type="button" className="primary" onClick={() => setEditing('new')}>
            {t('calendars.add')}
          </button>
        )}
      </div>
      <div className="filters">
        <CommuneFilter
          label={t('calendars.filterCommune')}
          allLabel={t('calendars.allCommunes')}
          communes={communeList}
          value={communeId}
          onChange={setCommuneId}
        />
      </div>
      {editing && (
        <CalendarForm
          calendar={editing === 'new' ? null : editing}
          communes={writable}
          defaultCommuneId={communeId}
          onDone={(saved) => {
            setEditing(null);
            if (saved) {
              setSelectedId(saved.id);
              reload();
            }
          }}
        />
      )}
      <ErrorNote error={error} />
      <LoadNote load={calendars} empty={t('calendars.none')} />
      {list.length > 0 && (
        <table aria-label={t('calendars.title')} className="calendars stack">
          <thead>
            <tr>
              <th>{t('calendars.name')}</th>
              <th>{t('calendars.commune')}</th>
              <th>{t('calendars.rulesColumn')}</th>
              <th>{t('calendars.slotCount')}</th>
              <th>
                <span className="sr-only">{t('common.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((c) => {
              const commune = communeOf(c.communeId);
              const canWrite = commune ? hasRoleIn(user, CALENDAR_WRITERS, commune) : false;
              return (
                <tr key={c.id} className={selected?.id === c.id ? 'selected' : undefined}>
                  <td className="title-cell">
                    <button
                      type="button"
                      className="link"
                      aria-pressed={selected?.id === c.id}
                      onClick={() => setSelectedId(c.id)}
                    >
                      {c.name}
                    </button>
                  </td>
                  <td data-label={t('calendars.commune')}>{commune?.name ?? '—'}</td>
                  <td data-label={t('calendars.rulesColumn')}>
                    <ul className="plain">
                      {c.rules.map((r, i) => (
                        // biome-ignore lint/suspicious/noArrayIndexKey: rules have no id; their order is theirs
                        <li key={i}>{describeRule(t, r)}</li>
                      ))}
                    </ul>
                  </td>
                  <td data-label={t('calendars.slotCount')}>{c.slotCount}</td>
                  <td className="row-actions">
                    <button
                      type="button"
                      onClick={() => {
                        // The query rides along; the app routes on the path alone.
                        window.history.pushState(null, '', `/slots?calendarId=${encodeURIComponent(c.id)}`);
                        navigate('/slots');
                      }}
                    >
                      {t('calendars.slotsLink')}
                    </button>
                    {canWrite && (
                      <button
                        type="button"
                        onClick={() => setEditing(c)}
                        aria-label={t('calendars.editNamed', { name: c.name })}
                      >
                        {t('common.edit')}
                      </button>
                    )}
                    {canWrite && c.slotCount === 0 && (
                      <button
                        type="button"
                        className="danger"
                        onClick={() => remove(c)}
                        aria-label={t('calendars.deleteNamed', { name: c.name })}
                      >
                        {t('common.delete')}
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {selected && <MonthView key={selected.id} calendar={selected} />}
      {feedCommune && <FeedNote commune={feedCommune} />}
    </section>
  );
}

function FeedNote({ commune }: { commune: Commune }) {
  const { t } = useTranslation();
  const { user } = useSession();
  const [subscription, reload] = useLoad(() => api.marketFeedSubscription(commune.id), [commune.id]);
  const [rotateError, confirmThen] = useConfirmedAction();
  const url = subscription.data
    ? new URL(subscription.data.path, window.location.origin).toString()
    : undefined;
  // webcal:// makes phones offer "subscribe" rather than a one-off download.
  const webcal = url?.replace(/^https?:/, 'webcal:');

  const rotate = () =>
    confirmThen(t('calendars.feed.confirmRotate', { name: commune.name }), async () => {
      await api.rotateMarketFeedSubscription(commune.id);
      reload();
    });

  return (
    <div className="card feed">
      <h2>{t('calendars.feed.title', { name: commune.name })}</h2>
      {url && webcal ? (
        <>
          <p>
            <a href={webcal}>{t('calendars.feed.subscribe')}</a> ·{' '}
            <a href={url}>{t('calendars.feed.link')}</a>
          </p>
          <p className="break">
            <code>{url}</code>
          </p>
        </>
      ) : (
        <p className="hint">{t('readiness.checking')}</p>
      )}
      <p className="hint">{t('calendars.feed.explain')}</p>
      {hasRoleIn(user, CALENDAR_WRITERS, commune) && (
        <p>
          <button type="button" onClick={rotate}>
            {t('calendars.feed.rotate')}
          </button>
        </p>
      )}
      {rotateError !== null && <ErrorNote error={rotateError} />}
    </div>
  );
}
