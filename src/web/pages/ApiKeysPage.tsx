import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type ApiKey, api, type User } from '../api.ts';
import { Loading, PageHeader } from '../components/Bits.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { formatDateTime } from '../format.ts';
import { useLoad, usePageTitle } from '../hooks.ts';
import { hasRole, useUser } from '../session.tsx';

/** API keys: create (the key is shown once), list, revoke. Admins can manage anyone's. */
export function ApiKeysPage() {
  const { t, i18n } = useTranslation();
  const locale = i18n.language;
  const me = useUser();
  const admin = hasRole(me);
  usePageTitle(t('keys.title'));
  const [owner, setOwner] = useState<number>(me.id);
  const users = useLoad((signal) => (admin ? api<{ docs: User[] }>('/users', { signal }) : Promise.resolve({ docs: [me] })), [admin]);
  const query = owner === me.id ? undefined : { user_id: owner };
  const keys = useLoad((signal) => api<{ docs: ApiKey[] }>('/api_keys', { signal, query }), [owner]);
  const [name, setName] = useState('');
  const [test, setTest] = useState(false);
  const [fresh, setFresh] = useState<{ key: string; name: string }>();
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setCopied(false);
    try {
      const made = await api<ApiKey & { key: string }>('/api_keys', {
        method: 'POST',
        body: { ...(name.trim() && { name: name.trim() }), test, ...(owner !== me.id && { user_id: owner }) },
      });
      setFresh({ key: made.key, name: made.name ?? made.prefix });
      setName('');
      keys.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (key: ApiKey) => {
    if (!window.confirm(t('keys.revokeConfirm', { name: key.name || key.prefix }))) return;
    setError(undefined);
    try {
      await api(`/api_keys/${key.id}`, { method: 'DELETE', query });
      keys.reload();
    } catch (e) {
      setError(e);
    }
  };

  const copy = async () => {
    if (!fresh) return;
    try {
      await navigator.clipboard.writeText(fresh.key);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };

  return (
    <section className="page">
      <PageHeader title={t('keys.title')} />
      <p className="lead">{t('keys.lead')}</p>
      {admin && users.data && (
        <div className="field field-inline">
          <label htmlFor="key-owner">{t('keys.owner')}</label>
          <select
            id="key-owner"
            value={owner}
            onChange={(e) => {
              setOwner(Number(e.target.value));
              setFresh(undefined);
            }}
          >
            {users.data.docs.map((u) => (
              <option key={u.id} value={u.id}>
                {u.display_name ? `${u.display_name} <${u.email}>` : u.email}
              </option>
            ))}
          </select>
        </div>
      )}

      <form className="card" onSubmit={create} aria-labelledby="new-key-title">
        <h2 id="new-key-title">{t('keys.create')}</h2>
        <div className="form-row">
          <div className="field">
            <label htmlFor="key-name">{t('keys.name')}</label>
            <input id="key-name" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} dir="auto" />
          </div>
          <label className="check">
            <input type="checkbox" checked={test} onChange={(e) => setTest(e.target.checked)} />
            {t('keys.test')}
          </label>
          <button type="submit" className="button button-primary" disabled={busy}>
            {t('keys.createSubmit')}
          </button>
        </div>
        <p className="help">{t('keys.testHelp')}</p>
      </form>

      {fresh && (
        <section className="card card-highlight" aria-labelledby="fresh-key-title" data-testid="fresh-key">
          <h2 id="fresh-key-title">{t('keys.freshTitle', { name: fresh.name })}</h2>
          <p>{t('keys.freshOnce')}</p>
          <div className="secret">
            <code dir="ltr" data-testid="fresh-key-value">
              {fresh.key}
            </code>
            <button type="button" className="button" onClick={copy}>
              {copied ? t('keys.copied') : t('keys.copy')}
            </button>
          </div>
          <button type="button" className="button button-quiet" onClick={() => setFresh(undefined)}>
            {t('keys.done')}
          </button>
        </section>
      )}

      <ErrorNote error={error} />
      <section className="card" aria-labelledby="keys-list-title">
        <h2 id="keys-list-title">{t('keys.list')}</h2>
        <ErrorNote error={keys.error} />
        {keys.loading && !keys.data && <Loading />}
        {keys.data && keys.data.docs.length === 0 && <p className="muted">{t('keys.none')}</p>}
        {keys.data && keys.data.docs.length > 0 && (
          <div className="table-wrap">
            <table className="table" data-testid="keys-table">
              <thead>
                <tr>
                  <th scope="col">{t('keys.name')}</th>
                  <th scope="col">{t('keys.prefix')}</th>
                  <th scope="col">{t('keys.kind')}</th>
                  <th scope="col">{t('projects.created')}</th>
                  <th scope="col">{t('keys.lastUsed')}</th>
                  <th scope="col">{t('users.state')}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {keys.data.docs.map((k) => (
                  <tr key={k.id} data-key={k.id} className={k.revoked_at ? 'is-inactive' : ''}>
                    <th scope="row" dir="auto">
                      {k.name || <span className="muted">{t('keys.unnamed')}</span>}
                    </th>
                    <td>
                      <code dir="ltr">{k.prefix}…</code>
                    </td>
                    <td>{k.test ? t('keys.kindTest') : t('keys.kindLive')}</td>
                    <td className="nowrap">{formatDateTime(k.created_at, locale)}</td>
                    <td className="nowrap">{k.last_used_at ? formatDateTime(k.last_used_at, locale) : t('keys.never')}</td>
                    <td>{k.revoked_at ? t('keys.revokedAt', { when: formatDateTime(k.revoked_at, locale) }) : t('users.active')}</td>
                    <td>
                      {!k.revoked_at && (
                        <button type="button" className="button button-small button-danger" onClick={() => revoke(k)}>
                          {t('keys.revoke')}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </section>
  );
}
