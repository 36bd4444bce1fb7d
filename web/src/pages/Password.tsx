import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../api.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { TextField } from '../components/Field.tsx';

export function PasswordPage() {
  const { t } = useTranslation();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [mismatch, setMismatch] = useState(false);
  const [done, setDone] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setDone(false);
    setError(null);
    if (next !== confirm) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    setBusy(true);
    try {
      await api.changePassword(current, next);
      setDone(true);
      setCurrent('');
      setNext('');
      setConfirm('');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const wrongCurrent = error instanceof ApiError && error.code === 'invalid-credentials';
  const fields = error instanceof ApiError ? error.fieldErrors() : {};
  return (
    <section>
      <h1>{t('password.title')}</h1>
      <form onSubmit={submit} aria-label={t('password.title')} className="card narrow">
        <ErrorNote error={wrongCurrent || Object.keys(fields).length > 0 ? null : error} />
        {done && <output className="ok-note">{t('password.done')}</output>}
        <TextField
          label={t('password.current')}
          type="password"
          value={current}
          onChange={setCurrent}
          autoComplete="current-password"
          required
          error={wrongCurrent ? t('password.wrongCurrent') : fields.currentPassword}
        />
        <TextField
          label={t('password.new')}
          type="password"
          value={next}
          onChange={setNext}
          autoComplete="new-password"
          required
          hint={t('password.rule')}
          error={fields.newPassword}
        />
        <TextField
          label={t('password.confirm')}
          type="password"
          value={confirm}
          onChange={setConfirm}
          autoComplete="new-password"
          required
          error={mismatch ? t('password.mismatch') : undefined}
        />
        <button type="submit" className="primary" disabled={busy}>
          {t('password.submit')}
        </button>
        <p className="muted">{t('password.otherSessions')}</p>
      </form>
    </section>
  );
}
