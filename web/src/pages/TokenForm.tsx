// Create an API token for a user, and show its secret once.
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../api.ts';
import type { CreatedApiToken, User } from '../api-shapes.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { Field, TextField } from '../components/Field.tsx';

export function TokenForm({ users, onDone }: { users: User[]; onDone(token: CreatedApiToken | null): void }) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [userId, setUserId] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const fields = error instanceof ApiError ? error.fieldErrors() : {};

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onDone(await api.createToken(name, userId));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card" aria-label={t('tokens.addTitle')} onSubmit={submit}>
      <h2>{t('tokens.addTitle')}</h2>
      <ErrorNote error={error} />
      <div className="grid">
        <TextField
          label={t('tokens.name')}
          value={name}
          onChange={setName}
          required
          hint={t('tokens.nameHint')}
          error={fields.name}
        />
        <Field label={t('tokens.actsAs')} hint={t('tokens.actsAsHint')} error={fields.userId}>
          {(control) => (
            <select {...control} value={userId} required onChange={(e) => setUserId(e.target.value)}>
              <option value="">{t('users.choose')}</option>
              {users.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.username} — {u.displayName}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {t('tokens.create')}
        </button>
        <button type="button" onClick={() => onDone(null)}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

export function TokenReveal({ token, onClose }: { token: CreatedApiToken; onClose(): void }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState<'yes' | 'no' | ''>('');

  async function copy() {
    try {
      await navigator.clipboard.writeText(token.token);
      setCopied('yes');
    } catch {
      setCopied('no');
    }
  }

  return (
    <section className="card reveal" aria-label={t('tokens.revealTitle')}>
      <h2>{t('tokens.revealTitle')}</h2>
      <p className="warning">{t('tokens.revealWarning')}</p>
      <Field label={t('tokens.secret')}>
        {(control) => (
          <input
            {...control}
            readOnly
            value={token.token}
            className="secret"
            onFocus={(e) => e.target.select()}
          />
        )}
      </Field>
      <div className="actions">
        <button type="button" className="primary" onClick={copy}>
          {t('tokens.copy')}
        </button>
        <button type="button" onClick={onClose}>
          {t('tokens.done')}
        </button>
        <output className="muted">
          {copied === 'yes' ? t('tokens.copied') : copied === 'no' ? t('tokens.copyFailed') : ''}
        </output>
      </div>
    </section>
  );
}
