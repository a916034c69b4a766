import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { Link, navigate, usePath } from '../router.tsx';
import { hasRole, useApp } from '../session.tsx';
import { LanguagePicker } from './LanguagePicker.tsx';

interface NavItem {
  to: string;
  label: string;
  /** Other pages that belong to this section. */
  also?: string[];
}

/** Brand, the sections this role may open, language, who is signed in, and sign out. */
export function TopBar() {
  const { t } = useTranslation();
  const { user, setUser } = useApp();
  const path = usePath();
  const items: NavItem[] = [];
  if (hasRole(user, 'requester')) items.push({ to: '/projects', label: t('nav.projects') });
  if (user) items.push({ to: '/work', label: t('nav.work') });
  if (user) items.push({ to: '/work/pay', label: t('nav.pay'), also: ['/work/statement', '/work/decisions'] });
  if (hasRole(user, 'reviewer', 'requester')) items.push({ to: '/review', label: t('nav.review') });
  if (hasRole(user, 'reviewer')) items.push({ to: '/review/appeals', label: t('nav.appeals') });
  if (hasRole(user)) items.push({ to: '/admin/users', label: t('nav.users') });
  if (user) items.push({ to: '/keys', label: t('nav.apiKeys') });

  const logout = async () => {
    try {
      await api('/auth/logout', { method: 'POST' });
    } finally {
      setUser(null);
      navigate('/login');
    }
  };

  return (
    <header className="topbar">
      <Link to="/" className="brand" data-testid="brand">
        <span className="brand-mark" aria-hidden="true" />
        Tessera
      </Link>
      {items.length > 0 && (
        <nav aria-label={t('nav.main')} className="topnav">
          <ul>
            {items.map((item) => {
              // The most specific item wins: /work/pay is "My pay", not "Work".
              const matches = (to: string) => path === to || path.startsWith(`${to}/`) || path.startsWith(`${to}?`);
              const mine = (it: NavItem) => [it.to, ...(it.also ?? [])].filter(matches).reduce((longest, to) => Math.max(longest, to.length), -1);
              const current = mine(item) >= 0 && !items.some((other) => mine(other) > mine(item));
              return (
                <li key={item.to}>
                  <Link to={item.to} aria-current={current ? 'page' : undefined}>
                    {item.label}
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
      )}
      <div className="topbar-end">
        <LanguagePicker />
        {user && (
          <>
            <span className="whoami" title={user.email}>
              {user.display_name || user.email}
              <span className="role-chip">{t(`roles.${user.role}`)}</span>
            </span>
            <button type="button" className="button button-quiet" onClick={logout}>
              {t('shell.logout')}
            </button>
          </>
        )}
      </div>
    </header>
  );
}
