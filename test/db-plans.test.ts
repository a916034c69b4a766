import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireDue } from '../src/modules/assignment/index.ts';
import { buildProject, dialects, makeActor, makeWorkers, startTestApp, type Actor, type Dialect, type TestApp } from './helpers/harness.ts';

// Reads of one task's (or one worker's) answers must go through that task's or worker's index, never
// through every answer of a status. SQLite plans without statistics of its own, so what it picks here
// is what it picks on a database with millions of answers; migration 0012 tells it the table's shape.
// PostgreSQL plans blind until the table is first analyzed (autovacuum is off on some machines):
// migration 0013 leaves it no status index to pair with the task's.

/** Statements whose text names assignments and one task or one worker, not the lease sweeper's active ones. */
const onOneTaskOrWorker = (text: string) => /\bassignments\b/.test(text) && /"?task_id"?\s*(=|in)|"?worker_id"?\s*=/.test(text) && !/'active'/.test(text);

const GROWING = ['tasks', 'assignments', 'ledger_entries', 'decisions', 'time_segments', 'activity_sessions'];

/**
 * Whether a plan step reads a whole table that grows with the work (by its name or its alias in the
 * statement), other than through a partial index, which holds only the few rows it is for.
 */
function scannedGrowingTable(text: string, step: string, partialIndexes: string[]): boolean {
  const [, scanned, index] = /^SCAN "?(\w+)"?(?: USING (?:COVERING )?INDEX (\w+))?/.exec(step) ?? [];
  if (!scanned || (index && partialIndexes.includes(index))) return false;
  if (GROWING.includes(scanned)) return true;
  const aliases = [...text.matchAll(/\b(?:from|join)\s+"?(\w+)"?(?:\s+(?:as\s+)?"?(\w+)"?)?/gi)].filter((m) => GROWING.includes(m[1])).map((m) => m[2]);
  return aliases.includes(scanned);
}

/** Records the SQL text of every statement the drivers prepare or send until the returned function is called. */
function recordStatements(into: Set<string>): () => void {
  const sqlite = SqliteDatabase.prototype as unknown as { prepare(source: string): unknown };
  const client = pg.Client.prototype as unknown as { query(...args: unknown[]): unknown };
  const prepare = sqlite.prepare;
  const query = client.query;
  sqlite.prepare = function (this: unknown, source: string) {
    into.add(source);
    return prepare.call(this, source);
  };
  client.query = function (this: unknown, ...args: unknown[]) {
    const first = args[0] as string | { text?: string } | undefined;
    const text = typeof first === 'string' ? first : first?.text;
    if (text) into.add(text);
    return query.apply(this, args);
  };
  return () => {
    sqlite.prepare = prepare;
    client.query = query;
  };
}

/** The plan of each statement, as one line per step. Values are all '1': the plans do not depend on them. */
async function plansOf(t: TestApp, dialect: Dialect, texts: string[]): Promise<Array<{ text: string; plan: string[] }>> {
  if (dialect === 'sqlite') {
    // A second connection to the same file plans with what the file says (sqlite_stat1 included).
    const { rows } = await sql<{ name: string; file: string }>`PRAGMA database_list`.execute(t.database.db);
    const planner = new SqliteDatabase(rows.find((r) => r.name === 'main')!.file, { readonly: true });
    try {
      return texts.map((text) => {
        const values = Array.from({ length: (text.match(/\?/g) ?? []).length }, () => 1);
        return { text, plan: (planner.prepare(`EXPLAIN QUERY PLAN ${text}`).all(...values) as Array<{ detail: string }>).map((r) => r.detail) };
      });
    } finally {
      planner.close();
    }
  }
  return t.database.db.connection().execute(async (db) => {
    const out: Array<{ text: string; plan: string[] }> = [];
    for (const text of texts) {
      const count = Math.max(0, ...[...text.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
      await sql`PREPARE tessera_plan AS ${sql.raw(text)}`.execute(db);
      const args = sql.raw(count ? `(${Array(count).fill("'1'").join(', ')})` : '');
      const { rows } = await sql<{ 'QUERY PLAN': string }>`EXPLAIN EXECUTE tessera_plan${args}`.execute(db);
      await sql`DEALLOCATE tessera_plan`.execute(db);
      out.push({ text, plan: rows.map((r) => r['QUERY PLAN'].trim()) });
    }
    return out;
  });
}

describe.each(dialects)('query plans on %s', (dialect) => {
  let t: TestApp;
  let requester: Actor;
  const statements = new Set<string>();
  let stopRecording = () => {};

  beforeAll(async () => {
    t = await startTestApp(dialect);
    // From here on: the migrations' own statements (some on tables since dropped) are not the app's.
    stopRecording = recordStatements(statements);
    requester = await makeActor(t, 'requester');
  });
  afterAll(async () => {
    stopRecording();
    await t.close();
  });

  const call = (method: 'GET' | 'POST', url: string, actor: Actor, payload?: unknown) =>
    t.app.inject({ method, url, headers: actor.auth, ...(payload !== undefined && { payload: payload as object }) });

  async function project(overrides: Record<string, unknown>, tasks: number, gold: number): Promise<string> {
    const body = buildProject(overrides);
    expect((await call('POST', '/v1/projects', requester, body)).statusCode).toBe(200);
    for (let i = 0; i < tasks + gold; i++) {
      const task = { project: body.name, attachments: [{ type: 'text', content: `item ${i}` }], ...(i >= tasks && { expected_response: { category: 'cat' } }) };
      const res = await call('POST', i >= tasks ? '/v1/evaluation_tasks/categorization' : '/v1/task/categorization', requester, task);
      expect(res.statusCode, res.body).toBe(200);
    }
    return body.name as string;
  }

  /** Each worker claims and answers until nothing is left for it; returns the task ids answered. */
  async function work(name: string, workers: Actor[]): Promise<string[]> {
    const answered: string[] = [];
    for (const worker of workers) {
      for (;;) {
        const claim = await call('POST', `/v1/work/projects/${name}/claim`, worker);
        if (claim.statusCode === 204) break;
        expect(claim.statusCode, claim.body).toBe(200);
        const { id, task } = claim.json().assignment;
        expect((await call('POST', `/v1/work/assignments/${id}/submit`, worker, { response: { category: 'cat' } })).statusCode).toBe(200);
        answered.push(task.id);
      }
    }
    return answered;
  }

  async function exported(name: string): Promise<void> {
    const res = await call('POST', '/v1/exports', requester, { project: name, format: 'jsonl' });
    expect(res.statusCode, res.body).toBe(200);
    for (let i = 0; i < 500; i++) {
      const state = (await call('GET', `/v1/exports/${res.json().export_id}`, requester)).json();
      if (state.status === 'done') return;
      expect(state.status).not.toBe('failed');
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('export did not finish');
  }

  it('finds expired leases through the lease indexes, which hold active assignments only', async () => {
    const [worker] = await makeWorkers(t, 1);
    const name = await project({}, 2, 0);
    expect((await call('POST', `/v1/work/projects/${name}/claim`, worker)).statusCode).toBe(200);
    // A claim sweeps its project's expired leases (at most every 250 ms); the job sweeps every project's.
    const { id } = await t.database.db.selectFrom('projects').select('id').where('name', '=', name).executeTakeFirstOrThrow();
    await expireDue(t.database, Date.now(), id);
    await expireDue(t.database, Date.now());
    const sweeps = await plansOf(t, dialect, [...statements].filter((text) => /lease_expires_at\s*</.test(text)));
    const indexOf = (plan: string[]) => plan.map((step) => /assignments_(project_)?due\b/.exec(step)?.[0]).find(Boolean);
    expect(sweeps.map((p) => indexOf(p.plan) ?? p.plan.join(' | ')).sort()).toEqual(['assignments_due', 'assignments_project_due']);
  });

  it("reads one task's, one worker's or one decision's rows through an index, never every answer of a status or a whole growing table", async () => {
    const workers = await makeWorkers(t, 4);
    // Gold answers (the dispute check), completions (the answers that count, their pay), an export.
    const graded = await project({ overlap: { min: 2 }, gold_rate: 0.5 }, 4, 2);
    expect((await work(graded, workers)).length).toBeGreaterThan(8);
    await exported(graded);
    // Review: an accept marks the task's answers.
    const reviewed = await project({ review_policy: { mode: 'all' } }, 1, 0);
    const [taskId] = await work(reviewed, workers.slice(0, 1));
    expect((await call('POST', `/v1/review/tasks/${taskId}`, requester, { action: 'accept' })).statusCode).toBe(200);
    // The pages that list decisions: a worker's own, and those waiting for a second person.
    expect((await call('GET', '/v1/work/decisions', workers[0])).statusCode).toBe(200);
    expect((await call('GET', '/v1/decisions/pending', requester)).statusCode).toBe(200);
    expect((await call('GET', '/v1/decisions/pending', await makeActor(t, 'reviewer'))).statusCode).toBe(200);
    stopRecording();

    const plans = await plansOf(t, dialect, [...statements].filter(onOneTaskOrWorker));
    expect(plans.length).toBeGreaterThan(5);
    const byStatus = plans.filter((p) => p.plan.some((step) => /assignments_due/.test(step)));
    expect(byStatus.map((p) => `${p.text.replace(/\s+/g, ' ').slice(0, 160)}\n  ${p.plan.join(' | ')}`)).toEqual([]);
    // The gold dispute check was among them, on one of the task's indexes; on SQLite, from its gold answers
    // alone (a gold item has an answer from every worker who met it: no seek into the table for each).
    const dispute = plans.find((p) => /AS good/.test(p.text));
    expect(dispute?.plan.some((step) => /assignments_(task_worker|gold_answers)/.test(step))).toBe(true);
    if (dialect === 'sqlite') expect(dispute?.plan).toContain('SEARCH a USING COVERING INDEX assignments_gold_answers (task_id=? AND status=?)');

    // On SQLite the plans do not depend on the data, so none of these statements may read a table that
    // grows with the work from end to end. (PostgreSQL rightly scans tables as small as these. Inserts
    // are left out: their plans list the foreign-key checks a delete of the parent row would run.)
    if (dialect === 'sqlite') {
      const everything = await plansOf(t, dialect, [...statements].filter((text) => /^\s*(select|with|update|delete)\b/i.test(text)));
      const partial = (await sql<{ name: string }>`SELECT name FROM sqlite_schema WHERE type = 'index' AND sql LIKE '% WHERE %'`.execute(t.database.db)).rows.map((r) => r.name);
      const scans = everything.filter((p) => p.plan.some((step) => scannedGrowingTable(p.text, step, partial)));
      expect(scans.map((p) => `${p.text.replace(/\s+/g, ' ').slice(0, 160)}\n  ${p.plan.join(' | ')}`)).toEqual([]);
      expect(everything.some((p) => /from "ledger_entries"/.test(p.text) && /"decision_id" in/.test(p.text))).toBe(true);
    }
  });
});
