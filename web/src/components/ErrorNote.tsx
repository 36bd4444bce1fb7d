import { useTranslation } from 'react-i18next';
import { problemMessage } from './problem.ts';

/** A failed call, said once at the top of a form or page. */
export function ErrorNote({ error }: { error: unknown }) {
  const { t } = useTranslation();
  if (!error) return null;
  return (
    <p className="error-note" role="alert">
      {problemMessage(t, error)}
    </p>
  );
}
