// Lịch phiên chợ: a commune's market calendars, their rules (weekdays, earthly branches, cycles,
// lunar days …), exceptions and Tết policy, and a month of the market days they give.
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CALENDAR_WRITERS } from '../access.ts';
import { ApiError, api } from '../api.ts';
import type { Commune, MarketCalendar, MarketExceptions } from '../api-shapes.ts';
import { CommuneFilter } from '../components/CommuneFilter.tsx';
import { describeRule, errorsUnder, formatIsoDate } from '../components/calendar-format.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { Field, TextField } from '../components/Field.tsx';
import { LoadNote } from '../components/LoadNote.tsx';
import { MonthView } from '../components/MonthView.tsx';
import { fieldMessage } from '../components/problem.ts';
import {
  draftFromRule,
  emptyDraft,
  type RuleDraft,
  RuleEditor,
  ruleFromDraft,
} from '../components/RuleEditor.tsx';
import { useConfirmedAction } from '../components/use-confirmed-action.ts';
import { useLoad } from '../components/use-load.ts';
import { useNavigation } from '../navigation.tsx';
import { hasRoleIn, useSession } from '../session.tsx';

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

/** A list of dates typed one by one (cancelled or added market days). */
function DateList(props: {
  label: string;
  dates: string[];
  fields: Record<string, string>;
  fieldPrefix: string;
  onChange(dates: string[]): void;
}) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState('');
  const messages = errorsUnder(props.fields, props.fieldPrefix);
  return (
    <fieldset className={messages.length ? 'invalid' : undefined}>
      <legend>{props.label}</legend>
      <ul className="date-chips">
        {props.dates.map((d) => (
          <li key={d}>
            {formatIsoDate(d)}{' '}
            <button
              type="button"
              className="link danger"
              aria-label={t('calendars.exceptions.removeDate', { date: formatIsoDate(d) })}
              onClick={() => props.onChange(props.dates.filter((x) => x !== d))}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      <div className="inline-add">
        <input
          type="date"
          aria-label={t('calendars.exceptions.dateToAdd', { list: props.label })}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
        />
        <button
          type="button"
          disabled={!draft || props.dates.includes(draft)}
          onClick={() => {
            props.onChange([...props.dates, draft].sort());
            setDraft('');
          }}
        >
          {t('calendars.exceptions.addDate')}
        </button>
      </div>
      {messages.length > 0 && (
        <ul className="field-error-list" role="alert">
          {messages.map((m) => (
            <li key={m}>{fieldMessage(t, m)}</li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}

function MovedList(props: {
  moved: MarketExceptions['moved'];
  fields: Record<string, string>;
  onChange(moved: MarketExceptions['moved']): void;
}) {
  const { t } = useTranslation();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const messages = errorsUnder(props.fields, 'exceptions.moved');
  return (
    <fieldset className={messages.length ? 'invalid' : undefined}>
      <legend>{t('calendars.exceptions.moved')}</legend>
      <ul className="date-chips">
        {props.moved.map((m) => (
          <li key={`${m.from}-${m.to}`}>
            {formatIsoDate(m.from)} → {formatIsoDate(m.to)}{' '}
            <button
              type="button"
              className="link danger"
              aria-label={t('calendars.exceptions.removeDate', { date: formatIsoDate(m.from) })}
              onClick={() => props.onChange(props.moved.filter((x) => x !== m))}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      <div className="inline-add">
        <input
          type="date"
          aria-label={t('calendars.exceptions.movedFrom')}
          value={from}
          onChange={(e) => setFrom(e.target.value)}
        />
        <span aria-hidden="true">→</span>
        <input
          type="date"
          aria-label={t('calendars.exceptions.movedTo')}
          value={to}
          onChange={(e) => setTo(e.target.value)}
        />
        <button
          type="button"
          disabled={!from || !to}
          onClick={() => {
            props.onChange([...props.moved, { from, to }]);
            setFrom('');
            setTo('');
          }}
        >
          {t('calendars.exceptions.addMove')}
        </button>
      </div>
      {messages.length > 0 && (
        <ul className="field-error-list" role="alert">
          {messages.map((m) => (
            <li key={m}>{fieldMessage(t, m)}</li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}

function CalendarForm(props: {
  calendar: MarketCalendar | null;
  communes: Commune[];
  defaultCommuneId: string;
  onDone(saved: MarketCalendar | null): void;
}) {
  const { t } = useTranslation();
  const original = props.calendar;
  const [communeId, setCommuneId] = useState(
    original?.communeId ??
      (props.communes.some((c) => c.id === props.defaultCommuneId)
        ? props.defaultCommuneId
        : props.communes[0]?.id) ??
      '',
  );
  const [name, setName] = useState(original?.name ?? '');
  const [zone, setZone] = useState(original?.zone ?? '');
  const [drafts, setDrafts] = useState<RuleDraft[]>(
    original ? original.rules.map(draftFromRule) : [emptyDraft('lunar-days')],
  );
  const [exceptions, setExceptions] = useState<MarketExceptions>(
    original?.exceptions ?? { cancelled: [], added: [], moved: [] },
  );
  const [closedThrough, setClosedThrough] = useState(String(original?.tet.closedThroughDay ?? 3));
  const [dailyBefore, setDailyBefore] = useState(String(original?.tet.dailyBeforeTet ?? 0));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const fields = error instanceof ApiError ? error.fieldErrors() : {};
  const title = original ? t('calendars.editTitle', { name: original.name }) : t('calendars.addTitle');
  const commune = props.communes.find((c) => c.id === communeId);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setBusy(true);
    const body = {
      name,
      ...(zone.trim() ? { zone: zone.trim() } : {}),
      rules: drafts.map(ruleFromDraft),
      exceptions,
      tet: { closedThroughDay: Number(closedThrough), dailyBeforeTet: Number(dailyBefore) },
    };
    try {
      const saved = original
        ? await api.updateMarketCalendar(original.id, body)
        : await api.createMarketCalendar({ ...body, communeId });
      props.onDone(saved);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card" aria-label={title} onSubmit={submit} noValidate>
      <h2>{title}</h2>
      <ErrorNote error={error} />
      {error instanceof ApiError && error.code === 'slot-conflict' && (
        <p className="hint">{t('calendars.slotConflictHint')}</p>
      )}
      <div className="grid">
        <Field label={t('calendars.commune')} error={fields.communeId}>
          {(control) => (
            <select
              {...control}
              value={communeId}
              disabled={Boolean(original)}
              onChange={(e) => setCommuneId(e.target.value)}
            >
              {props.communes.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <TextField
          label={t('calendars.name')}
          value={name}
          onChange={setName}
          required
          maxLength={200}
          placeholder={t('calendars.namePlaceholder')}
          error={fields.name}
        />
        <TextField
          label={t('calendars.zone')}
          value={zone}
          onChange={setZone}
          placeholder={commune?.timeZone ?? 'Asia/Ho_Chi_Minh'}
          hint={t('calendars.zoneHint')}
          error={fields.zone}
        />
      </div>
      <RuleEditor drafts={drafts} fields={fields} onChange={setDrafts} />
      <section aria-label={t('calendars.exceptions.title')}>
        <h3>{t('calendars.exceptions.title')}</h3>
        <div className="exceptions">
          <DateList
            label={t('calendars.exceptions.cancelled')}
            dates={exceptions.cancelled}
            fields={fields}
            fieldPrefix="exceptions.cancelled"
            onChange={(cancelled) => setExceptions({ ...exceptions, cancelled })}
          />
          <DateList
            label={t('calendars.exceptions.added')}
            dates={exceptions.added}
            fields={fields}
            fieldPrefix="exceptions.added"
            onChange={(added) => setExceptions({ ...exceptions, added })}
          />
          <MovedList
            moved={exceptions.moved}
            fields={fields}
            onChange={(moved) => setExceptions({ ...exceptions, moved })}
          />
        </div>
      </section>
      <section aria-label={t('calendars.tet.title')}>
        <h3>{t('calendars.tet.title')}</h3>
        <div className="grid">
          <TextField
            label={t('calendars.tet.closedThroughDay')}
            type="number"
            value={closedThrough}
            onChange={setClosedThrough}
            hint={t('calendars.tet.closedHint')}
            error={fields['tet.closedThroughDay']}
          />
          <TextField
            label={t('calendars.tet.dailyBeforeTet')}
            type="number"
            value={dailyBefore}
            onChange={setDailyBefore}
            hint={t('calendars.tet.dailyHint')}
            error={fields['tet.dailyBeforeTet']}
          />
        </div>
      </section>
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {original ? t('common.save') : t('calendars.create')}
        </button>
        <button type="button" onClick={() => props.onDone(null)}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
