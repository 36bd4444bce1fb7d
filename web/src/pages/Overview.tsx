import { useTranslation } from 'react-i18next';

export function Overview() {
  const { t } = useTranslation();
  return (
    <section>
      <h1>{t('overview.title')}</h1>
      <p>{t('overview.body')}</p>
    </section>
  );
}
