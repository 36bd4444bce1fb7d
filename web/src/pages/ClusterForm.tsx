// Add or edit a loudspeaker cluster: where it is, its driver kind and the driver's settings.
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
import { DRIVER_KINDS, type DriverKind } from '../constants.ts';

/** Same settings whatever the key order (the database keeps JSON keys in its own order). */
function sameConfig(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const canonical = (o: Record<string, unknown>) =>
    JSON.stringify(Object.entries(o).sort(([x], [y]) => x.localeCompare(y)));
  return canonical(a) === canonical(b);
}

const coordinate = (text: string): number | null => (text.trim() === '' ? null : Number(text));

export function ClusterForm(props: {
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
        <CommuneFilter
          label={t('clusters.commune')}
          communes={props.communes}
          value={communeId}
          onChange={setCommuneId}
          disabled={Boolean(original)}
          error={fields.communeId}
        />
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
