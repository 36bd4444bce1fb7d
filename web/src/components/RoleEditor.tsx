// Role assignments of a user, each with its scope: everything, one province, or one commune.
import { useTranslation } from 'react-i18next';
import type { Commune, RoleAssignment, RoleAssignmentIn } from '../api-shapes.ts';
import { ROLES, type Role } from '../constants.ts';
import { Field } from './Field.tsx';
import { fieldMessage } from './problem.ts';

export type ScopeKind = 'everything' | 'province' | 'commune';

export interface RoleDraft {
  key: number;
  role: Role;
  scope: ScopeKind;
  province: string;
  communeId: string;
}

let nextKey = 1;

export function newRoleDraft(communes: Commune[], from?: RoleAssignment): RoleDraft {
  if (from) {
    return {
      key: nextKey++,
      role: from.role,
      scope: from.communeId ? 'commune' : from.province ? 'province' : 'everything',
      province: from.province ?? '',
      communeId: from.communeId ?? '',
    };
  }
  return {
    key: nextKey++,
    role: 'OFFICER',
    scope: 'commune',
    province: '',
    communeId: communes[0]?.id ?? '',
  };
}

export function toAssignments(drafts: RoleDraft[]): RoleAssignmentIn[] {
  return drafts.map((d) =>
    d.scope === 'commune'
      ? { role: d.role, communeId: d.communeId || null }
      : d.scope === 'province'
        ? { role: d.role, province: d.province.trim() }
        : { role: d.role },
  );
}

interface RoleEditorProps {
  drafts: RoleDraft[];
  communes: Commune[];
  onChange(drafts: RoleDraft[]): void;
  /** Field errors keyed like "roles.0.province". */
  errors: Record<string, string>;
}

export function RoleEditor({ drafts, communes, onChange, errors }: RoleEditorProps) {
  const { t } = useTranslation();
  const provinces = [...new Set(communes.map((c) => c.province))].sort((a, b) => a.localeCompare(b, 'vi'));
  const update = (key: number, patch: Partial<RoleDraft>) =>
    onChange(drafts.map((d) => (d.key === key ? { ...d, ...patch } : d)));
  const suffix = (i: number) => (drafts.length > 1 ? ` ${i + 1}` : '');

  return (
    <fieldset className="roles-editor">
      <legend>{t('users.roles')}</legend>
      {drafts.length === 0 && <p className="muted">{t('roles.none')}</p>}
      {drafts.map((d, i) => (
        <div className="role-row" key={d.key}>
          <Field label={t('users.role') + suffix(i)} error={errors[`roles.${i}.role`]}>
            {(control) => (
              <select
                {...control}
                value={d.role}
                onChange={(e) => update(d.key, { role: e.target.value as Role })}
              >
                {ROLES.map((r) => (
                  <option key={r} value={r}>
                    {t(`roles.${r}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('users.scope') + suffix(i)} error={errors[`roles.${i}`]}>
            {(control) => (
              <select
                {...control}
                value={d.scope}
                onChange={(e) => update(d.key, { scope: e.target.value as ScopeKind })}
              >
                <option value="everything">{t('users.scopeKinds.everything')}</option>
                <option value="province">{t('users.scopeKinds.province')}</option>
                <option value="commune">{t('users.scopeKinds.commune')}</option>
              </select>
            )}
          </Field>
          {d.scope === 'province' && (
            <Field label={t('users.province') + suffix(i)} error={errors[`roles.${i}.province`]}>
              {(control) => (
                <select
                  {...control}
                  value={d.province}
                  onChange={(e) => update(d.key, { province: e.target.value })}
                >
                  <option value="">{t('users.choose')}</option>
                  {provinces.map((p) => (
                    <option key={p} value={p}>
                      {p}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          )}
          {d.scope === 'commune' && (
            <Field label={t('users.commune') + suffix(i)} error={errors[`roles.${i}.communeId`]}>
              {(control) => (
                <select
                  {...control}
                  value={d.communeId}
                  onChange={(e) => update(d.key, { communeId: e.target.value })}
                >
                  <option value="">{t('users.choose')}</option>
                  {communes.map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.name} — {c.province}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          )}
          <button
            type="button"
            className="link danger"
            onClick={() => onChange(drafts.filter((x) => x.key !== d.key))}
            aria-label={t('users.removeRole', { n: i + 1 })}
          >
            {t('users.remove')}
          </button>
        </div>
      ))}
      {errors.roles && (
        <small className="field-error" role="alert">
          {fieldMessage(t, errors.roles)}
        </small>
      )}
      <button type="button" onClick={() => onChange([...drafts, newRoleDraft(communes)])}>
        {t('users.addRole')}
      </button>
    </fieldset>
  );
}

/** A role row that names no commune or province is caught here rather than sent. */
export function incompleteRole(drafts: RoleDraft[]): Record<string, string> {
  const out: Record<string, string> = {};
  drafts.forEach((d, i) => {
    if (d.scope === 'commune' && !d.communeId) out[`roles.${i}.communeId`] = 'must not be empty';
    if (d.scope === 'province' && !d.province.trim()) out[`roles.${i}.province`] = 'must not be empty';
  });
  return out;
}
