import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { type Database, openDatabase } from '../src/db/index.ts';
import { expireDue } from '../src/modules/assignment/index.ts';
import { type Actor, buildProject, dialects, makeActor, makeWorkers, startTestApp, type TestApp, testConfig } from './helpers/harness.ts';

/*
 * 200 simulated workers claim, heartbeat, submit, retry, skip and abandon at random against real
 * HTTP servers, then the stored state is checked against what the clients saw.
 */

const WORKERS = 200;
const TASKS = 400;
const OVERLAP = 3;
const GOLD = 20;
const LEASE_SECONDS = 5;

interface Ledger {
  /** Assignment ids whose submit the server confirmed (200). */
  stored: Set<string>;
  /** (task, worker) pairs a worker was handed. */
  held: Set<string>;
  doubleHandouts: number;
  claims: number;
}

type Pick = () => string;

async function http(base: Pick, method: string, path: string, worker: Actor, body?: unknown): Promise<{ status: number; json: any } | 'down'> {
  try {
    const res = await fetch(`${base()}${path}`, {
      method,
      headers: { ...worker.auth, ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null };
  } catch {
    return 'down';
  }
}

/** Retries a request on "down" (a node killed mid-request) until some node answers. */
async function until(base: Pick, method: string, path: string, worker: Actor, body?: unknown) {
  for (let i = 0; i < 200; i++) {
    const res = await http(base, method, path, worker, body);
    if (res !== 'down') return res;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no node answered ${method} ${path}`);
}

async function workerLoop(base: Pick, project: string, worker: Actor, ledger: Ledger, random: () => number, drain: boolean) {
  let empty = 0;
  for (let round = 0; round < (drain ? 1000 : 12) && empty < 2; round++) {
    const claim = await until(base, 'POST', `/v1/work/projects/${project}/claim`, worker);
    if (claim.status === 204) {
      empty++;
      continue;
    }
    expect(claim.status, JSON.stringify(claim.json)).toBe(200);
    ledger.claims++;
    const a = claim.json.assignment;
    const pair = `${a.task.id}:${worker.user.id}`;
    if (ledger.held.has(pair)) ledger.doubleHandouts++;
    ledger.held.add(pair);
    const roll = drain ? 0.5 : random();
    if (roll < 0.1) continue; // abandon: the lease must expire and free the slot
    if (roll < 0.2) {
      await until(base, 'POST', `/v1/work/assignments/${a.id}/skip`, worker, { reason: 'load test' });
      continue;
    }
    if (roll < 0.4) await until(base, 'POST', `/v1/work/assignments/${a.id}/heartbeat`, worker, { visible: true, input_active: true });
    const answer = { response: { category: a.task.params.categories[Math.floor(random() * 3)] } };
    const first = await until(base, 'POST', `/v1/work/assignments/${a.id}/submit`, worker, answer);
    if (first.status === 200) ledger.stored.add(a.id);
    else expect(first.json.code).toBe('lease_expired');
    if (roll > 0.9) {
      // A client retry of a submit: same result, nothing stored twice.
      const retry = await until(base, 'POST', `/v1/work/assignments/${a.id}/submit`, worker, answer);
      expect(retry.status).toBe(first.status);
    }
  }
}

function seeded(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

async function setupProject(t: { app?: TestApp['app']; database: Database; config: TestApp['config'] }, requester: Actor, post: (url: string, body: unknown) => Promise<{ status: number; json: any }>) {
  const body = buildProject({ overlap: { min: OVERLAP }, gold_rate: 0.05, lease_seconds: LEASE_SECONDS });
  expect((await post('/v1/projects', body)).status).toBe(200);
  let file = '';
  for (let i = 0; i < TASKS; i++) file += `${JSON.stringify({ unique_id: `c${i}`, attachments: [{ type: 'text', content: `item ${i}` }] })}\n`;
  for (let i = 0; i < GOLD; i++) file += `${JSON.stringify({ unique_id: `g${i}`, attachments: [{ type: 'text', content: `gold ${i}` }], gold: 'dog' })}\n`;
  const imported = await post(`/v1/projects/${body.name}/import?format=jsonl`, file);
  expect(imported.json.inserted).toBe(TASKS + GOLD);
  return body.name as string;
}

async function checkInvariants(database: Database, projectName: string, ledger: Ledger) {
  const { db } = database;
  const project = await db.selectFrom('projects').select('id').where('name', '=', projectName).executeTakeFirstOrThrow();
  const assignments = await db.selectFrom('assignments').selectAll().where('project_id', '=', project.id).execute();
  const tasks = await db.selectFrom('tasks').selectAll().where('project_id', '=', project.id).execute();

  // No worker was handed, or answered, any task twice.
  expect(ledger.doubleHandouts).toBe(0);
  const pairs = assignments.map((a) => `${a.task_id}:${a.worker_id}`);
  expect(new Set(pairs).size).toBe(pairs.length);

  // Every answer the server confirmed is stored, exactly once, and nothing else is.
  const submitted = assignments.filter((a) => a.status === 'submitted');
  expect(new Set(submitted.map((a) => String(a.id)))).toEqual(ledger.stored);

  for (const task of tasks) {
    const answers = submitted.filter((a) => a.task_id === task.id).length;
    expect(task.answers_count).toBe(answers);
    // No slot leaked by an abandoned lease: nothing is still held.
    expect(task.active_count).toBe(0);
    if (task.is_gold === 1) continue;
    // No task has more answers than required, and every task was completed.
    expect(answers).toBe(task.responses_required);
    expect(task.status).toBe('completed');
  }
  expect(assignments.filter((a) => a.status === 'active')).toHaveLength(0);
  // Time adds up on every finished assignment.
  for (const a of assignments) expect(a.active_ms + a.short_idle_ms + a.long_idle_ms).toBe((a.ended_at as number) - a.claimed_at);
}

describe.runIf(dialects.includes('sqlite'))('200 concurrent workers on one SQLite server', () => {
  let t: TestApp;
  afterAll(() => t?.close());

  it('never double-assigns, never loses or doubles an answer, completes every task, leaks no slot', async () => {
    t = await startTestApp('sqlite', { realClock: true });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    const requester = await makeActor(t, 'requester');
    const post = async (url: string, body: unknown) => {
      const res = await t.app.inject({ method: 'POST', url, headers: { ...requester.auth, ...(typeof body === 'string' && { 'content-type': 'application/x-ndjson' }) }, payload: body as string });
      return { status: res.statusCode, json: res.json() };
    };
    const name = await setupProject(t, requester, post);
    const workers = await makeWorkers(t, WORKERS);
    const ledger: Ledger = { stored: new Set(), held: new Set(), doubleHandouts: 0, claims: 0 };
    await Promise.all(workers.map((w, i) => workerLoop(() => base, name, w, ledger, seeded(i + 1), false)));
    // Abandoned leases run out; the next claims find their slots free again.
    await new Promise((r) => setTimeout(r, LEASE_SECONDS * 1000 + 200));
    await Promise.all(workers.map((w, i) => workerLoop(() => base, name, w, ledger, seeded(i + 1000), true)));
    await new Promise((r) => setTimeout(r, LEASE_SECONDS * 1000 + 200));
    await expireDue(t.database, Date.now());
    await checkInvariants(t.database, name, ledger);
  }, 240_000);
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** A requester's POST to one server: JSON, or JSONL for a string body. */
function requesterPost(url: string, requester: Actor) {
  return async (path: string, body: unknown) => {
    const res = await fetch(`${url}${path}`, { method: 'POST', headers: { ...requester.auth, 'content-type': typeof body === 'string' ? 'application/x-ndjson' : 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    return { status: res.status, json: await res.json() };
  };
}

/** Lets abandoned leases run out, has every worker drain the queue, then checks the invariants. */
async function drainAndCheck(base: Pick, name: string, workers: Actor[], ledger: Ledger, database: Database) {
  await new Promise((r) => setTimeout(r, LEASE_SECONDS * 1000 + 200));
  await Promise.all(workers.map((w, i) => workerLoop(base, name, w, ledger, seeded(i + 1000), true)));
  await new Promise((r) => setTimeout(r, LEASE_SECONDS * 1000 + 200));
  await expireDue(database, Date.now());
  await checkInvariants(database, name, ledger);
}

/** Starts `bin/tessera serve` on `port` and waits until it answers /health. */
async function startNode(env: NodeJS.ProcessEnv, port: number, children: ChildProcess[]): Promise<ChildProcess> {
  const child = spawn(join(process.cwd(), 'bin/tessera'), ['serve'], { env: { ...env, PORT: String(port) }, stdio: 'ignore' });
  children.push(child);
  for (let i = 0; i < 300; i++) {
    if ((await fetch(`http://127.0.0.1:${port}/health`).catch(() => null))?.ok) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`node on ${port} did not start`);
}

describe.runIf(dialects.includes('sqlite'))('200 concurrent workers on a SQLite server killed mid-load', () => {
  const children: ChildProcess[] = [];
  let database: Database | undefined;
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await database?.dialect.close();
  });

  it('loses no confirmed answer or claim and doubles nothing after kill -9 and restart on the same file', async () => {
    const config = testConfig();
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: config.dataDir, TESSERA_SECRET: config.secret, TESSERA_DEMO: 'false', LOG_LEVEL: 'warn', HOST: '127.0.0.1' };
    delete env.DATABASE_URL;
    const port = await freePort();
    let node = await startNode(env, port, children);
    // A second connection to the server's file, as the checks below need.
    database = openDatabase({ sqliteFile: join(config.dataDir, 'tessera.db') });
    const t = { database, config };
    const requester = await makeActor(t, 'requester');
    const base: Pick = () => `http://127.0.0.1:${port}`;
    const name = await setupProject(t, requester, requesterPost(base(), requester));
    const workers = await makeWorkers(t, WORKERS);
    const ledger: Ledger = { stored: new Set(), held: new Set(), doubleHandouts: 0, claims: 0 };

    const load = Promise.all(workers.map((w, i) => workerLoop(base, name, w, ledger, seeded(i + 1), false)));
    // Kill the server once the load is under way; the workers retry until it is back.
    while (ledger.claims < 300) await new Promise((r) => setTimeout(r, 20));
    node.kill('SIGKILL');
    await new Promise((r) => node.once('exit', r));
    node = await startNode(env, port, children);
    await load;
    await drainAndCheck(base, name, workers, ledger, database);
  }, 300_000);
});

describe.runIf(dialects.includes('postgres'))('200 concurrent workers on two PostgreSQL nodes, one killed mid-load', () => {
  const children: ChildProcess[] = [];
  let t: TestApp;
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await t?.close();
  });

  it('keeps serving on the survivor, rejoins after restart, and the invariants hold', async () => {
    t = await startTestApp('postgres', { realClock: true });
    const requester = await makeActor(t, 'requester');
    const env = { ...process.env, DATABASE_URL: inject('pgUrl') ?? '', TESSERA_SECRET: t.config.secret, TESSERA_DEMO: 'false', LOG_LEVEL: 'warn', HOST: '127.0.0.1' };
    const ports = [await freePort(), await freePort()];
    const start = (port: number) => startNode({ ...env, DATA_DIR: mkdtempSync(join(tmpdir(), 'tessera-node-')) }, port, children);
    const nodes = [await start(ports[0]), await start(ports[1])];
    const alive = [true, true];
    let turn = 0;
    const base: Pick = () => {
      turn++;
      const i = alive[turn % 2] ? turn % 2 : (turn + 1) % 2;
      return `http://127.0.0.1:${ports[i]}`;
    };
    const name = await setupProject(t, requester, requesterPost(`http://127.0.0.1:${ports[0]}`, requester));
    const workers = await makeWorkers(t, WORKERS);
    const ledger: Ledger = { stored: new Set(), held: new Set(), doubleHandouts: 0, claims: 0 };

    const load = Promise.all(workers.map((w, i) => workerLoop(base, name, w, ledger, seeded(i + 1), false)));
    // Kill node 1 once the load is under way, then bring it back.
    while (ledger.claims < 300) await new Promise((r) => setTimeout(r, 20));
    nodes[1].kill('SIGKILL');
    alive[1] = false;
    const claimsAtKill = ledger.claims;
    await new Promise((r) => setTimeout(r, 1000));
    expect(ledger.claims).toBeGreaterThan(claimsAtKill);
    nodes[1] = await start(ports[1]);
    alive[1] = true;
    await load;
    await drainAndCheck(base, name, workers, ledger, t.database);
  }, 300_000);
});
