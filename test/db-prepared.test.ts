import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Database, type DB, openDatabase, prepared, writeBehind } from '../src/db/index.ts';
import { dialects, openTestDatabase, unique } from './helpers/harness.ts';

const userNamed = prepared((db: Kysely<DB>, email: string) => db.selectFrom('users').select(['id', 'email', 'display_name']).where('email', '=', email));
const addUser = prepared((db: Kysely<DB>, values: { email: string; display_name: string; created_at: number }) =>
  db
    .insertInto('users')
    .values({ ...values, password_hash: 'x', role: 'worker', languages: '["en"]', locale: 'en', timezone: 'UTC', active: 1 })
    .returning(['id', 'email']),
);
const rename = prepared((db: Kysely<DB>, id: number, changes: { display_name: string }) => db.updateTable('users').set(changes).where('id', '=', id));
const nullOrText = prepared((db: Kysely<DB>, given: { value: string | undefined }) => db.selectNoFrom(sql<string>`coalesce(${given.value}, 'was null')`.as('v')));
const addUserBehind = writeBehind((db: Kysely<DB>, values: { email: string; display_name: string; created_at: number }) =>
  db.insertInto('users').values({ ...values, password_hash: 'x', role: 'worker', languages: '["en"]', locale: 'en', timezone: 'UTC', active: 1 }),
);
const addSessionBehind = writeBehind((db: Kysely<DB>, s: { id: string; user_id: number; at: number }) =>
  sql`WITH stamp AS (SELECT CAST(${s.at} AS BIGINT) AS at)
    INSERT INTO sessions (id, user_id, created_at, expires_at) SELECT CAST(${s.id} AS TEXT), CAST(${s.user_id} AS BIGINT), stamp.at, stamp.at + 1 FROM stamp`,
);
const renameBehind = writeBehind((db: Kysely<DB>, email: string, name: string) => db.updateTable('users').set({ display_name: name }).where('email', '=', email));
const sessionOf = (db: Kysely<DB>, id: string) => db.selectFrom('sessions').select(['user_id', 'created_at', 'expires_at']).where('id', '=', id).executeTakeFirst();
const newestUsers = prepared((db: Kysely<DB>, prefix: string) => db.selectFrom('users').select('email').where('email', 'like', prefix).orderBy('id', 'desc').limit(2));

describe.each(dialects)('prepared queries on %s', (dialect) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
  });
  afterAll(() => database.dialect.close());

  it('runs one compiled query with the values of each call, inside and outside transactions', async () => {
    const prefix = unique('prep');
    const a = (await addUser(database.db, { email: `${prefix}-a@example.test`, display_name: 'A', created_at: 1 })).rows[0];
    const b = await database.db.transaction().execute(async (trx) => (await addUser(trx, { email: `${prefix}-b@example.test`, display_name: 'B', created_at: 2 })).rows[0]);
    expect(a.email).toBe(`${prefix}-a@example.test`);
    expect(b.id).not.toBe(a.id);
    expect((await userNamed(database.db, `${prefix}-b@example.test`)).rows).toEqual([{ id: b.id, email: `${prefix}-b@example.test`, display_name: 'B' }]);
    expect((await userNamed(database.db, `${prefix}-nobody@example.test`)).rows).toEqual([]);

    const changed = await rename(database.db, a.id, { display_name: 'Renamed' });
    expect(Number(changed.numAffectedRows)).toBe(1);
    expect((await userNamed(database.db, a.email)).rows[0].display_name).toBe('Renamed');
    // An undefined value is sent as NULL (a driver would refuse undefined).
    expect((await nullOrText(database.db, { value: undefined })).rows).toEqual([{ v: 'was null' }]);
    expect((await nullOrText(database.db, { value: 'given' })).rows).toEqual([{ v: 'given' }]);
  });

  it("inside a transaction sees the transaction's own writes, and its error fails that transaction alone", async () => {
    const prefix = unique('prep-trx');
    const email = (x: string) => `${prefix}-${x}@example.test`;
    const [kept, failed] = await Promise.allSettled([
      database.db.transaction().execute(async (trx) => {
        const { id } = (await addUser(trx, { email: email('kept'), display_name: 'K', created_at: 1 })).rows[0];
        expect(Number((await rename(trx, id, { display_name: 'Kept' })).numAffectedRows)).toBe(1);
        return (await userNamed(trx, email('kept'))).rows;
      }),
      database.db.transaction().execute(async (trx) => {
        await addUser(trx, { email: email('lost'), display_name: 'L', created_at: 1 });
        // The same email again breaks the unique index: this statement rejects, and so does its transaction.
        await addUser(trx, { email: email('lost'), display_name: 'L2', created_at: 1 });
      }),
    ]);
    expect(kept.status === 'fulfilled' && kept.value.map((r) => r.display_name)).toEqual(['Kept']);
    expect(failed.status === 'rejected' && String(failed.reason)).toMatch(/unique|UNIQUE/);
    expect((await userNamed(database.db, email('kept'))).rows.map((r) => r.display_name)).toEqual(['Kept']);
    expect((await userNamed(database.db, email('lost'))).rows).toEqual([]);
  });

  it('keeps LIMIT and row locks working on both databases (a LIMIT written into the SQL on SQLite, row locks left out)', async () => {
    const prefix = unique('lim');
    for (const n of [1, 2, 3]) await addUser(database.db, { email: `${prefix}-${n}@example.test`, display_name: `${n}`, created_at: n });
    expect((await newestUsers(database.db, `${prefix}-%`)).rows.map((r) => r.email)).toEqual([`${prefix}-3@example.test`, `${prefix}-2@example.test`]);
    const built = database.db.selectFrom('users').select('id').limit(5).offset(10).compile();
    const locking = database.db.selectFrom('users').select('id').where('id', '=', 1).forUpdate().skipLocked().compile();
    if (dialect === 'sqlite') {
      expect(built.sql).toMatch(/limit 5 offset 10$/);
      expect(built.parameters).toEqual([]);
      // Row locks are left out: SQLite has none, and would refuse the syntax.
      expect(locking.sql).not.toMatch(/for update|skip locked/);
    } else {
      expect(built.parameters).toEqual([5, 10]);
      expect(locking.sql).toMatch(/for update skip locked$/);
    }
    expect((await database.db.executeQuery(locking)).rows).toBeDefined();
  });

  it('refuses a query whose shape depends on a value, before running it', () => {
    const branching = prepared((db: Kysely<DB>, newestFirst: boolean) => db.selectFrom('users').select('id').orderBy('id', newestFirst ? 'desc' : 'asc'));
    expect(() => branching(database.db, false)).toThrow(/must use each of its 1 values as a value, it uses 0/);
  });

  it('refuses a statement prepared both to be read and to be written behind, whose result would then never come back', async () => {
    const email = `${unique('twice')}@example.test`;
    const build = (db: Kysely<DB>, name: string, who: string) => db.updateTable('users').set({ display_name: name }).where('email', '=', who).where('locale', '=', 'twice');
    await prepared(build)(database.db, 'read', email);
    await expect(writeBehind(build)(database.db, 'behind', email)).rejects.toThrow(/prepared both as writeBehind and not/);
  });
});

describe.runIf(dialects.includes('postgres'))('prepared queries as named statements on postgres', () => {
  it('recovers when another node changes a table under a cached statement: one statement fails, the next works', async () => {
    // One connection, so every run meets the statement that connection prepared.
    const database = openDatabase({ postgresUrl: inject('pgUrl') as string, poolSize: 1 });
    const table = unique('probe').replace(/-/g, '_');
    try {
      await sql`CREATE TABLE ${sql.table(table)} (id bigint PRIMARY KEY, a text)`.execute(database.db);
      await sql`INSERT INTO ${sql.table(table)} VALUES (1, 'one')`.execute(database.db);
      // biome-ignore lint/suspicious/noExplicitAny: a table made by this test.
      const probe = prepared((db: Kysely<any>, id: number) => db.selectFrom(table).selectAll().where('id', '=', id));
      expect((await probe(database.db, 1)).rows).toEqual([{ id: 1, a: 'one' }]);
      expect((await probe(database.db, 1)).rows).toEqual([{ id: 1, a: 'one' }]);
      await sql`ALTER TABLE ${sql.table(table)} ADD COLUMN b text DEFAULT 'added'`.execute(database.db);
      await expect(probe(database.db, 1)).rejects.toMatchObject({ code: '0A000' });
      expect((await probe(database.db, 1)).rows).toEqual([{ id: 1, a: 'one', b: 'added' }]);
    } finally {
      await sql`DROP TABLE IF EXISTS ${sql.table(table)}`.execute(database.db);
      await database.dialect.close();
    }
  });
});

describe.each(dialects)('write-behind statements on %s', (dialect) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
  });
  afterAll(() => database.dialect.close());
  const user = (email: string) => ({ email, display_name: 'W', created_at: 1 });
  const exists = async (email: string) => (await userNamed(database.db, email)).rows.length === 1;

  it('takes effect before the next statement of its transaction, and commits with it', async () => {
    const email = `${unique('wb')}@example.test`;
    const seen = await database.db.transaction().execute(async (trx) => {
      await addUserBehind(trx, user(email));
      return (await userNamed(trx, email)).rows.length;
    });
    expect(seen).toBe(1);
    expect(await exists(email)).toBe(true);
    // Outside a transaction it runs at once.
    const alone = `${unique('wb')}@example.test`;
    await addUserBehind(database.db, user(alone));
    expect(await exists(alone)).toBe(true);
  });

  it('commits when it is the last statement of its transaction', async () => {
    const email = `${unique('wb')}@example.test`;
    await database.db.transaction().execute(async (trx) => {
      await addUser(trx, user(`${email}.first`));
      await addUserBehind(trx, user(email));
    });
    expect(await exists(email)).toBe(true);
  });

  it('fails its transaction with its own error, thrown by the next statement or the commit, and nothing of the transaction stays', async () => {
    const taken = `${unique('wb')}@example.test`;
    await addUser(database.db, user(taken));
    for (const last of [false, true]) {
      const first = `${unique('wb')}@example.test`;
      const after = `${unique('wb')}@example.test`;
      const attempt = database.db.transaction().execute(async (trx) => {
        await addUser(trx, user(first));
        await addUserBehind(trx, user(taken)); // a duplicate email
        if (!last) await addUser(trx, user(after));
      });
      await expect(attempt).rejects.toThrow(/unique|duplicate/i);
      expect(await exists(first)).toBe(false);
      expect(await exists(after)).toBe(false);
    }
  });

  it('lands several in one transaction, each with its own values, whether they touch the same table or not', async () => {
    const owner = (await addUser(database.db, user(`${unique('wb')}@example.test`))).rows[0];
    const [added, renamed, session] = [`${unique('wb')}@example.test`, `${unique('wb')}@example.test`, unique('wb-session')];
    const seen = await database.db.transaction().execute(async (trx) => {
      await addUserBehind(trx, user(added));
      await addSessionBehind(trx, { id: session, user_id: Number(owner.id), at: 1234 });
      await addUserBehind(trx, user(renamed));
      // Same table as the insert before it: it must see that row.
      await renameBehind(trx, renamed, 'Renamed');
      return (await userNamed(trx, renamed)).rows[0]?.display_name;
    });
    expect(seen).toBe('Renamed');
    expect(await exists(added)).toBe(true);
    expect((await userNamed(database.db, renamed)).rows[0]?.display_name).toBe('Renamed');
    const row = await sessionOf(database.db, session);
    expect([Number(row?.user_id), Number(row?.created_at), Number(row?.expires_at)]).toEqual([Number(owner.id), 1234, 1235]);
  });

  it('is never sent when its transaction rolls back, and an empty transaction commits', async () => {
    const email = `${unique('wb')}@example.test`;
    const attempt = database.db.transaction().execute(async (trx) => {
      await addUserBehind(trx, user(email));
      throw new Error('changed my mind');
    });
    await expect(attempt).rejects.toThrow('changed my mind');
    expect(await exists(email)).toBe(false);
    expect(await database.db.transaction().execute(async () => 'nothing ran')).toBe('nothing ran');
    // The connections are still good for the next transaction.
    const next = `${unique('wb')}@example.test`;
    await database.db.transaction().execute(async (trx) => addUserBehind(trx, user(next)));
    expect(await exists(next)).toBe(true);
  });
});
