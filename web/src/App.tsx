import { type ComponentType, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, setCsrfToken, setUnauthorizedHandler } from './api.ts';
import type { Session, User } from './api-shapes.ts';
import { ErrorNote } from './components/ErrorNote.tsx';
import { useScopeLabel } from './components/roles.tsx';
import { NavigationContext } from './navigation.tsx';
import { AuditPage } from './pages/Audit.tsx';
import { BulletinsPage } from './pages/Bulletins.tsx';
import { CalendarsPage } from './pages/Calendars.tsx';
import { ClustersPage } from './pages/Clusters.tsx';
import { CommunesPage } from './pages/Communes.tsx';
import { Overview } from './pages/Overview.tsx';
import { PasswordPage } from './pages/Password.tsx';
import { ReadinessPage } from './pages/Readiness.tsx';
import { ReportsPage } from './pages/Reports.tsx';
import { SignInPage } from './pages/SignIn.tsx';
import { SlotsPage } from './pages/Slots.tsx';
import { TokensPage } from './pages/Tokens.tsx';
import { UsersPage } from './pages/Users.tsx';
import { hasGlobalRole, hasRoleAnywhere, SessionContext } from './session.tsx';

interface PageDef {
  path: string;
  label: string;
  component: ComponentType;
  /** Shown in the menu and reachable for this user; the API enforces the same rule. */
  allowed(user: User): boolean;
  inMenu?: boolean;
  /** The page also owns the paths under it (/bulletins/new, /bulletins/<id>). */
  ownsSubPaths?: boolean;
}

const PAGES: PageDef[] = [
  { path: '/', label: 'nav.overview', component: Overview, allowed: () => true },
  {
    path: '/bulletins',
    label: 'nav.bulletins',
    component: BulletinsPage,
    allowed: () => true,
    ownsSubPaths: true,
  },
  { path: '/calendars', label: 'nav.calendars', component: CalendarsPage, allowed: () => true },
  { path: '/slots', label: 'nav.slots', component: SlotsPage, allowed: () => true },
  { path: '/system', label: 'nav.system', component: ReadinessPage, allowed: () => true },
  { path: '/communes', label: 'nav.communes', component: CommunesPage, allowed: () => true },
  { path: '/clusters', label: 'nav.clusters', component: ClustersPage, allowed: () => true },
  { path: '/users', label: 'nav.users', component: UsersPage, allowed: (u) => hasGlobalRole(u, ['ADMIN']) },
  {
    path: '/tokens',
    label: 'nav.tokens',
    component: TokensPage,
    allowed: (u) => hasGlobalRole(u, ['ADMIN']),
  },
  {
    path: '/audit',
    label: 'nav.audit',
    component: AuditPage,
    allowed: (u) => hasRoleAnywhere(u, ['ADMIN', 'AUDITOR']),
  },
  {
    path: '/reports',
    label: 'nav.reports',
    component: ReportsPage,
    allowed: (u) => hasRoleAnywhere(u, ['ADMIN', 'AUDITOR']),
  },
  { path: '/password', label: 'nav.password', component: PasswordPage, allowed: () => true, inMenu: false },
];

function usePath(): [string, (path: string) => void] {
  const [path, setPath] = useState(window.location.pathname);
  useEffect(() => {
    const onPop = () => setPath(window.location.pathname);
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  return [
    path,
    (next) => {
      if (next !== window.location.pathname) window.history.pushState(null, '', next);
      setPath(next);
    },
  ];
}

type SessionState =
  | { kind: 'checking' }
  | { kind: 'signed-out' }
  | { kind: 'failed'; error: unknown }
  | { kind: 'signed-in'; user: User };

/** One session request even under StrictMode's double effects: each answer issues a new CSRF token. */
let sessionRequest: Promise<Session> | null = null;

function useSessionState(): [SessionState, (s: SessionState) => void, () => void] {
  const [state, setState] = useState<SessionState>({ kind: 'checking' });
  const [round, setRound] = useState(0);
  const mounted = useRef(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `round` asks for the session again
  useEffect(() => {
    mounted.current = true;
    sessionRequest ??= api.session();
    sessionRequest.then(
      (session) => {
        setCsrfToken(session.csrfToken);
        if (mounted.current) setState({ kind: 'signed-in', user: session.user });
      },
      (error: unknown) => {
        if (!mounted.current) return;
        setState(
          error instanceof ApiError && error.status === 401
            ? { kind: 'signed-out' }
            : { kind: 'failed', error },
        );
      },
    );
    setUnauthorizedHandler(() => setState({ kind: 'signed-out' }));
    return () => {
      mounted.current = false;
      setUnauthorizedHandler(undefined);
    };
  }, [round]);
  const retry = () => {
    sessionRequest = null;
    setState({ kind: 'checking' });
    setRound((r) => r + 1);
  };
  return [state, setState, retry];
}

export function App() {
  const { t, i18n } = useTranslation();
  const [path, navigate] = usePath();
  const [session, setSession, retry] = useSessionState();
  const scopeLabel = useScopeLabel();

  const languageSwitch = (
    <button
      type="button"
      className="lang"
      onClick={() => i18n.changeLanguage(i18n.language === 'vi' ? 'en' : 'vi')}
    >
      {t('lang.switch')}
    </button>
  );
  const brand = (
    <>
      <strong className="brand">{t('app.name')}</strong>
      <span className="tagline">{t('app.tagline')}</span>
    </>
  );

  if (session.kind !== 'signed-in') {
    return (
      <div className="shell">
        <header>
          {brand}
          {languageSwitch}
        </header>
        <main>
          {session.kind === 'checking' && <p className="muted">{t('common.loading')}</p>}
          {session.kind === 'failed' && (
            <>
              <ErrorNote error={session.error} />
              <button type="button" onClick={retry}>
                {t('common.retry')}
              </button>
            </>
          )}
          {session.kind === 'signed-out' && (
            <SignInPage
              onSignedIn={(s) => {
                setCsrfToken(s.csrfToken);
                sessionRequest = Promise.resolve(s);
                setSession({ kind: 'signed-in', user: s.user });
              }}
            />
          )}
        </main>
      </div>
    );
  }

  const user = session.user;
  const visible = PAGES.filter((p) => p.allowed(user));
  const page =
    visible.find((p) => p.path === path) ??
    visible.find((p) => p.ownsSubPaths && path.startsWith(`${p.path}/`)) ??
    visible[0];
  const Page = page?.component ?? Overview;

  async function signOut() {
    try {
      await api.logout();
    } catch {
      // Signed out already (expired): the sign-in page is what the user wants either way.
    }
    setCsrfToken('');
    sessionRequest = null;
    setSession({ kind: 'signed-out' });
    navigate('/');
  }

  const link = (to: string, label: string) => (
    <a
      key={to}
      href={to}
      aria-current={page?.path === to ? 'page' : undefined}
      onClick={(e) => {
        e.preventDefault();
        navigate(to);
      }}
    >
      {label}
    </a>
  );

  return (
    <SessionContext.Provider value={{ user, signOut }}>
      <NavigationContext.Provider value={{ path, navigate }}>
        <div className="shell">
          <header>
            {brand}
            <div className="who" data-testid="who">
              <span className="who-name">{user.displayName}</span>
              <span className="who-roles">
                {user.roles.map((r) => `${t(`roles.${r.role}`)} · ${scopeLabel(r)}`).join('; ') ||
                  t('roles.none')}
              </span>
              <span className="who-actions">
                {link('/password', t('nav.password'))}
                <button type="button" className="link" onClick={signOut}>
                  {t('nav.signOut')}
                </button>
              </span>
            </div>
            {languageSwitch}
          </header>
          <nav aria-label={t('nav.label')}>
            {visible.filter((p) => p.inMenu !== false).map((p) => link(p.path, t(p.label)))}
            <a href="/api/docs/">{t('nav.apiDocs')}</a>
            {/* The queue view is bull-board's own page, not one of the app's: a full page load. */}
            {hasGlobalRole(user, ['ADMIN']) && <a href="/admin/queues">{t('nav.queues')}</a>}
          </nav>
          <main key={user.id}>
            <Page />
          </main>
        </div>
      </NavigationContext.Provider>
    </SessionContext.Provider>
  );
}
