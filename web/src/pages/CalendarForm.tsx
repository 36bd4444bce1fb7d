// Add or edit a market calendar: name, zone, rules, exceptions (cancelled, added and moved days)
// and the Tết policy.
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../api.ts';
import type { Commune, MarketCalendar, MarketExceptions } from '../api-shapes.ts';
import { CommuneFilter } from '../components/CommuneFilter.tsx';
import { errorsUnder, formatIsoDate } from '../components/calendar-format.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { TextField } from '../components/Field.tsx';
import { fieldMessage } from '../components/problem.ts';
import {
  draftFromRule,
  emptyDraft,
  type RuleDraft,
  RuleEditor,
  ruleFromDraft,
} from '../components/RuleEditor.tsx';

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

export function CalendarForm(props: {
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
        <CommuneFilter
          label={t('calendars.commune')}
          communes={props.communes}
          value={communeId}
          onChange={setCommuneId}
          disabled={Boolean(original)}
          error={fields.communeId}
        />
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
