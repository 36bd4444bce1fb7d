import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import type { ApiToken, CreatedApiToken } from '../api-shapes.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { actionsColumn, ListPage } from '../components/ListPage.tsx';
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
    <ListPage
      title={t('tokens.title')}
      action={
        !creating && (
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
        )
      }
      intro={<p className="muted">{t('tokens.intro')}</p>}
      load={tokens}
      empty={t('tokens.none')}
      rowClassName={(token) => (token.revokedAt ? 'disabled-row' : undefined)}
      columns={[
        { head: t('tokens.name'), cell: (token) => token.name, title: true },
        { head: t('tokens.prefix'), cell: (token) => <code>{token.prefix}…</code> },
        { head: t('tokens.user'), cell: (token) => <code>{token.username}</code> },
        { head: t('tokens.createdAt'), cell: (token) => formatInstant(token.createdAt, i18n.language) },
        {
          head: t('tokens.lastUsedAt'),
          cell: (token) =>
            token.lastUsedAt ? formatInstant(token.lastUsedAt, i18n.language) : t('tokens.never'),
        },
        {
          head: t('tokens.status'),
          cell: (token) =>
            token.revokedAt ? (
              <span className="badge down">
                {t('tokens.revokedAt', { time: formatInstant(token.revokedAt, i18n.language) })}
              </span>
            ) : (
              <span className="badge ok">{t('tokens.active')}</span>
            ),
        },
        actionsColumn<ApiToken>(
          t('common.actions'),
          (token) =>
            !token.revokedAt && (
              <button
                type="button"
                className="danger"
                onClick={() => revoke(token)}
                aria-label={t('tokens.revokeNamed', { name: token.name })}
              >
                {t('tokens.revoke')}
              </button>
            ),
        ),
      ]}
    >
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
    </ListPage>
  );
}
