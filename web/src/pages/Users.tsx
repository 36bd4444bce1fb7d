import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import type { User } from '../api-shapes.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { LoadNote } from '../components/LoadNote.tsx';
import { RoleList } from '../components/roles.tsx';
import { useLoad } from '../components/use-load.ts';
import { useSession } from '../session.tsx';
import { UserForm } from './UserForm.tsx';

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
