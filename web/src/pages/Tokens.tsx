import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import type { ApiToken, CreatedApiToken } from '../api-shapes.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { formatInstant } from '../components/time.ts';
import { useConfirmedAction } from '../components/use-confirmed-action.ts';
import { useLoad } from '../components/use-load.ts';
import { TokenForm, TokenReveal } from './TokenForm.tsx';

export function TokensPage() {
  const { t, i18n } = useTranslation();
  const [tokens, reload] = useLoad(() => api.tokens(), []);
  const [users] = useLoad(() => api.users(), []);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedApiToken | null>(null);
  const [revokeError, confirmThen] = useConfirmedAction();

  const revoke = (token: ApiToken) =>
    confirmThen(t('tokens.confirmRevoke', { name: token.name }), async () => {
      await api.revokeToken(token.id);
      if (created?.id === token.id) setCreated(null);
      reload();
    });

  return (
    <section>
      <div className="page-head">
        <h1>{t('tokens.title')}</h1>
        {!creating && (
          <button
            type="button"
            className="primary"
            onClick={() => {
              setCreated(null);
              setCreating(true);
            }}
          >
            {t('tokens.add')}
          </button>
        )}
      </div>
      <p className="muted">{t('tokens.intro')}</p>
      {creating && (
        <TokenForm
          users={(users.data ?? []).filter((u) => !u.disabled)}
          onDone={(token) => {
            setCreating(false);
            if (token) {
              setCreated(token);
              reload();
            }
          }}
        />
      )}
      {created && <TokenReveal token={created} onClose={() => setCreated(null)} />}
      <ErrorNote error={revokeError} />
      {tokens.state === 'failed' && <ErrorNote error={tokens.error} />}
      {tokens.data && tokens.data.length === 0 && <p className="muted">{t('tokens.none')}</p>}
      {tokens.data && tokens.data.length > 0 && (
        <table aria-label={t('tokens.title')}>
          <thead>
            <tr>
              <th>{t('tokens.name')}</th>
              <th>{t('tokens.prefix')}</th>
              <th>{t('tokens.user')}</th>
              <th>{t('tokens.createdAt')}</th>
              <th>{t('tokens.lastUsedAt')}</th>
              <th>{t('tokens.status')}</th>
              <th>
                <span className="sr-only">{t('common.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.data.map((token) => (
              <tr key={token.id} className={token.revokedAt ? 'disabled-row' : undefined}>
                <td>{token.name}</td>
                <td>
                  <code>{token.prefix}…</code>
                </td>
                <td>
                  <code>{token.username}</code>
                </td>
                <td>{formatInstant(token.createdAt, i18n.language)}</td>
                <td>
                  {token.lastUsedAt ? formatInstant(token.lastUsedAt, i18n.language) : t('tokens.never')}
                </td>
                <td>
                  {token.revokedAt ? (
                    <span className="badge down">
                      {t('tokens.revokedAt', { time: formatInstant(token.revokedAt, i18n.language) })}
                    </span>
                  ) : (
                    <span className="badge ok">{t('tokens.active')}</span>
                  )}
                </td>
                <td>
                  {!token.revokedAt && (
                    <button
                      type="button"
                      className="danger"
                      onClick={() => revoke(token)}
                      aria-label={t('tokens.revokeNamed', { name: token.name })}
                    >
                      {t('tokens.revoke')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
