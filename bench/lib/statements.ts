import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { type Database, migrateToLatest, openDatabase } from '../../src/db/index.ts';
import { buildApp } from '../../src/server/app.ts';
import { loadConfig } from '../../src/server/env.ts';
import { BENCH_SECRET } from './common.ts';

export interface StatementCount {
  cycles: number;
  /** Worker keys the cycles take in turn. */
  keys: number;
  /** Statements per claim and per submit, BEGIN and COMMIT included. */
  claim: number;
  submit: number;
  /**
   * PostgreSQL: round trips per claim and per submit, where statements sent together in one write
   * (a pipelined BEGIN, write-behind statements) count once.
   */
  roundTrips?: { claim: number; submit: number };
  /** Of those, API-key lookups: a request whose key the key cache held (README, API) runs none. */
  keyLookups: number;
  /** SQLite only: µs inside better-sqlite3 per claim and per submit, transaction control left out. */
  sqliteUs?: { claim: number; submit: number };
}

// Statements whose cost depends on how transactions are grouped (one COMMIT serves many under load).
const TRANSACTION_CONTROL = /^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|PRAGMA temp_store)\b/i;

type Phase = 'claim' | 'submit' | undefined;

/**
 * Counts the statements the app sends per claim and per submit: `cycles` claim+submit cycles in a row
 * through buildApp().inject() in this process, over the database `target` names, with each statement
 * counted where the driver runs it (better-sqlite3's Statement, pg's Client.query).
 */
export async function statementsPerCycle(target: { sqliteFile: string } | { postgresUrl: string }, project: string, keys: string[], cycles = 300): Promise<StatementCount> {
  const database: Database = openDatabase(target);
  await migrateToLatest(database);
  const app = await buildApp({ config: { ...loadConfig({ ...process.env, TESSERA_SECRET: BENCH_SECRET }), demo: false, jobs: false }, database, logger: false });
  const counts = { claim: 0, submit: 0, keyLookups: 0 };
  const trips = { claim: 0, submit: 0 };
  const sqliteNs = { claim: 0, submit: 0 };
  let phase: Phase;
  const restore = countCalls((text, sqliteTookNs, newWrite) => {
    if (!phase) return;
    counts[phase]++;
    if (newWrite) trips[phase]++;
    if (/from "api_keys"/.test(text)) counts.keyLookups++;
    if (sqliteTookNs !== undefined && !TRANSACTION_CONTROL.test(text)) sqliteNs[phase] += sqliteTookNs;
  });
  try {
    const cycle = async (i: number, counted: boolean) => {
      const headers = { authorization: `Bearer ${keys[i % keys.length]}` };
      phase = counted ? 'claim' : undefined;
      const claimed = await app.inject({ method: 'POST', url: `/v1/work/projects/${encodeURIComponent(project)}/claim`, headers });
      if (claimed.statusCode !== 200) throw new Error(`claim answered ${claimed.statusCode}: ${claimed.body}`);
      phase = counted ? 'submit' : undefined;
      const id = (claimed.json() as { assignment: { id: string } }).assignment.id;
      const submitted = await app.inject({ method: 'POST', url: `/v1/work/assignments/${id}/submit`, headers, payload: { response: { category: 'a' } } });
      if (submitted.statusCode !== 200) throw new Error(`submit answered ${submitted.statusCode}: ${submitted.body}`);
      phase = undefined;
    };
    // The first cycles fill caches (rate card sync, prepared statements) that later ones skip.
    for (let i = 0; i < 50; i++) await cycle(i, false);
    for (let i = 0; i < cycles; i++) await cycle(i, true);
  } finally {
    restore();
    await app.close();
    await database.dialect.close();
  }
  const sqliteUs = 'sqliteFile' in target ? { claim: sqliteNs.claim / cycles / 1000, submit: sqliteNs.submit / cycles / 1000 } : undefined;
  const roundTrips = 'sqliteFile' in target ? undefined : { claim: trips.claim / cycles, submit: trips.submit / cycles };
  return { cycles, keys: keys.length, claim: counts.claim / cycles, submit: counts.submit / cycles, roundTrips, keyLookups: counts.keyLookups / cycles, sqliteUs };
}

/**
 * Calls `count` with the SQL of every statement either driver runs until the returned function is
 * called, and for better-sqlite3 (whose calls are synchronous) the nanoseconds the call took; for pg,
 * whether the statement starts a new write (statements sent in the same tick share one).
 */
function countCalls(count: (text: string, sqliteTookNs?: number, newWrite?: boolean) => void): () => void {
  let writing = false;
  const statement = Object.getPrototypeOf(new SqliteDatabase(':memory:').prepare('select 1')) as Record<string, (...args: unknown[]) => unknown>;
  const client = pg.Client.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const patched: Array<[Record<string, (...args: unknown[]) => unknown>, string, (...args: unknown[]) => unknown]> = [];
  for (const [owner, name] of [[statement, 'run'], [statement, 'all'], [statement, 'get'], [statement, 'iterate'], [client, 'query']] as const) {
    const original = owner[name];
    patched.push([owner, name, original]);
    owner[name] = function (this: unknown, ...args: unknown[]) {
      // better-sqlite3's Statement knows its SQL; pg's query gets it as text or as { text }.
      const first = args[0] as string | { text?: string } | undefined;
      if (owner === client) {
        count(typeof first === 'string' ? first : (first?.text ?? ''), undefined, !writing);
        if (!writing) {
          writing = true;
          process.nextTick(() => (writing = false));
        }
        return original.apply(this, args);
      }
      const started = process.hrtime.bigint();
      const result = original.apply(this, args);
      count((this as { source?: string }).source ?? '', Number(process.hrtime.bigint() - started));
      return result;
    };
  }
  return () => {
    for (const [owner, name, original] of patched) owner[name] = original;
  };
}
