// The emergency form (Thông tư 39: an approved emergency bulletin airs at once, preempting what
// the clusters air): the bulletin, where (the bulletin's whole commune, or chosen clusters), and
// the reason, which is required and kept in the audit trail. Shown only to schedulers and admins.
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../../api.ts';
import type { BoardCluster, NowRequest } from '../../api-shapes.ts';
import { ErrorNote } from '../ErrorNote.tsx';
import { Field } from '../Field.tsx';
import { useLoad } from '../use-load.ts';

const MIN_REASON = 5;

export function EmergencyForm(props: {
  clusters: BoardCluster[];
  onDone(request: NowRequest): void;
  onCancel(): void;
}) {
  const { t } = useTranslation();
  const [bulletins] = useLoad(() => api.bulletins({ priority: 'EMERGENCY', status: 'READY' }), []);
  const airable = (bulletins.data ?? []).filter((b) => b.approvedAt);
  const [bulletinId, setBulletinId] = useState('');
  const [where, setWhere] = useState<'commune' | 'clusters'>('commune');
  const [chosen, setChosen] = useState<string[]>([]);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [sending, setSending] = useState(false);
  const fieldErrors = error instanceof ApiError ? error.fieldErrors() : {};
  const reasonShort = reason.trim().length < MIN_REASON;

  async function submit(e: FormEvent) {
    e.preventDefault();
    const selected = airable.find((b) => b.id === bulletinId);
    if (!selected) return;
    const question = t('emergency.confirm', {
      title: selected.title,
      count: where === 'clusters' ? chosen.length : 0,
    });
    if (!window.confirm(question)) return;
    setSending(true);
    setError(null);
    try {
      const answer = await api.airEmergency({
        bulletinId,
        reason: reason.trim(),
        ...(where === 'clusters' ? { clusterIds: chosen } : {}),
      });
      props.onDone(answer);
    } catch (err) {
      setError(err);
    } finally {
      setSending(false);
    }
  }

  return (
    <form className="card emergency-form" onSubmit={submit} aria-labelledby="emergency-title" noValidate>
      <h2 id="emergency-title">{t('emergency.title')}</h2>
      <p className="hint">{t('emergency.intro')}</p>
      {error instanceof ApiError && t(`emergency.errors.${error.code}`, { defaultValue: '' }) ? (
        <p className="error-note" role="alert">
          {t(`emergency.errors.${error.code}`)}
        </p>
      ) : (
        <ErrorNote error={error} />
      )}
      <Field label={t('emergency.bulletin')} error={fieldErrors.bulletinId}>
        {(control) => (
          <select {...control} value={bulletinId} onChange={(e) => setBulletinId(e.target.value)} required>
            <option value="">{t('emergency.chooseBulletin')}</option>
            {airable.map((b) => (
              <option key={b.id} value={b.id}>
                {b.title}
              </option>
            ))}
          </select>
        )}
      </Field>
      {bulletins.state === 'loaded' && airable.length === 0 && (
        <p className="warning">{t('emergency.noBulletin')}</p>
      )}
      <fieldset>
        <legend>{t('emergency.where')}</legend>
        <label className="inline">
          <input type="radio" checked={where === 'commune'} onChange={() => setWhere('commune')} />{' '}
          {t('emergency.wholeCommune')}
        </label>
        <label className="inline">
          <input type="radio" checked={where === 'clusters'} onChange={() => setWhere('clusters')} />{' '}
          {t('emergency.someClusters')}
        </label>
        {where === 'clusters' && (
          <div className="checks">
            {props.clusters.map((c) => (
              <label key={c.id} className="inline">
                <input
                  type="checkbox"
                  checked={chosen.includes(c.id)}
                  disabled={!c.enabled}
                  onChange={(e) =>
                    setChosen((list) =>
                      e.target.checked ? [...list, c.id] : list.filter((id) => id !== c.id),
                    )
                  }
                />{' '}
                {c.name} <span className="muted">({c.communeName})</span>
              </label>
            ))}
          </div>
        )}
      </fieldset>
      <Field label={t('emergency.reason')} error={fieldErrors.reason} hint={t('emergency.reasonHint')}>
        {(control) => (
          <textarea
            {...control}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            required
            minLength={MIN_REASON}
            maxLength={500}
            rows={3}
          />
        )}
      </Field>
      <div className="actions">
        <button
          type="submit"
          className="danger"
          disabled={sending || !bulletinId || reasonShort || (where === 'clusters' && chosen.length === 0)}
        >
          {sending ? t('emergency.sending') : t('emergency.submit')}
        </button>
        <button type="button" onClick={props.onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
