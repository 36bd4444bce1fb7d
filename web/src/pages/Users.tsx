import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../api.ts';
import type { Commune, User } from '../api-shapes.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { TextField } from '../components/Field.tsx';
import { LoadNote } from '../components/LoadNote.tsx';
import {
  incompleteRole,
  newRoleDraft,
  type RoleDraft,
  RoleEditor,
  toAssignments,
} from '../components/RoleEditor.tsx';
import { RoleList } from '../components/roles.tsx';
import { useLoad } from '../components/use-load.ts';
import { useSession } from '../session.tsx';

export function UsersPage() {
  const { t } = useTranslation();
  const { user: me } = useSession();
  const [users, reload] = useLoad(() => api.users(), []);
  const [communes] = useLoad(() => api.communes(), []);
  const [editing, setEditing] = useState<User | 'new' | null>(null);
  const [toggleError, setToggleError] = useState<unknown>(null);
  const [notice, setNotice] = useState('');
  const communeList = communes.data ?? [];

  async function toggleDisabled(user: User) {
    setToggleError(null);
    setNotice('');
    try {
      await api.updateUser(user.id, { disabled: !user.disabled });
      setNotice(
        user.disabled
          ? t('users.enabledNotice', { name: user.username })
          : t('users.disabledNotice', { name: user.username }),
      );
      reload();
    } catch (err) {
      setToggleError(err);
    }
  }

  return (
    <section>
      <div className="page-head">
        <h1>{t('users.title')}</h1>
        {editing === null && (
          <button type="button" className="primary" onClick={() => setEditing('new')}>
            {t('users.add')}
          </button>
        )}
      </div>
      {editing && (
        <UserForm
          key={editing === 'new' ? 'new' : editing.id}
          user={editing === 'new' ? null : editing}
          communes={communeList}
          onDone={(saved) => {
            setEditing(null);
            if (saved) {
              setNotice(t('users.savedNotice', { name: saved.username }));
              reload();
            }
          }}
        />
      )}
      {notice && <output className="ok-note">{notice}</output>}
      <ErrorNote error={toggleError} />
      <LoadNote load={users} />
      {users.data && (
        <table aria-label={t('users.title')}>
          <thead>
            <tr>
              <th>{t('users.username')}</th>
              <th>{t('users.displayName')}</th>
              <th>{t('users.rolesAndScope')}</th>
              <th>{t('users.status')}</th>
              <th>
                <span className="sr-only">{t('common.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {users.data.map((u) => (
              <tr key={u.id} className={u.disabled ? 'disabled-row' : undefined}>
                <td>
                  <code>{u.username}</code>
                </td>
                <td>{u.displayName}</td>
                <td>
                  <RoleList roles={u.roles} />
                </td>
                <td>
                  <span className={`badge ${u.disabled ? 'down' : 'ok'}`}>
                    {u.disabled ? t('users.disabled') : t('users.active')}
                  </span>
                </td>
                <td className="row-actions">
                  <button
                    type="button"
                    onClick={() => setEditing(u)}
                    aria-label={t('users.editNamed', { name: u.username })}
                  >
                    {t('common.edit')}
                  </button>
                  {u.id !== me.id && (
                    <button
                      type="button"
                      className={u.disabled ? undefined : 'danger'}
                      onClick={() => toggleDisabled(u)}
                      aria-label={
                        u.disabled
                          ? t('users.enableNamed', { name: u.username })
                          : t('users.disableNamed', { name: u.username })
                      }
                    >
                      {u.disabled ? t('users.enable') : t('users.disable')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function UserForm(props: { user: User | null; communes: Commune[]; onDone(saved: User | null): void }) {
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
