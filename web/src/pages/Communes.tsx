import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import type { Commune } from '../api-shapes.ts';
import { actionsColumn, ListPage } from '../components/ListPage.tsx';
import { languageName } from '../components/languages.ts';
import { useLoad } from '../components/use-load.ts';
import { hasGlobalRole, hasRoleIn, useSession } from '../session.tsx';
import { CommuneForm } from './CommuneForm.tsx';

export function CommunesPage() {
  const { t, i18n } = useTranslation();
  const { user } = useSession();
  const [communes, reload] = useLoad(() => api.communes(), []);
  const [languages] = useLoad(() => api.languages(), []);
  const [editing, setEditing] = useState<Commune | 'new' | null>(null);
  const langs = languages.data ?? [];

  return (
    <ListPage
      title={t('communes.title')}
      action={
        hasGlobalRole(user, ['ADMIN']) &&
        editing === null && (
          <button type="button" className="primary" onClick={() => setEditing('new')}>
            {t('communes.add')}
          </button>
        )
      }
      load={communes}
      empty={t('communes.none')}
      columns={[
        { head: t('communes.code'), cell: (c) => c.code },
        { head: t('communes.name'), cell: (c) => c.name, title: true },
        { head: t('communes.province'), cell: (c) => c.province },
        { head: t('communes.timeZone'), cell: (c) => c.timeZone },
        {
          head: t('communes.languages'),
          cell: (c) => c.languages.map((code) => languageName(langs, code, i18n.language)).join(', '),
        },
        actionsColumn<Commune>(
          t('common.actions'),
          (c) =>
            hasRoleIn(user, ['ADMIN'], c) && (
              <button
                type="button"
                onClick={() => setEditing(c)}
                aria-label={t('communes.editNamed', { name: c.name })}
              >
                {t('common.edit')}
              </button>
            ),
        ),
      ]}
    >
      {editing && (
        <CommuneForm
          commune={editing === 'new' ? null : editing}
          languages={langs}
          onDone={(saved) => {
            setEditing(null);
            if (saved) reload();
          }}
        />
      )}
    </ListPage>
  );
}
