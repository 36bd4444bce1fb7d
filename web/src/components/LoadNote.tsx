import { useTranslation } from 'react-i18next';
import { ErrorNote } from './ErrorNote.tsx';
import type { Load } from './use-load.ts';

/** What a list page says while its list loads, when loading failed, and (given `empty`) when it is empty. */
export function LoadNote({ load, empty }: { load: Load<readonly unknown[]>; empty?: string }) {
  const { t } = useTranslation();
  return (
    <>
      {load.state === 'failed' && <ErrorNote error={load.error} />}
      {load.state === 'loading' && !load.data && <p className="muted">{t('common.loading')}</p>}
      {empty !== undefined && load.data && load.data.length === 0 && <p className="muted">{empty}</p>}
    </>
  );
}
