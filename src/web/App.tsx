import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, onSessionLost, type User } from './api.ts';
import { Loading } from './components/Bits.tsx';
import { TopBar } from './components/TopBar.tsx';
import { setDefaultTimeZone } from './format.ts';
import { applyLocale, isLocale, type Locale, notePickedSignedOut, pickedSignedOut, storeLocale } from './i18n.ts';
import { LoginPage } from './pages/LoginPage.tsx';
import { NotAllowedPage, NotFoundPage } from './pages/NotFoundPage.tsx';
import { WorkbenchPage } from './pages/WorkbenchPage.tsx';
import { WorkHomePage } from './pages/WorkHomePage.tsx';
import { matchPath, navigate, usePath } from './router.tsx';
import { AppContext, type AppState, hasRole, homeFor } from './session.tsx';

// Pages a worker never needs load on demand, so the worker's pages (home, workbench) stay light.
const ProjectsPage = lazy(() => import('./pages/ProjectsPage.tsx').then((m) => ({ default: m.ProjectsPage })));
const ProjectPage = lazy(() => import('./pages/ProjectPage.tsx').then((m) => ({ default: m.ProjectPage })));
const NewProjectPage = lazy(() => import('./pages/NewProjectPage.tsx').then((m) => ({ default: m.NewProjectPage })));
const AdminUsersPage = lazy(() => import('./pages/AdminUsersPage.tsx').then((m) => ({ default: m.AdminUsersPage })));
const ApiKeysPage = lazy(() => import('./pages/ApiKeysPage.tsx').then((m) => ({ default: m.ApiKeysPage })));
const ReviewHomePage = lazy(() => import('./pages/ReviewPage.tsx').then((m) => ({ default: m.ReviewHomePage })));
const ReviewPage = lazy(() => import('./pages/ReviewPage.tsx').then((m) => ({ default: m.ReviewPage })));
// Fair-work pages (FAIRWORK.md): a worker's pay, statement and decisions; appeals; the requester's report.
const PayPage = lazy(() => import('./pages/PayPage.tsx').then((m) => ({ default: m.PayPage })));
const StatementPage = lazy(() => import('./pages/StatementPage.tsx').then((m) => ({ default: m.StatementPage })));
const DecisionsPage = lazy(() => import('./pages/DecisionsPage.tsx').then((m) => ({ default: m.DecisionsPage })));
const AppealsPage = lazy(() => import('./pages/AppealsPage.tsx').then((m) => ({ default: m.AppealsPage })));
const CompliancePage = lazy(() => import('./pages/CompliancePage.tsx').then((m) => ({ default: m.CompliancePage })));
const LeaderboardPage = lazy(() => import('./pages/LeaderboardPage.tsx').then((m) => ({ default: m.LeaderboardPage })));
const RefusalReportPage = lazy(() => import('./pages/RefusalReportPage.tsx').then((m) => ({ default: m.RefusalReportPage })));

function Routes({ user }: { user: User }) {
  const path = usePath();
  const pathname = path.split('?')[0];
  const requester = hasRole(user, 'requester');

  useEffect(() => {
    if (pathname === '/' || pathname === '/login') navigate(homeFor(user), { replace: true });
  }, [pathname, user]);

  let m: Record<string, string> | undefined;
  if (pathname === '/' || pathname === '/login') return null;
  if (pathname === '/projects') return requester ? <ProjectsPage /> : <NotAllowedPage />;
  if (pathname === '/projects/new') return requester ? <NewProjectPage /> : <NotAllowedPage />;
  if ((m = matchPath('/projects/:name', pathname))) return requester ? <ProjectPage key={m.name} name={m.name} /> : <NotAllowedPage />;
  if ((m = matchPath('/projects/:name/leaderboard', pathname))) return requester ? <LeaderboardPage key={m.name} name={m.name} /> : <NotAllowedPage />;
  if ((m = matchPath('/projects/:name/refusal-report', pathname))) return requester ? <RefusalReportPage key={m.name} name={m.name} /> : <NotAllowedPage />;
  if ((m = matchPath('/projects/:name/compliance', pathname))) return requester ? <CompliancePage key={m.name} name={m.name} /> : <NotAllowedPage />;
  if (pathname === '/admin/users') return hasRole(user) ? <AdminUsersPage /> : <NotAllowedPage />;
  if (pathname === '/keys') return <ApiKeysPage />;
  const reviewer = hasRole(user, 'reviewer', 'requester');
  if (pathname === '/review/appeals') return reviewer ? <AppealsPage /> : <NotAllowedPage />;
  if (pathname === '/review') return reviewer ? <ReviewHomePage /> : <NotAllowedPage />;
  if ((m = matchPath('/review/:project', pathname))) return reviewer ? <ReviewPage key={m.project} project={m.project} /> : <NotAllowedPage />;
  if (pathname === '/work') return <WorkHomePage />;
  if (pathname === '/work/pay') return <PayPage />;
  if (pathname === '/work/statement') return <StatementPage />;
  if (pathname === '/work/decisions') return <DecisionsPage />;
  if ((m = matchPath('/work/:project', pathname))) return <WorkbenchPage key={m.project} project={m.project} />;
  return <NotFoundPage />;
}

/** The shell: session, language, top bar, and the page the path names. */
export function App({ initialLocale }: { initialLocale: Locale }) {
  const { t } = useTranslation();
  const [user, setUserState] = useState<User | null | undefined>(undefined);
  const [locale, setLocaleState] = useState<Locale>(initialLocale);
  const path = usePath();
  const userRef = useRef<User | null | undefined>(undefined);
  userRef.current = user;

  const switchLocale = useCallback((next: Locale) => {
    applyLocale(next);
    storeLocale(next);
    setLocaleState(next);
  }, []);

  const setLocale = useCallback(
    (next: Locale) => {
      switchLocale(next);
      if (userRef.current) {
        api<User>('/me', { method: 'PATCH', body: { locale: next } }).then(
          (saved) => setUserState(saved),
          () => undefined, // The language still switches here; the account keeps its old one.
        );
      } else notePickedSignedOut(true);
    },
    [switchLocale],
  );

  /**
   * Adopts a user after login or at start. The account's language applies, except that a language
   * picked on the login page (remembered across reloads) is saved to the account at login.
   */
  const adopt = useCallback(
    (next: User | null, fromLogin: boolean) => {
      setUserState(next);
      if (!next) return;
      const picked = fromLogin && pickedSignedOut();
      notePickedSignedOut(false);
      if (picked && next.locale !== locale) {
        api<User>('/me', { method: 'PATCH', body: { locale } }).then(setUserState, () => undefined);
      } else if (isLocale(next.locale) && next.locale !== locale) switchLocale(next.locale);
    },
    [locale, switchLocale],
  );

  useEffect(() => {
    api<User>('/me').then(
      (me) => adopt(me, false),
      () => setUserState(null),
    );
    // biome-ignore lint/correctness/useExhaustiveDependencies: runs once
  }, []);

  useEffect(() => onSessionLost(() => setUserState(null)), []);

  // Moving to another page puts focus on its heading, so screen readers announce where they are.
  const firstPath = useRef(true);
  useEffect(() => {
    if (firstPath.current) {
      firstPath.current = false;
      return;
    }
    const frame = requestAnimationFrame(() => document.querySelector<HTMLElement>('main h1')?.focus({ preventScroll: true }));
    return () => cancelAnimationFrame(frame);
  }, [path]);

  // Dates show in the account's time zone when it has one.
  setDefaultTimeZone(user?.timezone);

  const state: AppState = useMemo(() => ({ user: user ?? null, setUser: (u) => setUserState(u), locale, setLocale }), [user, locale, setLocale]);

  return (
    <AppContext.Provider value={state}>
      <a href="#main" className="skip-link">
        {t('shell.skipToContent')}
      </a>
      <TopBar />
      <main id="main" tabIndex={-1}>
        {user === undefined ? (
          <p className="loading" aria-live="polite">
            {t('common.loading')}
          </p>
        ) : user === null ? (
          <LoginPage onLogin={(u) => adopt(u, true)} />
        ) : (
          <Suspense fallback={<Loading />}>
            <Routes user={user} />
          </Suspense>
        )}
      </main>
    </AppContext.Provider>
  );
}
