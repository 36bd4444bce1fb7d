import { useTranslation } from 'react-i18next';
import { useSession } from '../session.tsx';

export function Overview() {
  const { t } = useTranslation();
  const { user } = useSession();
  return (
    <section>
      <h1>{t('overview.title')}</h1>
      <p>{t('overview.greeting', { name: user.displayName })}</p>
      <p>{t('overview.body')}</p>
    </section>
  );
}
