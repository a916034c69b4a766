import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../src/modules/accounts/index.ts';
import { KEY_CACHE_MS } from '../src/modules/accounts/key-cache.ts';
import { dialects, makeActor, startTestApp, type TestApp, unique } from './helpers/harness.ts';

describe.each(dialects)('accounts on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(dialect);
  });
  afterAll(() => t.close());

  async function login(email: string, password: string) {
    return t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password }, remoteAddress: '10.0.0.9' });
  }

  it('logs a user in with a session cookie that /v1/me accepts, and logs out', async () => {
    const email = `${unique('u')}@example.test`;
    await createUser(t.database.db, { email, password: 'long enough pw', role: 'worker', languages: ['fr', 'en'] }, t.clock());
    const res = await login(email.toUpperCase(), 'long enough pw');
    expect(res.statusCode).toBe(200);
    const cookie = res.cookies.find((c) => c.name === 'tessera_session');
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Lax');
    const me = await t.app.inject({ url: '/v1/me', cookies: { tessera_session: cookie?.value ?? '' } });
    expect(me.json()).toMatchObject({ email, role: 'worker', languages: ['fr', 'en'] });
    await t.app.inject({ method: 'POST', url: '/v1/auth/logout', cookies: { tessera_session: cookie?.value ?? '' } });
    const after = await t.app.inject({ url: '/v1/me', cookies: { tessera_session: cookie?.value ?? '' } });
    expect(after.statusCode).toBe(401);
  });

  it("ends a user's sessions when an admin sets a new password, and keeps other users' sessions", async () => {
    const admin = await makeActor(t, 'admin');
    const [email, other] = [`${unique('u')}@example.test`, `${unique('u')}@example.test`];
    const user = await createUser(t.database.db, { email, password: 'old password', role: 'worker' }, t.clock());
    await createUser(t.database.db, { email: other, password: 'other password', role: 'worker' }, t.clock());
    const sessionOf = async (e: string, p: string) => (await login(e, p)).cookies.find((c) => c.name === 'tessera_session')?.value ?? '';
    const [mine, theirs] = [await sessionOf(email, 'old password'), await sessionOf(other, 'other password')];
    const me = (session: string) => t.app.inject({ url: '/v1/me', cookies: { tessera_session: session } }).then((r) => r.statusCode);
    expect([await me(mine), await me(theirs)]).toEqual([200, 200]);
    const patched = await t.app.inject({ method: 'PATCH', url: `/v1/users/${user.id}`, headers: admin.auth, payload: { password: 'new password' } });
    expect(patched.statusCode).toBe(200);
    expect([await me(mine), await me(theirs)]).toEqual([401, 200]);
    expect((await login(email, 'old password')).statusCode).toBe(401);
    expect((await login(email, 'new password')).statusCode).toBe(200);
  });

  it('answers a wrong password and an unknown email the same way', async () => {
    const email = `${unique('u')}@example.test`;
    await createUser(t.database.db, { email, password: 'long enough pw', role: 'worker' }, t.clock());
    const wrong = await login(email, 'not the password');
    const unknown = await login(`${unique('nobody')}@example.test`, 'not the password');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
    expect(wrong.json().code).toBe('invalid_credentials');
  });

  it('rate-limits repeated logins for one email with Retry-After', async () => {
    const email = `${unique('u')}@example.test`;
    const codes: number[] = [];
    for (let i = 0; i < 12; i++) codes.push((await login(email, 'guess-guess')).statusCode);
    expect(codes.slice(0, 10).every((c) => c === 401)).toBe(true);
    const limited = await login(email, 'guess-guess');
    expect(limited.statusCode).toBe(429);
    expect(limited.json().code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('accepts an API key as Bearer and as Basic user name', async () => {
    const requester = await makeActor(t, 'requester');
    const bearer = await t.app.inject({ url: '/v1/me', headers: requester.auth });
    expect(bearer.json().id).toBe(requester.user.id);
    const basic = await t.app.inject({ url: '/v1/me', headers: { authorization: `Basic ${Buffer.from(`${requester.key}:`).toString('base64')}` } });
    expect(basic.json().id).toBe(requester.user.id);
  });

  it('refuses revoked, expired and unknown keys and keys of deactivated users', async () => {
    const admin = await makeActor(t, 'admin');
    const requester = await makeActor(t, 'requester');
    const created = await t.app.inject({ method: 'POST', url: '/v1/api_keys', headers: requester.auth, payload: { name: 'ci' } });
    const { key, id } = created.json();
    expect(key).toMatch(/^live_/);
    expect((await t.app.inject({ url: '/v1/me', headers: { authorization: `Bearer ${key}` } })).statusCode).toBe(200);
    const listed = await t.app.inject({ url: '/v1/api_keys', headers: requester.auth });
    expect(JSON.stringify(listed.json())).not.toContain(key);
    await t.app.inject({ method: 'DELETE', url: `/v1/api_keys/${id}`, headers: requester.auth });
    const revoked = await t.app.inject({ url: '/v1/me', headers: { authorization: `Bearer ${key}` } });
    expect(revoked.statusCode).toBe(401);
    expect(revoked.json().code).toBe('invalid_api_key');

    const expiring = await t.app.inject({ method: 'POST', url: '/v1/api_keys', headers: requester.auth, payload: { expires_at: new Date(t.clock() + 60_000).toISOString() } });
    t.clock.advance(120_000);
    expect((await t.app.inject({ url: '/v1/me', headers: { authorization: `Bearer ${expiring.json().key}` } })).json().code).toBe('invalid_api_key');

    expect((await t.app.inject({ url: '/v1/me', headers: { authorization: 'Bearer live_nonsense' } })).json().code).toBe('invalid_api_key');

    await t.app.inject({ method: 'PATCH', url: `/v1/users/${requester.user.id}`, headers: admin.auth, payload: { active: false } });
    expect((await t.app.inject({ url: '/v1/me', headers: requester.auth })).statusCode).toBe(401);
  });

  it('applies a user changed through the API to that user\'s keys at once on this node', async () => {
    const admin = await makeActor(t, 'admin');
    const worker = await makeActor(t, 'worker');
    const me = () => t.app.inject({ url: '/v1/me', headers: worker.auth });
    expect((await me()).json().languages).toEqual(['en']);
    await t.app.inject({ method: 'PATCH', url: `/v1/users/${worker.user.id}`, headers: admin.auth, payload: { languages: ['ko'] } });
    expect((await me()).json().languages).toEqual(['ko']);
    await t.app.inject({ method: 'PATCH', url: `/v1/users/${worker.user.id}`, headers: admin.auth, payload: { active: false } });
    expect((await me()).json().code).toBe('invalid_api_key');
  });

  it('sees a key revoked or a user changed on another node within KEY_CACHE_MS', async () => {
    const requester = await makeActor(t, 'requester');
    const me = () => t.app.inject({ url: '/v1/me', headers: requester.auth });
    expect((await me()).statusCode).toBe(200);
    // Another node writes straight to the shared database; this node's cache does not hear of it.
    await t.database.db.updateTable('users').set({ languages: '["ko"]' }).where('id', '=', requester.user.id).execute();
    await t.database.db.updateTable('api_keys').set({ revoked_at: t.clock() }).where('user_id', '=', requester.user.id).execute();
    t.clock.advance(KEY_CACHE_MS - 1);
    expect((await me()).json().languages).toEqual(['en']);
    t.clock.advance(1);
    expect((await me()).json().code).toBe('invalid_api_key');
  });

  it('keeps user administration to admins and API keys to their owners', async () => {
    const worker = await makeActor(t, 'worker');
    const other = await makeActor(t, 'requester');
    expect((await t.app.inject({ url: '/v1/users', headers: worker.auth })).json().code).toBe('forbidden');
    const foreign = await t.app.inject({ method: 'POST', url: '/v1/api_keys', headers: worker.auth, payload: { user_id: other.user.id } });
    expect(foreign.json().code).toBe('forbidden');
    const keys = await t.app.inject({ url: '/v1/api_keys', headers: other.auth });
    const revokeOther = await t.app.inject({ method: 'DELETE', url: `/v1/api_keys/${keys.json().docs[0].id}`, headers: worker.auth });
    expect(revokeOther.statusCode).toBe(404);
  });

  it('lets an admin create users and rejects bad input without creating anything', async () => {
    const admin = await makeActor(t, 'admin');
    const email = `${unique('new')}@example.test`;
    const ok = await t.app.inject({ method: 'POST', url: '/v1/users', headers: admin.auth, payload: { email, password: 'password123', role: 'reviewer', languages: ['ja'] } });
    expect(ok.json()).toMatchObject({ email, role: 'reviewer', languages: ['ja'] });
    const dup = await t.app.inject({ method: 'POST', url: '/v1/users', headers: admin.auth, payload: { email, password: 'password123', role: 'reviewer' } });
    expect(dup.json().code).toBe('user_exists');
    for (const payload of [
      { email: 'not-an-email', password: 'password123', role: 'worker' },
      { email: `${unique('x')}@example.test`, password: 'short', role: 'worker' },
      { email: `${unique('x')}@example.test`, password: 'password123', role: 'emperor' },
      { email: `${unique('x')}@example.test`, password: 'password123', role: 'worker', extra: 1 },
    ]) {
      const res = await t.app.inject({ method: 'POST', url: '/v1/users', headers: admin.auth, payload });
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('validation_failed');
    }
    const users = (await t.app.inject({ url: '/v1/users', headers: admin.auth })).json().docs as { email: string }[];
    expect(users.filter((u) => u.email.startsWith('x-')).length).toBe(0);
  });

  it('lets a worker choose the interface language', async () => {
    const worker = await makeActor(t, 'worker');
    const res = await t.app.inject({ method: 'PATCH', url: '/v1/me', headers: worker.auth, payload: { locale: 'ar' } });
    expect(res.json().locale).toBe('ar');
    const bad = await t.app.inject({ method: 'PATCH', url: '/v1/me', headers: worker.auth, payload: { locale: 'xx' } });
    expect(bad.statusCode).toBe(400);
  });
});
