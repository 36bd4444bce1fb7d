import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import type { Cluster } from '../api-shapes.ts';
import { CommuneFilter } from '../components/CommuneFilter.tsx';
import { LoadNote } from '../components/LoadNote.tsx';
import { useLoad } from '../components/use-load.ts';
import { hasRoleIn, useSession } from '../session.tsx';
import { ClusterForm } from './ClusterForm.tsx';

export function ClustersPage() {
  const { t } = useTranslation();
  const { user } = useSession();
  const [communeId, setCommuneId] = useState('');
  const [communes] = useLoad(() => api.communes(), []);
  const [clusters, reload] = useLoad(() => api.clusters(communeId || undefined), [communeId]);
  const [editing, setEditing] = useState<Cluster | 'new' | null>(null);
  const communeList = communes.data ?? [];
  const adminCommunes = communeList.filter((c) => hasRoleIn(user, ['ADMIN'], c));
  const communeOf = (id: string) => communeList.find((c) => c.id === id);

  return (
    <section>
      <div className="page-head">
        <h1>{t('clusters.title')}</h1>
        {adminCommunes.length > 0 && editing === null && (
          <button type="button" className="primary" onClick={() => setEditing('new')}>
            {t('clusters.add')}
          </button>
        )}
      </div>
      <div className="filters">
        <CommuneFilter
          label={t('clusters.filterCommune')}
          allLabel={t('clusters.allCommunes')}
          communes={communeList}
          value={communeId}
          onChange={setCommuneId}
        />
      </div>
      {editing && (
        <ClusterForm
          cluster={editing === 'new' ? null : editing}
          communes={adminCommunes}
          defaultCommuneId={communeId}
          onDone={(saved) => {
            setEditing(null);
            if (saved) reload();
          }}
        />
      )}
      <LoadNote load={clusters} empty={t('clusters.none')} />
      {clusters.data && clusters.data.length > 0 && (
        <table aria-label={t('clusters.title')}>
          <thead>
            <tr>
              <th>{t('clusters.name')}</th>
              <th>{t('clusters.commune')}</th>
              <th>{t('clusters.location')}</th>
              <th>{t('clusters.driverKind')}</th>
              <th>{t('clusters.enabled')}</th>
              <th>
                <span className="sr-only">{t('common.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {clusters.data.map((c) => {
              const commune = communeOf(c.communeId);
              return (
                <tr key={c.id}>
                  <td>{c.name}</td>
                  <td>{commune?.name ?? '—'}</td>
                  <td>{c.location || '—'}</td>
                  <td>{t(`clusters.kinds.${c.driverKind}`)}</td>
                  <td>
                    <span className={`badge ${c.enabled ? 'ok' : 'off'}`}>
                      {c.enabled ? t('clusters.on') : t('clusters.off')}
                    </span>
                  </td>
                  <td>
                    {commune && hasRoleIn(user, ['ADMIN'], commune) && (
                      <button
                        type="button"
                        onClick={() => setEditing(c)}
                        aria-label={t('clusters.editNamed', { name: c.name })}
                      >
                        {t('common.edit')}
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
