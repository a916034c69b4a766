import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { Kysely, Selectable, Updateable } from 'kysely';
import { type DB, prepared, type UsersTable } from '../../db/index.ts';
import { AppError } from '../../server/errors.ts';
import { cachedPrincipal, forgetKeys, rememberPrincipal } from './key-cache.ts';
import { decoyHash, hashPassword, verifyPassword } from './password.ts';
import { countHit } from './rate-limit.ts';

export const ROLES = ['admin', 'requester', 'reviewer', 'worker'] as const;
export type Role = (typeof ROLES)[number];
export const LOCALES = ['en', 'fr', 'es', 'pt', 'ja', 'ko', 'ar'] as const;

export interface User {
  id: number;
  email: string;
  role: Role;
  displayName: string;
  languages: string[];
  locale: string;
  timezone: string;
  active: boolean;
  createdAt: number;
}

/** Who is making a request: a user, and the API key used if any. */
export interface Principal extends User {
  apiKeyId: number | null;
  /** A `test_` key: its tasks never reach workers. */
  isTest: boolean;
}

export const SESSION_COOKIE = 'tessera_session';
const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;
const LOGIN_WINDOW_MS = 15 * 60 * 1000;
const LOGIN_LIMIT_PER_EMAIL = 10;
const LOGIN_LIMIT_PER_IP = 100;

function toUser(row: Selectable<UsersTable>): User {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    displayName: row.display_name,
    languages: JSON.parse(row.languages) as string[],
    locale: row.locale,
    timezone: row.timezone,
    active: row.active === 1,
    createdAt: row.created_at,
  };
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export interface NewUser {
  email: string;
  password: string;
  role: Role;
  displayName?: string;
  languages?: string[];
  locale?: string;
  timezone?: string;
}

/** Creates a user; throws user_exists when the email is taken. */
export async function createUser(db: Kysely<DB>, input: NewUser, now: number): Promise<User> {
  const email = normaliseEmail(input.email);
  const passwordHash = await hashPassword(input.password);
  const row = await db
    .insertInto('users')
    .values({
      email,
      password_hash: passwordHash,
      role: input.role,
      display_name: input.displayName ?? email.split('@')[0],
      languages: JSON.stringify(input.languages ?? ['en']),
      locale: input.locale ?? 'en',
      timezone: input.timezone ?? 'UTC',
      active: 1,
      created_at: now,
    })
    .onConflict((oc) => oc.column('email').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new AppError('user_exists');
  return toUser(row);
}

/** The user with this email, or undefined. */
export async function findUserByEmail(db: Kysely<DB>, email: string): Promise<User | undefined> {
  const row = await db.selectFrom('users').selectAll().where('email', '=', normaliseEmail(email)).executeTakeFirst();
  return row && toUser(row);
}

/** The user with this id; throws user_not_found. */
export async function getUser(db: Kysely<DB>, id: number): Promise<User> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError('user_not_found');
  return toUser(row);
}

export async function listUsers(db: Kysely<DB>): Promise<User[]> {
  const rows = await db.selectFrom('users').selectAll().orderBy('id').execute();
  return rows.map(toUser);
}

export interface UserPatch {
  role?: Role;
  displayName?: string;
  languages?: string[];
  locale?: string;
  timezone?: string;
  active?: boolean;
  password?: string;
}

/** Replaces the skills (and qualifications) a user holds. */
export async function setSkills(db: Kysely<DB>, userId: number, skills: string[], now: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('worker_skills').where('user_id', '=', userId).execute();
    if (skills.length) await trx.insertInto('worker_skills').values([...new Set(skills)].map((skill) => ({ user_id: userId, skill, granted_at: now }))).execute();
  });
}

export async function listSkills(db: Kysely<DB>, userId: number): Promise<string[]> {
  return (await db.selectFrom('worker_skills').select('skill').where('user_id', '=', userId).orderBy('skill').execute()).map((r) => r.skill);
}

/**
 * Updates a user; throws user_not_found. Deactivating or a new password ends the user's sessions: a
 * password is set when the old one is lost or known to someone else, who must not stay signed in.
 */
export async function updateUser(db: Kysely<DB>, id: number, patch: UserPatch): Promise<User> {
  await getUser(db, id);
  const values: Updateable<UsersTable> = {};
  if (patch.role) values.role = patch.role;
  if (patch.displayName !== undefined) values.display_name = patch.displayName;
  if (patch.languages) values.languages = JSON.stringify(patch.languages);
  if (patch.locale) values.locale = patch.locale;
  if (patch.timezone) values.timezone = patch.timezone;
  if (patch.active !== undefined) values.active = patch.active ? 1 : 0;
  if (patch.password) values.password_hash = await hashPassword(patch.password);
  await db.transaction().execute(async (trx) => {
    if (Object.keys(values).length) await trx.updateTable('users').set(values).where('id', '=', id).execute();
    if (patch.active === false || patch.password) await trx.deleteFrom('sessions').where('user_id', '=', id).execute();
  });
  forgetKeys({ userId: id });
  return getUser(db, id);
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/**
 * Checks email and password and opens a session. A wrong password, an unknown email and a
 * deactivated account all answer invalid_credentials after the same work, so none can be told apart.
 * Throws rate_limited (with Retry-After) past 10 tries per email or 100 per address in 15 minutes.
 */
export async function login(db: Kysely<DB>, input: { email: string; password: string; ip: string }, now: number): Promise<{ user: User; token: string; expiresAt: number }> {
  const email = normaliseEmail(input.email);
  for (const [key, limit] of [
    [`login:email:${email}`, LOGIN_LIMIT_PER_EMAIL],
    [`login:ip:${input.ip}`, LOGIN_LIMIT_PER_IP],
  ] as const) {
    const hit = await countHit(db, key, LOGIN_WINDOW_MS, now);
    if (hit.count > limit) throw new AppError('rate_limited', undefined, undefined, { 'retry-after': String(hit.retryAfterSeconds) });
  }
  const row = await db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  const ok = await verifyPassword(input.password, row?.password_hash ?? (await decoyHash));
  if (!row || !ok || row.active !== 1) throw new AppError('invalid_credentials');
  const token = randomBytes(32).toString('base64url');
  const expiresAt = now + SESSION_TTL_MS;
  await db.insertInto('sessions').values({ id: sha256(token), user_id: row.id, created_at: now, expires_at: expiresAt }).execute();
  return { user: toUser(row), token, expiresAt };
}

export async function logout(db: Kysely<DB>, token: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', sha256(token)).execute();
}

// Every request of the web app (each claim, heartbeat and submit of the workbench) reads its session.
const sessionOwner = prepared((db: Kysely<DB>, sessionId: string, now: number) =>
  db.selectFrom('sessions').innerJoin('users', 'users.id', 'sessions.user_id').selectAll('users').where('sessions.id', '=', sessionId).where('sessions.expires_at', '>', now).where('users.active', '=', 1),
);

/** The active user holding this session token, or undefined. */
export async function findSessionPrincipal(db: Kysely<DB>, token: string, now: number): Promise<Principal | undefined> {
  const [row] = (await sessionOwner(db, sha256(token), now)).rows;
  return row && { ...toUser(row), apiKeyId: null, isTest: false };
}

export interface ApiKeyInfo {
  id: number;
  name: string;
  prefix: string;
  isTest: boolean;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

/**
 * Creates an API key for a user and returns it once; only an HMAC of it is stored.
 * Keys look like `live_...` or `test_...` (a test key's tasks never reach workers).
 */
export async function createApiKey(
  db: Kysely<DB>,
  secret: string,
  userId: number,
  input: { name?: string; test?: boolean; expiresAt?: number | null },
  now: number,
): Promise<{ key: string; info: ApiKeyInfo }> {
  const key = `${input.test ? 'test' : 'live'}_${randomBytes(24).toString('base64url')}`;
  const row = await db
    .insertInto('api_keys')
    .values({
      user_id: userId,
      name: input.name ?? '',
      prefix: key.slice(0, 9),
      key_hash: hashKey(secret, key),
      is_test: input.test ? 1 : 0,
      created_at: now,
      expires_at: input.expiresAt ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { key, info: toKeyInfo(row) };
}

function hashKey(secret: string, key: string): string {
  return createHmac('sha256', secret).update(key).digest('hex');
}

function toKeyInfo(row: Selectable<DB['api_keys']>): ApiKeyInfo {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    isTest: row.is_test === 1,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}

export async function listApiKeys(db: Kysely<DB>, userId: number): Promise<ApiKeyInfo[]> {
  const rows = await db.selectFrom('api_keys').selectAll().where('user_id', '=', userId).orderBy('id').execute();
  return rows.map(toKeyInfo);
}

/** Revokes a key owned by `userId`; throws not_found for another user's key. */
export async function revokeApiKey(db: Kysely<DB>, userId: number, keyId: number, now: number): Promise<void> {
  const result = await db
    .updateTable('api_keys')
    .set({ revoked_at: now })
    .where('id', '=', keyId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw new AppError('not_found', 'No such API key');
  forgetKeys({ keyId });
}

// Every authenticated request runs this.
const keyOwner = prepared((db: Kysely<DB>, keyHash: string) =>
  db
    .selectFrom('api_keys')
    .innerJoin('users', 'users.id', 'api_keys.user_id')
    .selectAll('users')
    .select(['api_keys.id as key_id', 'api_keys.is_test', 'api_keys.expires_at', 'api_keys.revoked_at', 'api_keys.last_used_at'])
    .where('api_keys.key_hash', '=', keyHash),
);

/**
 * The principal behind a live, unexpired, unrevoked key of an active user, or undefined. A key
 * that passed is trusted for KEY_CACHE_MS without another lookup (key-cache.ts).
 */
export async function findKeyPrincipal(db: Kysely<DB>, secret: string, key: string, now: number): Promise<Readonly<Principal> | undefined> {
  const cached = cachedPrincipal(db, key, now);
  if (cached) return cached;
  const keyHash = hashKey(secret, key);
  const [row] = (await keyOwner(db, keyHash)).rows;
  if (!row || row.revoked_at !== null || (row.expires_at !== null && row.expires_at <= now) || row.active !== 1) return undefined;
  // Touch last_used_at at most once a minute: keeps the hot path free of writes.
  if (row.last_used_at === null || now - row.last_used_at > 60_000) {
    await db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', row.key_id).execute();
  }
  return rememberPrincipal(db, key, { ...toUser(row), apiKeyId: row.key_id, isTest: row.is_test === 1 }, row.expires_at, now);
}
