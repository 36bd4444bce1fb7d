import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';

interface PartStatus {
  ok: boolean;
  ms: number;
  error?: string;
}

type State =
  | { kind: 'checking' }
  | { kind: 'unreachable' }
  | { kind: 'answered'; ready: boolean; parts: Record<string, PartStatus>; at: Date };

async function fetchReadiness(): Promise<State> {
  try {
    const response = await fetch('/readyz', { headers: { accept: 'application/json' } });
    const body = (await response.json()) as { parts?: Record<string, PartStatus> };
    return { kind: 'answered', ready: response.ok, parts: body.parts ?? {}, at: new Date() };
  } catch {
    return { kind: 'unreachable' };
  }
}

export function ReadinessPage() {
  const { t, i18n } = useTranslation();
  const [state, setState] = useState<State>({ kind: 'checking' });
  useEffect(() => {
    let alive = true;
    const refresh = () => fetchReadiness().then((s) => alive && setState(s));
    void refresh();
    const timer = setInterval(refresh, 5000);
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, []);

  return (
    <section>
      <h1>{t('readiness.title')}</h1>
      {state.kind === 'checking' && <p>{t('readiness.checking')}</p>}
      {state.kind === 'unreachable' && <p className="badge down">{t('readiness.unreachable')}</p>}
      {state.kind === 'answered' && (
        <>
          <p className={`badge ${state.ready ? 'ok' : 'down'}`} data-testid="readiness">
            {state.ready ? t('readiness.ready') : t('readiness.notReady')}
          </p>
          <table>
            <thead>
              <tr>
                <th>{t('readiness.part')}</th>
                <th>{t('readiness.status')}</th>
                <th>{t('readiness.time')}</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(state.parts).map(([name, part]) => (
                <tr key={name}>
                  <td>{t(`readiness.parts.${name}`, { defaultValue: name })}</td>
                  <td className={part.ok ? 'ok' : 'down'}>
                    {part.ok ? t('readiness.ok') : `${t('readiness.down')}: ${part.error ?? ''}`}
                  </td>
                  <td>{part.ms} ms</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted">
            {t('readiness.refreshed', {
              time: state.at.toLocaleTimeString(i18n.language === 'vi' ? 'vi-VN' : 'en-GB', {
                timeZone: 'Asia/Ho_Chi_Minh',
              }),
            })}
          </p>
        </>
      )}
    </section>
  );
}
