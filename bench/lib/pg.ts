import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { cpuSecondsOf } from './http.ts';

// Scratch PostgreSQL databases. Every name starts with tessera_bench_<run tag>_ so the runner can
// drop whatever a crashed section left behind.

/** Maintenance connection: TESSERA_BENCH_PG_URL, default the local server's `test` database. */
export const PG_ADMIN_URL = process.env.TESSERA_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export function runTag(): string {
  process.env.TESSERA_BENCH_TAG ??= `p${process.pid}`;
  return process.env.TESSERA_BENCH_TAG;
}

/** The URL of database `name` on the same server as PG_ADMIN_URL. */
export function pgUrlFor(name: string): string {
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty scratch database (dropping a leftover of the same name) and returns its name and URL. */
export async function createScratchDatabase(what: string): Promise<{ name: string; url: string }> {
  const name = `tessera_bench_${runTag()}_${what}`.toLowerCase();
  await admin(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${name}`);
  });
  return { name, url: pgUrlFor(name) };
}

/**
 * Writes out every dirty page now: a run started after it does not pay for the writes of whatever ran
 * before it (an import, another run) when the checkpointer gets to them.
 */
export async function checkpoint(): Promise<void> {
  await admin((c) => c.query('CHECKPOINT'));
}

/**
 * VACUUM of the database at `url`, then a checkpoint: a run started after it finds neither the dead rows
 * nor the dirty pages of what ran before it. Autovacuum may be off or minutes late, and a claim run leaves
 * thousands of dead task versions that every later scan would step over.
 */
export async function settle(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('VACUUM');
  } finally {
    await client.end();
  }
  await checkpoint();
}

export async function dropScratchDatabase(name: string): Promise<void> {
  await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/** Drops every scratch database of this run tag; returns their names. */
export async function dropRunDatabases(tag: string): Promise<string[]> {
  return admin(async (c) => {
    const { rows } = await c.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`tessera_bench_${tag}_%`]);
    for (const { datname } of rows) await c.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    return rows.map((r) => r.datname);
  });
}

export async function postgresVersion(): Promise<string> {
  try {
    return await admin(async (c) => (await c.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0].v);
  } catch {
    return 'unreachable';
  }
}

/**
 * One round trip of a trivial prepared statement (`SELECT $1::int`, one client, `n` in a row after a
 * warm-up): its wall time and the client process's CPU time, in microseconds.
 */
export async function pgRoundTrip(url: string, n = 2_000): Promise<{ wallUs: number; clientCpuUs: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const once = (i: number) => client.query({ name: 'round_trip', text: 'SELECT $1::int AS x', values: [i] });
    for (let i = 0; i < 200; i++) await once(i);
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (let i = 0; i < n; i++) await once(i);
    const wallUs = ((performance.now() - started) * 1000) / n;
    const used = process.cpuUsage(cpu);
    return { wallUs, clientCpuUs: (used.user + used.system) / n };
  } finally {
    await client.end();
  }
}

/** CPU seconds so far of every PostgreSQL server process on this machine, by pid. */
export function postgresCpuByPid(): Map<number, number> {
  const out = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/comm`, 'utf8').trim() !== 'postgres') continue;
    } catch {
      continue; // the process has exited
    }
    const seconds = cpuSecondsOf(Number(name));
    if (!Number.isNaN(seconds)) out.set(Number(name), seconds);
  }
  return out;
}

/** CPU seconds PostgreSQL's processes used since `before`: a process started since counts from zero, one that exited is lost. */
export function postgresCpuSince(before: Map<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of postgresCpuByPid()) total += seconds - (before.get(pid) ?? 0);
  return total;
}
