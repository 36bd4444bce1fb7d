// Add or edit a commune: code, name, province, time zone and the languages its bulletins use.
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../api.ts';
import type { Commune, Language } from '../api-shapes.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { TextField } from '../components/Field.tsx';
import { languageName, sortLanguages } from '../components/languages.ts';
import { fieldMessage } from '../components/problem.ts';

/** The form's fields: every one a commune has, filled in. */
type CommuneDraft = Omit<Commune, 'id'>;

const EMPTY: CommuneDraft = {
  code: '',
  name: '',
  province: '',
  timeZone: 'Asia/Ho_Chi_Minh',
  languages: ['vie'],
  requiredLanguages: ['vie'],
};

export function CommuneForm(props: {
  commune: Commune | null;
  languages: Language[];
  onDone(saved: boolean): void;
}) {
  const { t, i18n } = useTranslation();
  const [value, setValue] = useState<CommuneDraft>(props.commune ?? EMPTY);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const set = <K extends keyof CommuneDraft>(key: K, v: CommuneDraft[K]) =>
    setValue((old) => ({ ...old, [key]: v }));
  const fields = error instanceof ApiError ? error.fieldErrors() : {};
  const title = props.commune
    ? t('communes.editTitle', { name: props.commune.name })
    : t('communes.addTitle');

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (props.commune) await api.updateCommune(props.commune.id, value);
      else await api.createCommune(value);
      props.onDone(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const toggle = (code: string, on: boolean) =>
    setValue((old) => ({
      ...old,
      languages: on ? [...old.languages, code] : old.languages.filter((c) => c !== code),
      // A language the commune no longer speaks cannot be required.
      requiredLanguages: on ? old.requiredLanguages : old.requiredLanguages.filter((c) => c !== code),
    }));
  const toggleRequired = (code: string, on: boolean) =>
    set(
      'requiredLanguages',
      on ? [...value.requiredLanguages, code] : value.requiredLanguages.filter((c) => c !== code),
    );

  return (
    <form className="card" aria-label={title} onSubmit={submit}>
      <h2>{title}</h2>
      <ErrorNote error={error} />
      <div className="grid">
        <TextField
          label={t('communes.code')}
          value={value.code}
          onChange={(v) => set('code', v)}
          required
          hint={t('communes.codeHint')}
          error={fields.code}
        />
        <TextField
          label={t('communes.name')}
          value={value.name}
          onChange={(v) => set('name', v)}
          required
          error={fields.name}
        />
        <TextField
          label={t('communes.province')}
          value={value.province}
          onChange={(v) => set('province', v)}
          required
          error={fields.province}
        />
        <TextField
          label={t('communes.timeZone')}
          value={value.timeZone}
          onChange={(v) => set('timeZone', v)}
          required
          error={fields.timeZone}
        />
      </div>
      <fieldset className={fields.languages ? 'invalid' : undefined}>
        <legend>{t('communes.languages')}</legend>
        <div className="checks">
          {sortLanguages(props.languages, i18n.language).map((l) => (
            <label key={l.code}>
              <input
                type="checkbox"
                checked={value.languages.includes(l.code)}
                onChange={(e) => toggle(l.code, e.target.checked)}
              />{' '}
              {languageName(props.languages, l.code, i18n.language)}
            </label>
          ))}
        </div>
        {fields.languages && (
          <small className="field-error" role="alert">
            {fieldMessage(t, fields.languages)}
          </small>
        )}
      </fieldset>
      <fieldset className={fields.requiredLanguages ? 'invalid' : undefined}>
        <legend>{t('communes.requiredLanguages')}</legend>
        <p className="muted">{t('communes.requiredHint')}</p>
        <div className="checks">
          {value.languages.map((code) => (
            <label key={code}>
              <input
                type="checkbox"
                checked={value.requiredLanguages.includes(code)}
                onChange={(e) => toggleRequired(code, e.target.checked)}
              />{' '}
              {languageName(props.languages, code, i18n.language)}
            </label>
          ))}
        </div>
        {fields.requiredLanguages && (
          <small className="field-error" role="alert">
            {fieldMessage(t, fields.requiredLanguages)}
          </small>
        )}
      </fieldset>
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {t('common.save')}
        </button>
        <button type="button" onClick={() => props.onDone(false)}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
