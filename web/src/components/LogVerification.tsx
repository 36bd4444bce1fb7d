// The broadcast log's verification state on the audit page: whether every chain the reader may
// see still recomputes (tamper evidence), the first record that does not, and each chain's head —
// the same heads an export prints and `loa log verify --against` checks.
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { ErrorNote } from './ErrorNote.tsx';
import { formatInstant } from './time.ts';
import { useLoad } from './use-load.ts';

export function LogVerification({ communeId }: { communeId: string }) {
  const { t, i18n } = useTranslation();
  const [state] = useLoad(() => api.logVerification(communeId ? { communeId } : {}), [communeId]);
  const v = state.data;
  return (
    <section className="log-verification" aria-labelledby="log-verification-title">
      <h2 id="log-verification-title">{t('logVerification.title')}</h2>
      {!v ? (
        state.state === 'failed' ? (
          <ErrorNote error={state.error} />
        ) : (
          <p className="muted">{t('common.loading')}</p>
        )
      ) : (
        <>
          <p>
            <span className={`badge ${v.ok ? 'ok' : 'down'}`}>
              {v.ok ? t('logVerification.ok') : t('logVerification.broken')}
            </span>{' '}
            <span className="muted">
              {t('logVerification.checkedAt', { at: formatInstant(v.checkedAt, i18n.language) })}
            </span>
          </p>
          {v.chains.length === 0 ? (
            <p className="muted">{t('logVerification.none')}</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th>{t('logVerification.commune')}</th>
                  <th>{t('logVerification.records')}</th>
                  <th>{t('logVerification.state')}</th>
                  <th>{t('logVerification.head')}</th>
                </tr>
              </thead>
              <tbody>
                {v.chains.map((c) => (
                  <tr key={c.communeId}>
                    <td>
                      {c.communeName} <span className="muted">({c.commune})</span>
                    </td>
                    <td>{c.records}</td>
                    <td>
                      {c.mismatch
                        ? t('logVerification.mismatch', {
                            seq: c.mismatch.seq,
                            broadcast: c.mismatch.broadcastId,
                            problem: t(`logVerification.problems.${c.mismatch.problem}`),
                          })
                        : t('logVerification.chainOk')}
                    </td>
                    <td>
                      {c.head ? (
                        <code title={c.head.hash}>
                          #{c.head.seq} {c.head.hash.slice(0, 16)}…
                        </code>
                      ) : (
                        '—'
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <p className="muted">{t('logVerification.how')}</p>
        </>
      )}
    </section>
  );
}
