import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import type { Commune } from '../api-shapes.ts';
import { LoadNote } from '../components/LoadNote.tsx';
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
    <section>
      <div className="page-head">
        <h1>{t('communes.title')}</h1>
        {hasGlobalRole(user, ['ADMIN']) && editing === null && (
          <button type="button" className="primary" onClick={() => setEditing('new')}>
            {t('communes.add')}
          </button>
        )}
      </div>
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
      <LoadNote load={communes} empty={t('communes.none')} />
      {communes.data && communes.data.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>{t('communes.code')}</th>
              <th>{t('communes.name')}</th>
              <th>{t('communes.province')}</th>
              <th>{t('communes.timeZone')}</th>
              <th>{t('communes.languages')}</th>
              <th>
                <span className="sr-only">{t('common.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {communes.data.map((c) => (
              <tr key={c.id}>
                <td>{c.code}</td>
                <td>{c.name}</td>
                <td>{c.province}</td>
                <td>{c.timeZone}</td>
                <td>{c.languages.map((code) => languageName(langs, code, i18n.language)).join(', ')}</td>
                <td>
                  {hasRoleIn(user, ['ADMIN'], c) && (
                    <button
                      type="button"
                      onClick={() => setEditing(c)}
                      aria-label={t('communes.editNamed', { name: c.name })}
                    >
                      {t('common.edit')}
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
