import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProject, dialects, makeActor, makeWorkers, startTestApp, type Actor, type TestApp } from './helpers/harness.ts';

// SQLite plans without statistics of its own: what it picks for a statement is the same on an empty
// database as on one with millions of answers. Migration 0012 tells it the assignments table's shape;
// without it, "this task's submitted answers" walked every submitted answer in the database.
describe.runIf(dialects.includes('sqlite'))('SQLite query plans', () => {
  let t: TestApp;
  let requester: Actor;
  const statements = new Set<string>();
  const prototype = SqliteDatabase.prototype as unknown as { prepare(source: string): unknown };
  const prepare = prototype.prepare;

  beforeAll(async () => {
    prototype.prepare = function (this: unknown, source: string) {
      statements.add(source);
      return prepare.call(this, source);
    };
    t = await startTestApp('sqlite');
    requester = await makeActor(t, 'requester');
  });
  afterAll(async () => {
    prototype.prepare = prepare;
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

  it("reads one task's or one worker's answers through their own index, never every answer of a status", async () => {
    const workers = await makeWorkers(t, 4);
    // Gold answers (the dispute check), completions (the answers that count, their pay), an export.
    const graded = await project({ overlap: { min: 2 }, gold_rate: 0.5 }, 4, 2);
    expect((await work(graded, workers)).length).toBeGreaterThan(8);
    await exported(graded);
    // Review: an accept marks the task's answers.
    const reviewed = await project({ review_policy: { mode: 'all' } }, 1, 0);
    const [taskId] = await work(reviewed, workers.slice(0, 1));
    expect((await call('POST', `/v1/review/tasks/${taskId}`, requester, { action: 'accept' })).statusCode).toBe(200);

    // A second connection to the same file plans with what the file says (sqlite_stat1 included).
    const { rows } = await sql<{ name: string; file: string }>`PRAGMA database_list`.execute(t.database.db);
    const planner = new SqliteDatabase(rows.find((r) => r.name === 'main')!.file, { readonly: true });
    const planOf = (source: string) =>
      (planner.prepare(`EXPLAIN QUERY PLAN ${source}`).all(...Array.from({ length: (source.match(/\?/g) ?? []).length }, () => 1)) as Array<{ detail: string }>).map((r) => r.detail);
    const onOneTaskOrWorker = [...statements].filter((s) => /\bassignments\b/.test(s) && /"?task_id"?\s*(=|in)|"?worker_id"?\s*=/.test(s) && !/'active'/.test(s));
    expect(onOneTaskOrWorker.length).toBeGreaterThan(5);
    const plans = onOneTaskOrWorker.map((s) => ({ s, plan: planOf(s) }));
    planner.close();
    const byStatus = plans.filter((p) => p.plan.some((step) => /assignments_due \(status=\?\)/.test(step)));
    expect(byStatus.map((p) => `${p.s.replace(/\s+/g, ' ').slice(0, 160)}\n  ${p.plan.join(' | ')}`)).toEqual([]);
    // The gold dispute check was among them.
    expect(plans.some((p) => /AS good/.test(p.s) && p.plan.some((step) => /assignments_task_worker/.test(step)))).toBe(true);
  });
});
