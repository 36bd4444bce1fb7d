import { Fragment, useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import type { AuditEvent } from '../api-shapes.ts';
import { CommuneFilter } from '../components/CommuneFilter.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { Field } from '../components/Field.tsx';
import { formatInstant } from '../components/time.ts';
import { useLoad } from '../components/use-load.ts';

const PAGE = 50;

/** A readable name for the record, from what the event kept of it. */
function recordName(e: AuditEvent): string | undefined {
  for (const state of [e.after, e.before]) {
    if (state && typeof state === 'object') {
      const { name, username } = state as { name?: unknown; username?: unknown };
      if (typeof name === 'string') return name;
      if (typeof username === 'string') return username;
    }
  }
  return undefined;
}
const ENTITY_TYPES = ['user', 'api-token', 'commune', 'cluster'];

export function AuditPage() {
  const { t, i18n } = useTranslation();
  const [communes] = useLoad(() => api.communes(), []);
  const [communeId, setCommuneId] = useState('');
  const [entityType, setEntityType] = useState('');
  const [events, setEvents] = useState<AuditEvent[]>([]);
  const [more, setMore] = useState(false);
  const [busy, setBusy] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState<Set<string>>(new Set());
  const communeName = (id: string | null) =>
    id ? (communes.data?.find((c) => c.id === id)?.name ?? id.slice(0, 8)) : '—';

  const load = useCallback(
    async (before?: string) => {
      setBusy(true);
      setError(null);
      try {
        const page = await api.audit({ communeId, entityType, before, limit: PAGE });
        setEvents((old) => (before ? [...old, ...page] : page));
        setMore(page.length === PAGE);
      } catch (err) {
        setError(err);
      } finally {
        setBusy(false);
      }
    },
    [communeId, entityType],
  );
  useEffect(() => {
    setOpen(new Set());
    void load();
  }, [load]);

  const toggle = (id: string) =>
    setOpen((old) => {
      const next = new Set(old);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <section>
      <h1>{t('audit.title')}</h1>
      <p className="muted">{t('audit.intro')}</p>
      <div className="filters">
        <CommuneFilter
          label={t('audit.commune')}
          allLabel={t('audit.allCommunes')}
          communes={communes.data ?? []}
          value={communeId}
          onChange={setCommuneId}
        />
        <Field label={t('audit.entityType')}>
          {(control) => (
            <select {...control} value={entityType} onChange={(e) => setEntityType(e.target.value)}>
              <option value="">{t('audit.allTypes')}</option>
              {ENTITY_TYPES.map((type) => (
                <option key={type} value={type}>
                  {t(`audit.types.${type}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <ErrorNote error={error} />
      {!busy && events.length === 0 && !error && <p className="muted">{t('audit.none')}</p>}
      {events.length > 0 && (
        <table className="audit" aria-label={t('audit.title')}>
          <thead>
            <tr>
              <th>{t('audit.at')}</th>
              <th>{t('audit.actor')}</th>
              <th>{t('audit.action')}</th>
              <th>{t('audit.record')}</th>
              <th>{t('audit.commune')}</th>
              <th>{t('audit.from')}</th>
              <th>
                <span className="sr-only">{t('audit.details')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => {
              const expanded = open.has(e.id);
              const hasDetails = e.before != null || e.after != null || e.reason;
              return (
                <Fragment key={e.id}>
                  <tr>
                    <td className="nowrap">{formatInstant(e.at, i18n.language)}</td>
                    <td>
                      {e.actorName}
                      {e.via === 'token' && <span className="muted"> ({t('audit.viaToken')})</span>}
                    </td>
                    <td>{t(`audit.actions.${e.action}`, { defaultValue: e.action })}</td>
                    <td>
                      {t(`audit.types.${e.entityType}`, { defaultValue: e.entityType })}{' '}
                      {recordName(e) ??
                        (e.entityId && <code className="muted">{e.entityId.slice(0, 8)}</code>)}
                    </td>
                    <td>{communeName(e.communeId)}</td>
                    <td className="muted">{e.ip}</td>
                    <td>
                      {hasDetails && (
                        <button
                          type="button"
                          className="link nowrap"
                          aria-expanded={expanded}
                          onClick={() => toggle(e.id)}
                        >
                          {expanded ? t('audit.hide') : t('audit.show')}
                        </button>
                      )}
                    </td>
                  </tr>
                  {expanded && (
                    <tr className="details">
                      <td colSpan={7}>
                        {e.reason && (
                          <p>
                            <strong>{t('audit.reason')}:</strong> {e.reason}
                          </p>
                        )}
                        <div className="before-after">
                          <div>
                            <h3>{t('audit.before')}</h3>
                            <pre>{e.before == null ? '—' : JSON.stringify(e.before, null, 2)}</pre>
                          </div>
                          <div>
                            <h3>{t('audit.after')}</h3>
                            <pre>{e.after == null ? '—' : JSON.stringify(e.after, null, 2)}</pre>
                          </div>
                        </div>
                        <p className="muted">{e.userAgent}</p>
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      )}
      <div className="actions">
        {more && (
          <button type="button" disabled={busy} onClick={() => load(events[events.length - 1]?.id)}>
            {t('audit.older')}
          </button>
        )}
        {busy && <span className="muted">{t('common.loading')}</span>}
      </div>
    </section>
  );
}
