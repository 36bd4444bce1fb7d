// Bulletins: the list (every role), and the sub-pages under /bulletins — new, edit, detail.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { EDITOR_ROLES } from '../access.ts';
import { api } from '../api.ts';
import type { BulletinStatus } from '../api-shapes.ts';
import { PriorityBadge, StatusBadge } from '../components/bulletin-format.tsx';
import { CommuneFilter } from '../components/CommuneFilter.tsx';
import { Field } from '../components/Field.tsx';
import { LoadNote } from '../components/LoadNote.tsx';
import { languageName } from '../components/languages.ts';
import { formatDate } from '../components/time.ts';
import { useLoad } from '../components/use-load.ts';
import { BULLETIN_STATUSES } from '../constants.ts';
import { useNavigation } from '../navigation.tsx';
import { hasRoleIn, useSession } from '../session.tsx';
import { BulletinDetail } from './BulletinDetail.tsx';
import { BulletinForm } from './BulletinForm.tsx';

export function BulletinsPage() {
  const { path } = useNavigation();
  const parts = path.split('/').filter(Boolean); // ['bulletins', id?, 'edit'?]
  if (parts[1] === 'new') return <BulletinForm bulletinId={null} />;
  if (parts[1] && parts[2] === 'edit') return <BulletinForm key={parts[1]} bulletinId={parts[1]} />;
  if (parts[1]) return <BulletinDetail key={parts[1]} bulletinId={parts[1]} />;
  return <BulletinList />;
}

function BulletinList() {
  const { t, i18n } = useTranslation();
  const { user } = useSession();
  const { navigate } = useNavigation();
  const [communeId, setCommuneId] = useState('');
  const [status, setStatus] = useState<BulletinStatus | ''>('');
  const [communes] = useLoad(() => api.communes(), []);
  const [languages] = useLoad(() => api.languages(), []);
  const [bulletins] = useLoad(
    () => api.bulletins({ communeId: communeId || undefined, status: status || undefined }),
    [communeId, status],
  );
  const communeList = communes.data ?? [];
  const canCreate = communeList.some((c) => hasRoleIn(user, EDITOR_ROLES, c));
  const communeName = (id: string) => communeList.find((c) => c.id === id)?.name ?? '—';
  const open = (id: string) => (e: React.MouseEvent) => {
    e.preventDefault();
    navigate(`/bulletins/${id}`);
  };

  return (
    <section>
      <div className="page-head">
        <h1>{t('bulletins.title')}</h1>
        {canCreate && (
          <button type="button" className="primary" onClick={() => navigate('/bulletins/new')}>
            {t('bulletins.add')}
          </button>
        )}
      </div>
      <div className="filters">
        <CommuneFilter
          label={t('bulletins.filterCommune')}
          allLabel={t('bulletins.allCommunes')}
          communes={communeList}
          value={communeId}
          onChange={setCommuneId}
        />
        <Field label={t('bulletins.filterStatus')}>
          {(control) => (
            <select
              {...control}
              value={status}
              onChange={(e) => setStatus(e.target.value as BulletinStatus | '')}
            >
              <option value="">{t('bulletins.allStatuses')}</option>
              {BULLETIN_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {t(`bulletins.statuses.${s}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <LoadNote load={bulletins} empty={t('bulletins.none')} />
      {bulletins.data && bulletins.data.length > 0 && (
        <table aria-label={t('bulletins.title')} className="stack">
          <thead>
            <tr>
              <th>{t('bulletins.titleField')}</th>
              <th>{t('bulletins.status')}</th>
              <th>{t('bulletins.priority')}</th>
              <th>{t('bulletins.languages')}</th>
              <th>{t('bulletins.programme')}</th>
              <th>{t('bulletins.commune')}</th>
              <th>{t('bulletins.createdAt')}</th>
            </tr>
          </thead>
          <tbody>
            {bulletins.data.map((b) => (
              <tr key={b.id}>
                <td className="title-cell">
                  <a href={`/bulletins/${b.id}`} onClick={open(b.id)}>
                    {b.title}
                  </a>
                </td>
                <td data-label={t('bulletins.status')}>
                  <StatusBadge status={b.status} />
                  {b.approvedAt && <span className="badge approved">{t('bulletins.approvedShort')}</span>}
                </td>
                <td data-label={t('bulletins.priority')}>
                  <PriorityBadge priority={b.priority} />
                </td>
                <td data-label={t('bulletins.languages')}>
                  {b.languages.length === 0
                    ? t('bulletins.noTracks')
                    : b.languages
                        .map((l) => languageName(languages.data ?? [], l, i18n.language))
                        .join(' → ')}
                </td>
                <td data-label={t('bulletins.programme')}>{b.programme || '—'}</td>
                <td data-label={t('bulletins.commune')}>{communeName(b.communeId)}</td>
                <td data-label={t('bulletins.createdAt')} className="nowrap">
                  {formatDate(b.createdAt, i18n.language)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
