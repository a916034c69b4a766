import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type User } from '../api.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { usePageTitle } from '../hooks.ts';

export function LoginPage({ onLogin }: { onLogin(user: User): void }) {
  const { t } = useTranslation();
  usePageTitle(t('login.title'));
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const { user } = await api<{ user: User }>('/auth/login', { method: 'POST', body: { email, password } });
      onLogin(user);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <div className="login">
      <form className="card login-card" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title" tabIndex={-1}>
          {t('login.title')}
        </h1>
        <p className="muted">{t('login.lead')}</p>
        <div className="field">
          <label htmlFor="login-email">{t('login.email')}</label>
          <input id="login-email" name="email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} dir="ltr" />
        </div>
        <div className="field">
          <label htmlFor="login-password">{t('login.password')}</label>
          <input
            id="login-password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            dir="ltr"
          />
        </div>
        <ErrorNote error={error} />
        <button type="submit" className="button button-primary button-wide" disabled={busy}>
          {busy ? t('login.signingIn') : t('login.submit')}
        </button>
      </form>
    </div>
  );
}
