import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { type Database, migrateToLatest, openDatabase } from '../../src/db/index.ts';
import { createApiKey, createUser, type Role, type User } from '../../src/modules/accounts/index.ts';
import { hashPassword } from '../../src/modules/accounts/password.ts';
import { type App, buildApp } from '../../src/server/app.ts';
import { type Config, loadConfig } from '../../src/server/env.ts';

export type Dialect = 'sqlite' | 'postgres';

/** The dialects this run covers: TESSERA_TEST_DIALECTS (default sqlite). */
export const dialects: Dialect[] = (process.env.TESSERA_TEST_DIALECTS ?? 'sqlite').split(',').map((d) => d.trim() as Dialect);

let counter = 0;
/** A name no other test in this run uses: tests share databases, so each makes its own things. */
export function unique(prefix: string): string {
  counter++;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

/** A migrated database: a fresh SQLite file, or the suite's PostgreSQL database. */
export async function openTestDatabase(dialect: Dialect): Promise<Database> {
  if (dialect === 'postgres') {
    const url = inject('pgUrl');
    if (!url) throw new Error('PostgreSQL requested but the global setup did not prepare it');
    return openDatabase({ postgresUrl: url });
  }
  const dir = mkdtempSync(join(tmpdir(), 'tessera-test-'));
  const database = openDatabase({ sqliteFile: join(dir, 'test.db') });
  await migrateToLatest(database);
  return database;
}

export function testConfig(overrides: Partial<Config> = {}): Config {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-data-'));
  return { ...loadConfig({ DATA_DIR: dataDir, TESSERA_SECRET: 'test-secret-test-secret-test-secret-00' }), demo: false, jobs: false, ...overrides };
}

/** A clock tests can move. */
export function testClock(start = Date.UTC(2026, 0, 5, 9, 0, 0)) {
  let now = start;
  const clock = () => now;
  clock.advance = (ms: number) => {
    now += ms;
  };
  clock.set = (ms: number) => {
    now = ms;
  };
  return clock;
}

export interface TestApp {
  app: App;
  database: Database;
  config: Config;
  clock: ReturnType<typeof testClock>;
  close(): Promise<void>;
}

/** buildApp over a test database, not listening: use `app.inject`. */
export async function startTestApp(dialect: Dialect, opts: { config?: Partial<Config>; realClock?: boolean } = {}): Promise<TestApp> {
  const database = await openTestDatabase(dialect);
  const config = testConfig(opts.config);
  const clock = testClock();
  const app = await buildApp({ config, database, clock: opts.realClock ? Date.now : clock, webRoot: join(tmpdir(), 'no-web') });
  await app.ready();
  return {
    app,
    database,
    config,
    clock,
    async close() {
      await app.close();
      await database.dialect.close();
    },
  };
}

export interface Actor {
  user: User;
  key: string;
  /** Headers authenticating as this user. */
  auth: { authorization: string };
}

/** Creates a user with an API key. */
export async function makeActor(t: { database: Database; config: Config }, role: Role, overrides: { languages?: string[]; test?: boolean; email?: string } = {}): Promise<Actor> {
  const user = await createUser(
    t.database.db,
    { email: overrides.email ?? `${unique(role)}@example.test`, password: 'correct horse battery', role, languages: overrides.languages ?? ['en'] },
    Date.now(),
  );
  const { key } = await createApiKey(t.database.db, t.config.secret, user.id, { test: overrides.test }, Date.now());
  return { user, key, auth: { authorization: `Bearer ${key}` } };
}

/** A categorization project body with overrides. */
export function buildProject(overrides: Record<string, unknown> = {}) {
  return { name: unique('proj'), type: 'categorization', params: { categories: ['cat', 'dog', 'bird'] }, ...overrides };
}

/** JSONL text of n categorization tasks. */
export function jsonlTasks(n: number, start = 0, prefix = 'u', extra: (i: number) => Record<string, unknown> = () => ({})): string {
  let out = '';
  for (let i = start; i < start + n; i++) out += `${JSON.stringify({ unique_id: `${prefix}${i}`, attachments: [{ type: 'text', content: `item ${i}` }], ...extra(i) })}\n`;
  return out;
}

/** Many workers at once: one password hash shared by all (hashing is slow on purpose), a key each. */
export async function makeWorkers(t: { database: Database; config: Config }, n: number): Promise<Actor[]> {
  const hash = await hashPassword('correct horse battery');
  const now = Date.now();
  const prefix = unique('w');
  const rows = await t.database.db
    .insertInto('users')
    .values([...Array(n).keys()].map((i) => ({ email: `${prefix}-${i}@example.test`, password_hash: hash, role: 'worker' as const, display_name: `w${i}`, languages: '["en"]', locale: 'en', timezone: 'UTC', active: 1, created_at: now })))
    .returning(['id', 'email'])
    .execute();
  const actors: Actor[] = [];
  for (const row of rows) {
    const { key } = await createApiKey(t.database.db, t.config.secret, row.id, {}, now);
    actors.push({ user: { id: row.id, email: row.email, role: 'worker', displayName: '', languages: ['en'], locale: 'en', timezone: 'UTC', active: true, createdAt: now }, key, auth: { authorization: `Bearer ${key}` } });
  }
  return actors;
}
