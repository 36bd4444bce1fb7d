import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import type { AuditEvent } from '../api-shapes.ts';
import {
  AUDIT_ENTITY_TYPES,
  auditSentence,
  fieldChanges,
  fieldLabel,
  formatValue,
} from '../components/audit-format.tsx';
import { CommuneFilter } from '../components/CommuneFilter.tsx';
import { Field } from '../components/Field.tsx';
import { actionsColumn, ListPage } from '../components/ListPage.tsx';
import { LogVerification } from '../components/LogVerification.tsx';
import { formatInstant } from '../components/time.ts';
import { type Load, useLoad } from '../components/use-load.ts';

const PAGE = 50;

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

  const fetchPage = useCallback(
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
    void fetchPage();
  }, [fetchPage]);

  const toggle = (id: string) =>
    setOpen((old) => {
      const next = new Set(old);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const load: Load<AuditEvent[]> = error
    ? { state: 'failed', error, data: events }
    : busy
      ? { state: 'loading', data: events.length > 0 ? events : undefined }
      : { state: 'loaded', data: events };

  return (
    <ListPage
      title={t('audit.title')}
      intro={
        <>
          <p className="muted">{t('audit.intro')}</p>
          <LogVerification communeId={communeId} />
        </>
      }
      filters={
        <>
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
                {AUDIT_ENTITY_TYPES.map((type) => (
                  <option key={type} value={type}>
                    {t(`audit.types.${type}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </>
      }
      load={load}
      empty={t('audit.none')}
      tableClassName="audit"
      columns={[
        { head: t('audit.at'), cell: (e) => formatInstant(e.at, i18n.language), className: 'nowrap' },
        { head: t('audit.what'), cell: (e) => auditSentence(e, t), title: true },
        { head: t('audit.commune'), cell: (e) => communeName(e.communeId) },
        { head: t('audit.from'), cell: (e) => e.ip, className: 'muted' },
        actionsColumn<AuditEvent>(
          t('audit.details'),
          (e) =>
            (e.before != null || e.after != null || e.reason) && (
              <button
                type="button"
                className="link nowrap"
                aria-expanded={open.has(e.id)}
                onClick={() => toggle(e.id)}
              >
                {open.has(e.id) ? t('audit.hide') : t('audit.show')}
              </button>
            ),
        ),
      ]}
      detail={(e) =>
        open.has(e.id) && (
          <>
            {e.reason && (
              <p>
                <strong>{t('audit.reason')}:</strong> {e.reason}
              </p>
            )}
            <ChangeList event={e} />
            <p className="muted">{e.userAgent}</p>
          </>
        )
      }
      footer={
        <div className="actions">
          {more && (
            <button type="button" disabled={busy} onClick={() => fetchPage(events[events.length - 1]?.id)}>
              {t('audit.older')}
            </button>
          )}
          {busy && events.length > 0 && <span className="muted">{t('common.loading')}</span>}
        </div>
      }
    />
  );
}

/** What the event changed, field by field: before → after. */
function ChangeList({ event }: { event: AuditEvent }) {
  const { t, i18n } = useTranslation();
  const changes = fieldChanges(event.before, event.after);
  if (changes.length === 0) return null;
  const show = (field: string, value: unknown) => formatValue(field, value, t, i18n.language);
  return (
    <dl className="changes" aria-label={t('audit.changes')}>
      {changes.map((c) => (
        <div key={c.field}>
          <dt>{fieldLabel(c.field, t)}</dt>
          <dd>
            {'before' in c && 'after' in c ? (
              <>
                <span className="sr-only">{t('audit.before')}: </span>
                <del>{show(c.field, c.before)}</del>
                {' → '}
                <span className="sr-only">{t('audit.after')}: </span>
                <ins>{show(c.field, c.after)}</ins>
              </>
            ) : (
              show(c.field, 'after' in c ? c.after : c.before)
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}
