// How a role assignment reads: "Cán bộ xã · Xã Dào San".
import { useTranslation } from 'react-i18next';
import type { RoleAssignment } from '../api-shapes.ts';

export function useScopeLabel() {
  const { t } = useTranslation();
  return (r: Pick<RoleAssignment, 'province' | 'communeId' | 'communeName'>) =>
    r.communeId
      ? t('scope.commune', { name: r.communeName ?? r.communeId })
      : r.province
        ? t('scope.province', { name: r.province })
        : t('scope.everything');
}

export function RoleList({ roles }: { roles: RoleAssignment[] }) {
  const { t } = useTranslation();
  const scope = useScopeLabel();
  if (roles.length === 0) return <span className="muted">{t('roles.none')}</span>;
  return (
    <ul className="roles">
      {roles.map((r) => (
        <li key={`${r.role}-${r.province ?? ''}-${r.communeId ?? ''}`}>
          <span className={`role role-${r.role.toLowerCase()}`}>{t(`roles.${r.role}`)}</span> · {scope(r)}
        </li>
      ))}
    </ul>
  );
}
