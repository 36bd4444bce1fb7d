import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../api.ts';
import type { Cluster, Commune } from '../api-shapes.ts';
import { CommuneFilter } from '../components/CommuneFilter.tsx';
import {
  type ConfigDraft,
  configFromDraft,
  DriverConfigEditor,
  draftFromConfig,
} from '../components/DriverConfigEditor.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { Field, TextField } from '../components/Field.tsx';
import { LoadNote } from '../components/LoadNote.tsx';
import { useLoad } from '../components/use-load.ts';
import { DRIVER_KINDS, type DriverKind } from '../constants.ts';
import { hasRoleIn, useSession } from '../session.tsx';

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

/** Same settings whatever the key order (the database keeps JSON keys in its own order). */
function sameConfig(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const canonical = (o: Record<string, unknown>) =>
    JSON.stringify(Object.entries(o).sort(([x], [y]) => x.localeCompare(y)));
  return canonical(a) === canonical(b);
}

const coordinate = (text: string): number | null => (text.trim() === '' ? null : Number(text));

function ClusterForm(props: {
  cluster: Cluster | null;
  communes: Commune[];
  defaultCommuneId: string;
  onDone(saved: boolean): void;
}) {
  const { t } = useTranslation();
  const original = props.cluster;
  const [communeId, setCommuneId] = useState(
    original?.communeId ??
      (props.communes.some((c) => c.id === props.defaultCommuneId)
        ? props.defaultCommuneId
        : props.communes[0]?.id) ??
      '',
  );
  const [name, setName] = useState(original?.name ?? '');
  const [location, setLocation] = useState(original?.location ?? '');
  const [latitude, setLatitude] = useState(original?.latitude?.toString() ?? '');
  const [longitude, setLongitude] = useState(original?.longitude?.toString() ?? '');
  const [enabled, setEnabled] = useState(original?.enabled ?? true);
  const [kind, setKind] = useState<DriverKind>(original?.driverKind ?? 'RECORDER');
  const [draft, setDraft] = useState<ConfigDraft>({
    mode: 'form',
    values: draftFromConfig(original?.driverConfig ?? {}),
  });
  const [jsonError, setJsonError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const fields = error instanceof ApiError ? error.fieldErrors() : {};
  const title = original ? t('clusters.editTitle', { name: original.name }) : t('clusters.addTitle');

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    const built = configFromDraft(kind, draft);
    if ('jsonError' in built) {
      setJsonError(built.jsonError);
      return;
    }
    setJsonError(undefined);
    const common = {
      name,
      location,
      latitude: coordinate(latitude),
      longitude: coordinate(longitude),
      enabled,
    };
    setBusy(true);
    try {
      if (original) {
        // Send the driver only when it changed: its secrets are write-only, so resending the
        // visible part would drop a stored password.
        const driverChanged =
          kind !== original.driverKind || !sameConfig(built.config, original.driverConfig);
        await api.updateCluster(
          original.id,
          driverChanged ? { ...common, driverKind: kind, driverConfig: built.config } : common,
        );
      } else {
        await api.createCluster({ ...common, communeId, driverKind: kind, driverConfig: built.config });
      }
      props.onDone(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card" aria-label={title} onSubmit={submit}>
      <h2>{title}</h2>
      <ErrorNote error={error} />
      <div className="grid">
        <Field label={t('clusters.commune')} error={fields.communeId}>
          {(control) => (
            <select
              {...control}
              value={communeId}
              disabled={Boolean(original)}
              onChange={(e) => setCommuneId(e.target.value)}
            >
              {props.communes.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <TextField label={t('clusters.name')} value={name} onChange={setName} required error={fields.name} />
        <TextField
          label={t('clusters.location')}
          value={location}
          onChange={setLocation}
          error={fields.location}
        />
        <TextField
          label={t('clusters.latitude')}
          type="number"
          step="any"
          value={latitude}
          onChange={setLatitude}
          error={fields.latitude}
        />
        <TextField
          label={t('clusters.longitude')}
          type="number"
          step="any"
          value={longitude}
          onChange={setLongitude}
          error={fields.longitude}
        />
        <Field label={t('clusters.driverKind')} error={fields.driverKind}>
          {(control) => (
            <select {...control} value={kind} onChange={(e) => setKind(e.target.value as DriverKind)}>
              {DRIVER_KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`clusters.kinds.${k}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <DriverConfigEditor
        kind={kind}
        draft={draft}
        onChange={setDraft}
        errors={fields}
        jsonError={jsonError}
        editingExisting={Boolean(original)}
      />
      <label className="inline">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />{' '}
        {t('clusters.enabledLabel')}
      </label>
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {t('common.save')}
        </button>
        <button type="button" onClick={() => props.onDone(false)}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
