// Add or edit a user: names, password, locale and role assignments with their scope.
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../api.ts';
import type { Commune, User } from '../api-shapes.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { TextField } from '../components/Field.tsx';
import {
  incompleteRole,
  newRoleDraft,
  type RoleDraft,
  RoleEditor,
  toAssignments,
} from '../components/RoleEditor.tsx';

export function UserForm(props: {
  user: User | null;
  communes: Commune[];
  onDone(saved: User | null): void;
}) {
  const { t } = useTranslation();
  const existing = props.user;
  const [username, setUsername] = useState(existing?.username ?? '');
  const [displayName, setDisplayName] = useState(existing?.displayName ?? '');
  const [password, setPassword] = useState('');
  const [roles, setRoles] = useState<RoleDraft[]>(() =>
    existing ? existing.roles.map((r) => newRoleDraft(props.communes, r)) : [newRoleDraft(props.communes)],
  );
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const fields = { ...(error instanceof ApiError ? error.fieldErrors() : {}), ...localErrors };
  const title = existing ? t('users.editTitle', { name: existing.username }) : t('users.addTitle');

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    const missing = incompleteRole(roles);
    setLocalErrors(missing);
    if (Object.keys(missing).length > 0) return;
    setBusy(true);
    try {
      const saved = existing
        ? await api.updateUser(existing.id, {
            displayName,
            roles: toAssignments(roles),
            ...(password ? { password } : {}),
          })
        : await api.createUser({
            username: username.trim(),
            displayName,
            password,
            roles: toAssignments(roles),
          });
      props.onDone(saved);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card" aria-label={title} onSubmit={submit}>
      <h2>{title}</h2>
      <ErrorNote error={error} />
      <div className="grid">
        {!existing && (
          <TextField
            label={t('users.username')}
            value={username}
            onChange={setUsername}
            required
            autoComplete="off"
            hint={t('users.usernameHint')}
            error={fields.username}
          />
        )}
        <TextField
          label={t('users.displayName')}
          value={displayName}
          onChange={setDisplayName}
          required
          error={fields.displayName}
        />
        <TextField
          label={existing ? t('users.resetPassword') : t('users.initialPassword')}
          type="password"
          value={password}
          onChange={setPassword}
          required={!existing}
          autoComplete="new-password"
          hint={existing ? t('users.resetPasswordHint') : t('password.rule')}
          error={fields.password}
        />
      </div>
      <RoleEditor drafts={roles} communes={props.communes} onChange={setRoles} errors={fields} />
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {existing ? t('common.save') : t('users.create')}
        </button>
        <button type="button" onClick={() => props.onDone(null)}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
