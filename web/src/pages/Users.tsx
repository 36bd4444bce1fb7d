import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import type { User } from '../api-shapes.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { actionsColumn, ListPage } from '../components/ListPage.tsx';
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
    <ListPage
      title={t('users.title')}
      action={
        editing === null && (
          <button type="button" className="primary" onClick={() => setEditing('new')}>
            {t('users.add')}
          </button>
        )
      }
      load={users}
      rowClassName={(u) => (u.disabled ? 'disabled-row' : undefined)}
      columns={[
        { head: t('users.username'), cell: (u) => <code>{u.username}</code>, title: true },
        { head: t('users.displayName'), cell: (u) => u.displayName },
        { head: t('users.rolesAndScope'), cell: (u) => <RoleList roles={u.roles} /> },
        {
          head: t('users.status'),
          cell: (u) => (
            <span className={`badge ${u.disabled ? 'down' : 'ok'}`}>
              {u.disabled ? t('users.disabled') : t('users.active')}
            </span>
          ),
        },
        actionsColumn<User>(t('common.actions'), (u) => (
          <>
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
          </>
        )),
      ]}
    >
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
    </ListPage>
  );
}
