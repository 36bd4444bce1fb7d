import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Overview } from './pages/Overview.tsx';
import { ReadinessPage } from './pages/Readiness.tsx';

const PAGES = { '/': Overview, '/system': ReadinessPage } as const;
type PagePath = keyof typeof PAGES;

const current = () => (window.location.pathname in PAGES ? window.location.pathname : '/') as PagePath;

function usePath(): [PagePath, (path: PagePath) => void] {
  const [path, setPath] = useState<PagePath>(current);
  useEffect(() => {
    const onPop = () => setPath(current());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  return [
    path,
    (next) => {
      window.history.pushState(null, '', next);
      setPath(next);
    },
  ];
}

export function App() {
  const { t, i18n } = useTranslation();
  const [path, navigate] = usePath();
  const Page = PAGES[path];
  const link = (to: PagePath, label: string) => (
    <a
      href={to}
      aria-current={path === to ? 'page' : undefined}
      onClick={(e) => {
        e.preventDefault();
        navigate(to);
      }}
    >
      {label}
    </a>
  );
  return (
    <div className="shell">
      <header>
        <strong className="brand">{t('app.name')}</strong>
        <span className="tagline">{t('app.tagline')}</span>
        <button
          type="button"
          className="lang"
          onClick={() => i18n.changeLanguage(i18n.language === 'vi' ? 'en' : 'vi')}
        >
          {t('lang.switch')}
        </button>
      </header>
      <nav>
        {link('/', t('nav.overview'))}
        {link('/system', t('nav.system'))}
        <a href="/api/docs/">{t('nav.apiDocs')}</a>
      </nav>
      <main>
        <Page />
      </main>
    </div>
  );
}
