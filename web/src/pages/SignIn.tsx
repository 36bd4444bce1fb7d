import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../api.ts';
import type { Session } from '../api-shapes.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { TextField } from '../components/Field.tsx';

export function SignInPage({ onSignedIn }: { onSignedIn(session: Session): void }) {
  const { t } = useTranslation();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await api.login(username.trim(), password));
    } catch (err) {
      setError(err);
      if (err instanceof ApiError && err.code === 'invalid-credentials') setPassword('');
    } finally {
      setBusy(false);
    }
  }

  const fields = error instanceof ApiError ? error.fieldErrors() : {};
  return (
    <section className="sign-in">
      <h1>{t('signIn.title')}</h1>
      <form onSubmit={submit} aria-label={t('signIn.title')} className="card">
        <ErrorNote error={error instanceof ApiError && error.code === 'invalid-request' ? null : error} />
        <TextField
          label={t('signIn.username')}
          value={username}
          onChange={setUsername}
          autoComplete="username"
          required
          error={fields.username}
        />
        <TextField
          label={t('signIn.password')}
          type="password"
          value={password}
          onChange={setPassword}
          autoComplete="current-password"
          required
          error={fields.password}
        />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('signIn.signingIn') : t('signIn.submit')}
        </button>
      </form>
    </section>
  );
}
