import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import type { Cluster } from '../api-shapes.ts';
import { CommuneFilter } from '../components/CommuneFilter.tsx';
import { actionsColumn, ListPage } from '../components/ListPage.tsx';
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
    <ListPage
      title={t('clusters.title')}
      action={
        adminCommunes.length > 0 &&
        editing === null && (
          <button type="button" className="primary" onClick={() => setEditing('new')}>
            {t('clusters.add')}
          </button>
        )
      }
      filters={
        <CommuneFilter
          label={t('clusters.filterCommune')}
          allLabel={t('clusters.allCommunes')}
          communes={communeList}
          value={communeId}
          onChange={setCommuneId}
        />
      }
      load={clusters}
      empty={t('clusters.none')}
      columns={[
        { head: t('clusters.name'), cell: (c) => c.name, title: true },
        { head: t('clusters.commune'), cell: (c) => communeOf(c.communeId)?.name ?? '—' },
        { head: t('clusters.location'), cell: (c) => c.location || '—' },
        { head: t('clusters.driverKind'), cell: (c) => t(`clusters.kinds.${c.driverKind}`) },
        {
          head: t('clusters.enabled'),
          cell: (c) => (
            <span className={`badge ${c.enabled ? 'ok' : 'off'}`}>
              {c.enabled ? t('clusters.on') : t('clusters.off')}
            </span>
          ),
        },
        actionsColumn<Cluster>(t('common.actions'), (c) => {
          const commune = communeOf(c.communeId);
          return (
            commune &&
            hasRoleIn(user, ['ADMIN'], commune) && (
              <button
                type="button"
                onClick={() => setEditing(c)}
                aria-label={t('clusters.editNamed', { name: c.name })}
              >
                {t('common.edit')}
              </button>
            )
          );
        }),
      ]}
    >
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
    </ListPage>
  );
}
