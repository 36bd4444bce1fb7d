// The driver settings of a cluster: a small form per driver kind, or raw JSON for anything the
// form does not cover. The server validates either way; its field errors show next to each input.
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { DriverKind } from '../constants.ts';
import { Field, TextField } from './Field.tsx';
import { fieldMessage } from './problem.ts';

interface ConfigField {
  key: string;
  type: 'text' | 'number' | 'password' | 'select';
  options?: string[];
  required?: boolean;
  placeholder?: string;
}

export const DRIVER_FIELDS: Record<DriverKind, ConfigField[]> = {
  RECORDER: [{ key: 'profile', type: 'select', options: ['wav-l16', 'mp3-24k'] }],
  RTP: [
    { key: 'host', type: 'text', required: true, placeholder: '239.0.0.1' },
    { key: 'port', type: 'number', required: true, placeholder: '5004' },
    // Dynamic payload types (96–127) name their encoding; the static ones must not.
    { key: 'payloadType', type: 'select', options: ['0', '8', '14', '96', '111'] },
    { key: 'encoding', type: 'select', options: ['L16', 'OPUS'] },
    { key: 'ttl', type: 'number', placeholder: '1' },
    { key: 'interface', type: 'text', placeholder: '192.168.1.10' },
  ],
  HTTP_PUSH: [
    { key: 'url', type: 'text', required: true, placeholder: 'http://10.0.0.5/axis-cgi/audio/transmit.cgi' },
    { key: 'username', type: 'text' },
    { key: 'password', type: 'password' },
    { key: 'format', type: 'select', options: ['audio/basic', 'audio/axis-mulaw-128'] },
  ],
  ICECAST: [
    { key: 'url', type: 'text', required: true, placeholder: 'http://10.0.0.2:8000' },
    { key: 'mount', type: 'text', required: true, placeholder: '/xa-dao-san' },
    { key: 'username', type: 'text', placeholder: 'source' },
    { key: 'password', type: 'password' },
    { key: 'filler', type: 'select', options: ['silence', 'none'] },
    { key: 'holdSec', type: 'number', placeholder: '900' },
  ],
  MQTT: [{ key: 'password', type: 'password' }],
  SIP: [{ key: 'uri', type: 'text', required: true, placeholder: 'sip:page@10.0.0.9' }],
};

export type ConfigDraft = { mode: 'form'; values: Record<string, string> } | { mode: 'json'; text: string };

/** Form values from a stored config (numbers become text; unknown keys are kept for JSON mode). */
export function draftFromConfig(config: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, v == null ? '' : String(v)]));
}

/** The config object to send, or an error message for the JSON textarea. */
export function configFromDraft(
  kind: DriverKind,
  draft: ConfigDraft,
): { config: Record<string, unknown> } | { jsonError: string } {
  if (draft.mode === 'json') {
    try {
      const parsed: unknown = JSON.parse(draft.text.trim() || '{}');
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        return { jsonError: 'object' };
      return { config: parsed as Record<string, unknown> };
    } catch {
      return { jsonError: 'syntax' };
    }
  }
  const config: Record<string, unknown> = {};
  for (const field of DRIVER_FIELDS[kind]) {
    const raw = (draft.values[field.key] ?? '').trim();
    if (raw === '') continue;
    const numeric = field.type === 'number' || (field.key === 'payloadType' && /^\d+$/.test(raw));
    config[field.key] = numeric && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  }
  return { config };
}

interface EditorProps {
  kind: DriverKind;
  draft: ConfigDraft;
  onChange(draft: ConfigDraft): void;
  /** Field errors keyed like "driverConfig.port". */
  errors: Record<string, string>;
  jsonError?: string;
  editingExisting: boolean;
}

export function DriverConfigEditor({
  kind,
  draft,
  onChange,
  errors,
  jsonError,
  editingExisting,
}: EditorProps) {
  const { t } = useTranslation();
  const group = useId();
  const fields = DRIVER_FIELDS[kind];
  const configErrors = Object.entries(errors).filter(
    ([k]) => k === 'driverConfig' || k.startsWith('driverConfig.'),
  );

  function switchMode(mode: 'form' | 'json') {
    if (mode === draft.mode) return;
    if (mode === 'json') {
      const built = configFromDraft(kind, draft);
      onChange({ mode: 'json', text: JSON.stringify('config' in built ? built.config : {}, null, 2) });
    } else {
      const built = configFromDraft(kind, draft);
      onChange({ mode: 'form', values: 'config' in built ? draftFromConfig(built.config) : {} });
    }
  }

  return (
    <fieldset>
      <legend>{t('clusters.driverConfig')}</legend>
      <div className="mode-switch" role="radiogroup" aria-label={t('clusters.configMode')}>
        {(['form', 'json'] as const).map((mode) => (
          <label key={mode}>
            <input
              type="radio"
              name={group}
              checked={draft.mode === mode}
              onChange={() => switchMode(mode)}
            />{' '}
            {t(`clusters.mode.${mode}`)}
          </label>
        ))}
      </div>
      {draft.mode === 'form' && fields.length === 0 && <p className="muted">{t('clusters.noConfig')}</p>}
      {draft.mode === 'form' && (
        <div className="grid">
          {fields.map((f) => {
            const label = t(`clusters.config.${f.key}`);
            const value = draft.values[f.key] ?? '';
            const set = (v: string) => onChange({ mode: 'form', values: { ...draft.values, [f.key]: v } });
            const error = errors[`driverConfig.${f.key}`];
            if (f.type === 'select') {
              return (
                <Field key={f.key} label={label} error={error}>
                  {(control) => (
                    <select {...control} value={value} onChange={(e) => set(e.target.value)}>
                      <option value="">{t('clusters.defaultOption')}</option>
                      {f.options?.map((o) => (
                        <option key={o} value={o}>
                          {t(`clusters.options.${f.key}.${o.replace('/', '_')}`, { defaultValue: o })}
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
              );
            }
            return (
              <TextField
                key={f.key}
                label={label}
                type={f.type}
                value={value}
                onChange={set}
                required={f.required}
                placeholder={f.placeholder}
                hint={f.type === 'password' && editingExisting ? t('clusters.passwordHint') : undefined}
                error={error}
              />
            );
          })}
        </div>
      )}
      {draft.mode === 'json' && (
        <Field
          label={t('clusters.configJson')}
          error={jsonError ? t(`clusters.jsonError.${jsonError}`) : undefined}
          hint={t('clusters.configJsonHint')}
        >
          {(control) => (
            <textarea
              {...control}
              rows={6}
              spellCheck={false}
              value={draft.text}
              onChange={(e) => onChange({ mode: 'json', text: e.target.value })}
            />
          )}
        </Field>
      )}
      {(draft.mode === 'json' ||
        configErrors.some(([k]) => !fields.some((f) => k === `driverConfig.${f.key}`))) &&
        configErrors.length > 0 && (
          <ul className="field-error-list" role="alert">
            {configErrors.map(([k, message]) => (
              <li key={k}>
                <code>{k.replace(/^driverConfig\.?/, '') || 'driverConfig'}</code>: {fieldMessage(t, message)}
              </li>
            ))}
          </ul>
        )}
    </fieldset>
  );
}
