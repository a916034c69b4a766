import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type Role, type User } from '../api.ts';
import { Loading, PageHeader } from '../components/Bits.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { formatDateTime } from '../format.ts';
import { useLoad, usePageTitle } from '../hooks.ts';
import { LOCALE_NAMES, LOCALES, type Locale } from '../i18n.ts';
import { useUser } from '../session.tsx';

const ROLES: Role[] = ['admin', 'requester', 'reviewer', 'worker'];

/** Comma- or space-separated language codes, lower-cased and de-duplicated. */
function parseLanguages(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\s,]+/)
        .map((l) => l.trim().toLowerCase())
        .filter(Boolean),
    ),
  ];
}

function CreateUserForm({ onCreated }: { onCreated(): void }) {
  const { t, i18n } = useTranslation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('worker');
  const [languages, setLanguages] = useState('en');
  const [locale, setLocale] = useState<Locale>((LOCALES as readonly string[]).includes(i18n.language) ? (i18n.language as Locale) : 'en');
  const [error, setError] = useState<unknown>();
  const [created, setCreated] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setCreated(undefined);
    try {
      const langs = parseLanguages(languages);
      const user = await api<User>('/users', {
        method: 'POST',
        body: { email, password, role, locale, ...(name.trim() && { display_name: name.trim() }), ...(langs.length && { languages: langs }) },
      });
      setCreated(user.email);
      setEmail('');
      setPassword('');
      setName('');
      onCreated();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card" onSubmit={submit} aria-labelledby="new-user-title">
      <h2 id="new-user-title">{t('users.create')}</h2>
      <div className="form-grid">
        <div className="field">
          <label htmlFor="user-email">{t('login.email')}</label>
          <input id="user-email" type="email" required value={email} onChange={(e) => setEmail(e.target.value)} dir="ltr" autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor="user-password">{t('users.password')}</label>
          <input
            id="user-password"
            type="password"
            required
            minLength={8}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            autoComplete="new-password"
            aria-describedby="user-password-help"
            dir="ltr"
          />
          <p id="user-password-help" className="help">
            {t('users.passwordHelp')}
          </p>
        </div>
        <div className="field">
          <label htmlFor="user-name">{t('users.displayName')}</label>
          <input id="user-name" value={name} onChange={(e) => setName(e.target.value)} dir="auto" />
        </div>
        <div className="field">
          <label htmlFor="user-role">{t('users.role')}</label>
          <select id="user-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`roles.${r}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="user-languages">{t('users.languages')}</label>
          <input id="user-languages" value={languages} onChange={(e) => setLanguages(e.target.value)} aria-describedby="user-languages-help" dir="ltr" />
          <p id="user-languages-help" className="help">
            {t('users.languagesHelp')}
          </p>
        </div>
        <div className="field">
          <label htmlFor="user-locale">{t('users.locale')}</label>
          <select id="user-locale" value={locale} onChange={(e) => setLocale(e.target.value as Locale)}>
            {LOCALES.map((l) => (
              <option key={l} value={l} lang={l}>
                {LOCALE_NAMES[l]}
              </option>
            ))}
          </select>
        </div>
      </div>
      <ErrorNote error={error} />
      {created && (
        <p className="note note-good" role="status">
          {t('users.created', { email: created })}
        </p>
      )}
      <button type="submit" className="button button-primary" disabled={busy}>
        {t('users.createSubmit')}
      </button>
    </form>
  );
}

function UserRow({ user, self, onChanged }: { user: User; self: boolean; onChanged(user: User): void }) {
  const { t, i18n } = useTranslation();
  const [languages, setLanguages] = useState(user.languages.join(', '));
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const patch = async (body: Record<string, unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      onChanged(await api<User>(`/users/${user.id}`, { method: 'PATCH', body }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const languagesChanged = parseLanguages(languages).join(',') !== user.languages.join(',');

  return (
    <tr data-user={user.email} className={user.active ? '' : 'is-inactive'}>
      <th scope="row">
        <div dir="auto">{user.display_name || user.email}</div>
        <div className="muted small" dir="ltr">
          {user.email}
        </div>
        <ErrorNote error={error} />
      </th>
      <td>
        <label className="visually-hidden" htmlFor={`role-${user.id}`}>
          {t('users.roleOf', { email: user.email })}
        </label>
        <select id={`role-${user.id}`} value={user.role} disabled={busy || self} onChange={(e) => patch({ role: e.target.value })}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`roles.${r}`)}
            </option>
          ))}
        </select>
      </td>
      <td>
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            const langs = parseLanguages(languages);
            if (langs.length) void patch({ languages: langs });
          }}
        >
          <label className="visually-hidden" htmlFor={`langs-${user.id}`}>
            {t('users.languagesOf', { email: user.email })}
          </label>
          <input id={`langs-${user.id}`} value={languages} onChange={(e) => setLanguages(e.target.value)} size={12} dir="ltr" />
          {languagesChanged && (
            <button type="submit" className="button button-small" disabled={busy}>
              {t('common.save')}
            </button>
          )}
        </form>
      </td>
      <td>{user.active ? t('users.active') : t('users.inactive')}</td>
      <td className="nowrap">{formatDateTime(user.created_at, i18n.language)}</td>
      <td>
        {!self && (
          <button type="button" className={`button button-small ${user.active ? 'button-danger' : ''}`} disabled={busy} onClick={() => patch({ active: !user.active })}>
            {user.active ? t('users.deactivate') : t('users.reactivate')}
          </button>
        )}
      </td>
    </tr>
  );
}

/** Admin: everyone's account, role, languages, and whether it may sign in. */
export function AdminUsersPage() {
  const { t } = useTranslation();
  const me = useUser();
  usePageTitle(t('users.title'));
  const users = useLoad((signal) => api<{ docs: User[] }>('/users', { signal }), []);
  const [local, setLocal] = useState<Record<number, User>>({});

  return (
    <section className="page">
      <PageHeader title={t('users.title')} />
      <CreateUserForm
        onCreated={() => {
          setLocal({});
          users.reload();
        }}
      />
      <section className="card" aria-labelledby="users-list-title">
        <h2 id="users-list-title">{t('users.list')}</h2>
        <ErrorNote error={users.error} />
        {users.loading && !users.data && <Loading />}
        {users.data && (
          <div className="table-wrap">
            <table className="table" data-testid="users-table">
              <thead>
                <tr>
                  <th scope="col">{t('users.person')}</th>
                  <th scope="col">{t('users.role')}</th>
                  <th scope="col">{t('users.languages')}</th>
                  <th scope="col">{t('users.state')}</th>
                  <th scope="col">{t('projects.created')}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {users.data.docs.map((u) => {
                  const user = local[u.id] ?? u;
                  return <UserRow key={user.id} user={user} self={user.id === me.id} onChanged={(next) => setLocal((l) => ({ ...l, [next.id]: next }))} />;
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </section>
  );
}
