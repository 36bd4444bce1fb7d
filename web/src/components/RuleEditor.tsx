// The market rules of a calendar as small forms, one per rule: weekday and earthly-branch
// checkboxes, a cycle from an anchor date, lunar-day and solar-day chips, an annual lunar date,
// a raw RRULE. Server field errors ("rules.0.days") are shown inside the rule they name.
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { MarketRule, MarketRuleKind, ShortMonthPolicy, WeekdayCode } from '../api-shapes.ts';
import { BRANCHES, type Branch, WEEKDAY_CODES } from '../constants.ts';
import { errorsUnder } from './calendar-format.ts';
import { fieldMessage } from './problem.ts';

/** The rule kinds in the order the "add a rule" menu offers them (each kind the API knows, once). */
const MARKET_RULE_KINDS = Object.keys({
  weekdays: true,
  branch: true,
  cycle: true,
  'lunar-days': true,
  'solar-days': true,
  'lunar-yearly': true,
  rrule: true,
} satisfies Record<MarketRuleKind, true>) as MarketRuleKind[];

/** Every rule kind's inputs in one draft, so switching kinds keeps what was typed. */
export interface RuleDraft {
  key: number;
  kind: MarketRuleKind;
  days: WeekdayCode[];
  branches: Branch[];
  every: string;
  anchor: string;
  lunarDays: number[];
  day30: ShortMonthPolicy;
  solarDays: number[];
  month: string;
  day: string;
  eveDays: string;
  rrule: string;
}

let nextKey = 1;

export function emptyDraft(kind: MarketRuleKind): RuleDraft {
  return {
    key: nextKey++,
    kind,
    days: [],
    branches: [],
    every: '5',
    anchor: '',
    lunarDays: [],
    day30: 'skip',
    solarDays: [],
    month: '1',
    day: '1',
    eveDays: '0',
    rrule: '',
  };
}

export function draftFromRule(rule: MarketRule): RuleDraft {
  const draft = emptyDraft(rule.kind);
  switch (rule.kind) {
    case 'weekdays':
      return { ...draft, days: rule.days };
    case 'branch':
      return { ...draft, branches: rule.branches };
    case 'cycle':
      return { ...draft, every: String(rule.every), anchor: rule.anchor };
    case 'lunar-days':
      return { ...draft, lunarDays: rule.days, day30: rule.day30 ?? 'skip' };
    case 'solar-days':
      return { ...draft, solarDays: rule.days };
    case 'lunar-yearly':
      return {
        ...draft,
        month: String(rule.month),
        day: String(rule.day),
        eveDays: String(rule.eveDays ?? 0),
        day30: rule.day30 ?? 'skip',
      };
    case 'rrule':
      return { ...draft, rrule: rule.rrule };
  }
}

/** A number field's text as sent: empty or not a number goes as NaN → null, and the server says so. */
const num = (text: string) => (text.trim() === '' ? Number.NaN : Number(text));

export function ruleFromDraft(d: RuleDraft): MarketRule {
  switch (d.kind) {
    case 'weekdays':
      return { kind: 'weekdays', days: WEEKDAY_CODES.filter((c) => d.days.includes(c)) };
    case 'branch':
      return { kind: 'branch', branches: BRANCHES.filter((b) => d.branches.includes(b)) };
    case 'cycle':
      return { kind: 'cycle', every: num(d.every), anchor: d.anchor };
    case 'lunar-days':
      return { kind: 'lunar-days', days: [...d.lunarDays].sort((a, b) => a - b), day30: d.day30 };
    case 'solar-days':
      return { kind: 'solar-days', days: [...d.solarDays].sort((a, b) => a - b) };
    case 'lunar-yearly':
      return {
        kind: 'lunar-yearly',
        month: num(d.month),
        day: num(d.day),
        eveDays: num(d.eveDays),
        day30: d.day30,
      };
    case 'rrule':
      return { kind: 'rrule', rrule: d.rrule.trim() };
  }
}

const toggle = <T,>(list: T[], item: T): T[] =>
  list.includes(item) ? list.filter((x) => x !== item) : [...list, item];

function Errors({ messages }: { messages: string[] }) {
  const { t } = useTranslation();
  if (messages.length === 0) return null;
  return (
    <ul className="field-error-list" role="alert">
      {messages.map((m) => (
        <li key={m}>{fieldMessage(t, m)}</li>
      ))}
    </ul>
  );
}

function Chips(props: { label: string; max: number; selected: number[]; onChange(days: number[]): void }) {
  return (
    <fieldset className="bare">
      <legend className="sub-legend">{props.label}</legend>
      <div className="chips">
        {Array.from({ length: props.max }, (_, i) => i + 1).map((n) => (
          <button
            key={n}
            type="button"
            className={`chip${props.selected.includes(n) ? ' on' : ''}`}
            aria-pressed={props.selected.includes(n)}
            onClick={() => props.onChange(toggle(props.selected, n))}
          >
            {n}
          </button>
        ))}
      </div>
    </fieldset>
  );
}

function SmallField(props: {
  label: string;
  value: string;
  onChange(v: string): void;
  error?: string;
  type?: 'number' | 'date' | 'text';
  min?: number;
  max?: number;
  wide?: boolean;
}) {
  const { t } = useTranslation();
  const id = useId();
  return (
    <div className={`field${props.error ? ' invalid' : ''}${props.wide ? ' wide' : ''}`}>
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        type={props.type ?? 'text'}
        min={props.min}
        max={props.max}
        value={props.value}
        aria-invalid={Boolean(props.error)}
        aria-describedby={props.error ? `${id}-error` : undefined}
        onChange={(e) => props.onChange(e.target.value)}
      />
      {props.error && (
        <small id={`${id}-error`} className="field-error" role="alert">
          {fieldMessage(t, props.error)}
        </small>
      )}
    </div>
  );
}

function Day30Select(props: { value: ShortMonthPolicy; onChange(v: ShortMonthPolicy): void }) {
  const { t } = useTranslation();
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{t('calendars.rules.day30')}</label>
      <select
        id={id}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value as ShortMonthPolicy)}
      >
        <option value="skip">{t('calendars.rules.day30skip')}</option>
        <option value="day29">{t('calendars.rules.day30day29')}</option>
      </select>
    </div>
  );
}

function RuleForm(props: {
  index: number;
  draft: RuleDraft;
  fields: Record<string, string>;
  onChange(d: RuleDraft): void;
  onRemove(): void;
}) {
  const { t } = useTranslation();
  const { draft: d, index } = props;
  const set = (patch: Partial<RuleDraft>) => props.onChange({ ...d, ...patch });
  const at = `rules.${index}`;
  const f = (name: string) => props.fields[`${at}.${name}`];
  // Messages not tied to one input of this rule (the rule as a whole, the kind).
  const own = new Set(['days', 'branches', 'every', 'anchor', 'month', 'day', 'eveDays', 'rrule', 'day30']);
  const loose = errorsUnder(props.fields, at).filter(
    (m) => ![...own].some((name) => errorsUnder(props.fields, `${at}.${name}`).includes(m)),
  );
  const title = t('calendars.rules.numbered', { n: index + 1, kind: t(`calendars.kinds.${d.kind}`) });

  return (
    <fieldset className={`rule${errorsUnder(props.fields, at).length ? ' invalid' : ''}`}>
      <legend>{title}</legend>
      <div className="rule-head">
        <small className="hint">{t(`calendars.kindHints.${d.kind}`)}</small>
        <button
          type="button"
          className="link danger"
          onClick={props.onRemove}
          aria-label={t('calendars.rules.removeNamed', { name: title })}
        >
          {t('calendars.rules.remove')}
        </button>
      </div>
      {d.kind === 'weekdays' && (
        <>
          <fieldset className="bare">
            <legend className="sub-legend">{t('calendars.rules.weekdays')}</legend>
            <div className="checks">
              {WEEKDAY_CODES.map((code) => (
                <label key={code} className="inline">
                  <input
                    type="checkbox"
                    checked={d.days.includes(code)}
                    onChange={() => set({ days: toggle(d.days, code) })}
                  />{' '}
                  {t(`calendars.weekdays.${code}`)}
                </label>
              ))}
            </div>
          </fieldset>
          <Errors messages={errorsUnder(props.fields, `${at}.days`)} />
        </>
      )}
      {d.kind === 'branch' && (
        <>
          <fieldset className="bare">
            <legend className="sub-legend">{t('calendars.rules.branches')}</legend>
            <div className="checks">
              {BRANCHES.map((b) => (
                <label key={b} className="inline">
                  <input
                    type="checkbox"
                    checked={d.branches.includes(b)}
                    onChange={() => set({ branches: toggle(d.branches, b) })}
                  />{' '}
                  {t('calendars.branchDay', { branch: b })}
                </label>
              ))}
            </div>
          </fieldset>
          <Errors messages={errorsUnder(props.fields, `${at}.branches`)} />
        </>
      )}
      {d.kind === 'cycle' && (
        <div className="grid">
          <SmallField
            label={t('calendars.rules.every')}
            type="number"
            min={1}
            max={366}
            value={d.every}
            onChange={(every) => set({ every })}
            error={f('every')}
          />
          <SmallField
            label={t('calendars.rules.anchor')}
            type="date"
            value={d.anchor}
            onChange={(anchor) => set({ anchor })}
            error={f('anchor')}
          />
        </div>
      )}
      {d.kind === 'lunar-days' && (
        <>
          <Chips
            label={t('calendars.rules.lunarDays')}
            max={30}
            selected={d.lunarDays}
            onChange={(lunarDays) => set({ lunarDays })}
          />
          <Errors messages={errorsUnder(props.fields, `${at}.days`)} />
          {d.lunarDays.includes(30) && <Day30Select value={d.day30} onChange={(day30) => set({ day30 })} />}
        </>
      )}
      {d.kind === 'solar-days' && (
        <>
          <Chips
            label={t('calendars.rules.solarDays')}
            max={31}
            selected={d.solarDays}
            onChange={(solarDays) => set({ solarDays })}
          />
          <Errors messages={errorsUnder(props.fields, `${at}.days`)} />
        </>
      )}
      {d.kind === 'lunar-yearly' && (
        <div className="grid">
          <SmallField
            label={t('calendars.rules.lunarDay')}
            type="number"
            min={1}
            max={30}
            value={d.day}
            onChange={(day) => set({ day })}
            error={f('day')}
          />
          <SmallField
            label={t('calendars.rules.lunarMonth')}
            type="number"
            min={1}
            max={12}
            value={d.month}
            onChange={(month) => set({ month })}
            error={f('month')}
          />
          <SmallField
            label={t('calendars.rules.eveDays')}
            type="number"
            min={0}
            max={7}
            value={d.eveDays}
            onChange={(eveDays) => set({ eveDays })}
            error={f('eveDays')}
          />
          {d.day === '30' && <Day30Select value={d.day30} onChange={(day30) => set({ day30 })} />}
        </div>
      )}
      {d.kind === 'rrule' && (
        <SmallField
          label={t('calendars.rules.rrule')}
          value={d.rrule}
          onChange={(rrule) => set({ rrule })}
          error={f('rrule')}
          wide
        />
      )}
      <Errors messages={loose} />
    </fieldset>
  );
}

export function RuleEditor(props: {
  drafts: RuleDraft[];
  fields: Record<string, string>;
  onChange(drafts: RuleDraft[]): void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const addSelect = `${id}-kind`;
  const add = (kind: MarketRuleKind) => props.onChange([...props.drafts, emptyDraft(kind)]);
  const whole = props.fields.rules;
  return (
    <section className="rule-editor" aria-label={t('calendars.rules.title')}>
      <h3>{t('calendars.rules.title')}</h3>
      {props.drafts.length === 0 && <p className="muted">{t('calendars.rules.none')}</p>}
      {props.drafts.map((d, i) => (
        <RuleForm
          key={d.key}
          index={i}
          draft={d}
          fields={props.fields}
          onChange={(next) => props.onChange(props.drafts.map((x) => (x.key === d.key ? next : x)))}
          onRemove={() => props.onChange(props.drafts.filter((x) => x.key !== d.key))}
        />
      ))}
      {whole && <Errors messages={[whole]} />}
      <div className="add-rule">
        <label htmlFor={addSelect}>{t('calendars.rules.add')}</label>
        <select
          id={addSelect}
          value=""
          onChange={(e) => {
            if (e.target.value) add(e.target.value as MarketRuleKind);
          }}
        >
          <option value="">{t('calendars.rules.chooseKind')}</option>
          {MARKET_RULE_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`calendars.kinds.${k}`)}
            </option>
          ))}
        </select>
      </div>
    </section>
  );
}
