import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTask, insertAssignment, taskAfterEnd } from '../src/modules/assignment/assignment.repository.ts';
import { sql } from 'kysely';
import { appendCard } from '../src/modules/ledger/pay.service.ts';
import { ledgerDb } from '../src/modules/ledger/ledger.tables.ts';
import { findProjectByName, type Project, updateProjectRow } from '../src/modules/projects/projects.repository.ts';
import { buildProject, dialects, makeActor, startTestApp, type Actor, type TestApp } from './helpers/harness.ts';

describe.each(dialects)('work distribution on %s', (dialect) => {
  let t: TestApp;
  let requester: Actor;
  beforeAll(async () => {
    t = await startTestApp(dialect);
    requester = await makeActor(t, 'requester');
  });
  afterAll(() => t.close());

  const call = (method: 'GET' | 'POST', url: string, actor: Actor, payload?: unknown) =>
    t.app.inject({ method, url, headers: actor.auth, ...(payload !== undefined && { payload: payload as object }) });

  async function project(overrides: Record<string, unknown> = {}, tasks: Record<string, unknown>[] = []) {
    const body = buildProject(overrides);
    expect((await call('POST', '/v1/projects', requester, body)).statusCode).toBe(200);
    const ids: string[] = [];
    for (const task of tasks) {
      const res = await call('POST', task.expected_response ? '/v1/evaluation_tasks/categorization' : '/v1/task/categorization', requester, { project: body.name, attachments: [{ type: 'text', content: 'x' }], ...task });
      expect(res.statusCode, res.body).toBe(200);
      ids.push(res.json().task_id);
    }
    return { name: body.name as string, ids };
  }
  const claimRes = (name: string, worker: Actor) => call('POST', `/v1/work/projects/${name}/claim`, worker);
  async function claimOk(name: string, worker: Actor) {
    const res = await claimRes(name, worker);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().assignment as { id: string; task: { id: string; params: Record<string, unknown>; attachments: unknown[] }; lease_expires_at: string; shown: Record<string, unknown> };
  }
  const submit = (id: string, worker: Actor, response: unknown) => call('POST', `/v1/work/assignments/${id}/submit`, worker, { response });
  const task = async (id: string) => (await call('GET', `/v1/task/${id}`, requester)).json();

  it('hands a task to as many workers as it needs answers, never twice to one, then 204', async () => {
    const p = await project({ overlap: { min: 3 } }, [{}]);
    const workers = await Promise.all([0, 1, 2, 3].map(() => makeActor(t, 'worker')));
    const got = [];
    for (const w of workers.slice(0, 3)) got.push(await claimOk(p.name, w));
    expect(got.map((a) => a.task.id)).toEqual([p.ids[0], p.ids[0], p.ids[0]]);
    expect((await claimRes(p.name, workers[3])).statusCode).toBe(204);
    expect((await claimRes(p.name, workers[0])).statusCode).toBe(204);
    expect((await task(p.ids[0])).sub_status).toBe('in_progress');
  });

  it('gives one worker claiming many times at once (tabs, a double click) a different task each time, never an error', async () => {
    const p = await project({ overlap: { min: 3 } }, Array.from({ length: 60 }, (_, i) => ({ unique_id: `at-once-${i}` })));
    const workers = await Promise.all([0, 1, 2, 3].map(() => makeActor(t, 'worker')));
    // Rounds of four workers with five claims each in flight, the answers submitted between rounds. On
    // PostgreSQL a claim whose statement began before another claim of the same worker committed does not
    // see that claim's assignment, and may reach the same task once it is no longer locked.
    for (let round = 0; round < 8; round++) {
      const replies = await Promise.all(workers.flatMap((w) => Array.from({ length: 5 }, async () => ({ w, res: await claimRes(p.name, w) }))));
      for (const { res } of replies) expect(res.statusCode, res.body).toBe(200);
      for (const w of workers) expect(new Set(replies.filter((r) => r.w === w).map((r) => r.res.json().assignment.task.id)).size).toBe(5);
      for (const { w, res } of replies) expect((await submit(res.json().assignment.id, w, { category: 'cat' })).statusCode).toBe(200);
    }
  });

  it('orders work by priority, then the task closest to completion, then the oldest', async () => {
    const p = await project({ overlap: { min: 2 } }, [{ unique_id: 'old' }, { unique_id: 'new' }, { unique_id: 'urgent', priority: 10 }]);
    const [w1, w2, w3] = await Promise.all([0, 1, 2].map(() => makeActor(t, 'worker')));
    const first = await claimOk(p.name, w1);
    expect(first.task.id).toBe(p.ids[2]);
    await submit(first.id, w1, { category: 'cat' });
    // w1 has held "urgent"; the oldest open task comes next for w1.
    const second = await claimOk(p.name, w1);
    expect(second.task.id).toBe(p.ids[0]);
    await submit(second.id, w1, { category: 'cat' });
    // For w2, "urgent" still leads on priority; after it, "old" (one answer in) beats "new" (none).
    expect((await claimOk(p.name, w2)).task.id).toBe(p.ids[2]);
    expect((await claimOk(p.name, w2)).task.id).toBe(p.ids[0]);
    expect((await claimOk(p.name, w3)).task.id).toBe(p.ids[1]);
  });

  it('completes a task when it has its answers, and it leaves the queue', async () => {
    const p = await project({ overlap: { min: 2 } }, [{}]);
    const [w1, w2, w3] = await Promise.all([0, 1, 2].map(() => makeActor(t, 'worker')));
    const a1 = await claimOk(p.name, w1);
    const a2 = await claimOk(p.name, w2);
    expect((await submit(a1.id, w1, { category: 'dog' })).json()).toEqual({ ok: true });
    expect((await task(p.ids[0])).status).toBe('pending');
    await submit(a2.id, w2, { category: 'dog' });
    const done = await task(p.ids[0]);
    expect(done.status).toBe('completed');
    expect(done.completed_at).not.toBeNull();
    expect((await claimRes(p.name, w3)).statusCode).toBe(204);
    expect((await call('GET', `/v1/projects/${p.name}`, requester)).json().task_counts).toMatchObject({ pending: 0, completed: 1 });
  });

  it('completes a task with every answer when its last two answers arrive together', async () => {
    // On PostgreSQL both submits start while the task is held elsewhere, so the second one locks the task
    // only after the first has committed an answer that its statement's snapshot (taken before) lacks:
    // whatever decides the task must still count that answer.
    const p = await project({ overlap: { min: 2, max: 2 } }, [{}]);
    const [w1, w2] = await Promise.all([0, 1].map(() => makeActor(t, 'worker')));
    const a1 = await claimOk(p.name, w1);
    const a2 = await claimOk(p.name, w2);
    let submits: Array<Promise<{ statusCode: number; body: string }>> = [];
    const both = () => [submit(a1.id, w1, { category: 'dog' }), submit(a2.id, w2, { category: 'dog' })];
    if (dialect === 'postgres') {
      await t.database.db.transaction().execute(async (trx) => {
        await sql`SELECT id FROM tasks WHERE id = ${Number(p.ids[0])} FOR UPDATE`.execute(trx);
        submits = both();
        for (let waiting = 0, tries = 0; waiting < 2; tries++) {
          if (tries === 500) throw new Error('the two submits never waited for the task lock');
          await new Promise((r) => setTimeout(r, 10));
          const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(t.database.db);
          waiting = rows[0].n;
        }
      });
    } else submits = both();
    for (const res of await Promise.all(submits)) expect(res.statusCode, res.body).toBe(200);
    const done = await task(p.ids[0]);
    expect(done.status).toBe('completed');
    expect(done.result).toMatchObject({ answer: { category: 'dog' }, n_answers: 2 });
  });

  it('makes submit idempotent: a retry returns the same result and stores one answer', async () => {
    const p = await project({ overlap: { min: 2 } }, [{}]);
    const w = await makeActor(t, 'worker');
    const a = await claimOk(p.name, w);
    const first = await submit(a.id, w, { category: 'bird' });
    const retry = await submit(a.id, w, { category: 'bird' });
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toEqual(first.json());
    const rows = await t.database.db.selectFrom('assignments').selectAll().where('task_id', '=', Number(p.ids[0])).execute();
    expect(rows.filter((r) => r.status === 'submitted')).toHaveLength(1);
    expect((await t.database.db.selectFrom('tasks').select('answers_count').where('id', '=', Number(p.ids[0])).executeTakeFirstOrThrow()).answers_count).toBe(1);
  });

  it('frees an expired lease for others, records the expiry, and refuses the late submit', async () => {
    const p = await project({ lease_seconds: 60 }, [{}]);
    const [w1, w2] = await Promise.all([0, 1].map(() => makeActor(t, 'worker')));
    const a = await claimOk(p.name, w1);
    expect((await claimRes(p.name, w2)).statusCode).toBe(204);
    t.clock.advance(61_000);
    const b = await claimOk(p.name, w2);
    expect(b.task.id).toBe(a.task.id);
    const late = await submit(a.id, w1, { category: 'cat' });
    expect([late.statusCode, late.json().code]).toEqual([409, 'lease_expired']);
    const row = await t.database.db.selectFrom('assignments').selectAll().where('id', '=', Number(a.id)).executeTakeFirstOrThrow();
    expect(row.status).toBe('expired');
    expect(row.active_ms + row.short_idle_ms + row.long_idle_ms).toBe((row.ended_at as number) - row.claimed_at);
    expect((await submit(b.id, w2, { category: 'cat' })).statusCode).toBe(200);
  });

  it('extends the lease on heartbeat and keeps time that adds up', async () => {
    const p = await project({ lease_seconds: 60, idle_grace_seconds: 60 }, [{}]);
    const w = await makeActor(t, 'worker');
    const a = await claimOk(p.name, w);
    for (let i = 0; i < 4; i++) {
      t.clock.advance(15_000);
      const hb = await call('POST', `/v1/work/assignments/${a.id}/heartbeat`, w, { visible: true, input_active: i < 2 });
      expect(new Date(hb.json().lease_expires_at).getTime()).toBe(t.clock() + 60_000);
    }
    t.clock.advance(50_000);
    expect((await submit(a.id, w, { category: 'cat' })).statusCode).toBe(200);
    const row = await t.database.db.selectFrom('assignments').selectAll().where('id', '=', Number(a.id)).executeTakeFirstOrThrow();
    expect(row.active_ms).toBe(30_000 + 30_000);
    expect(row.short_idle_ms).toBe(30_000 + 20_000);
    expect(row.active_ms + row.short_idle_ms + row.long_idle_ms).toBe(110_000);
    const after = await call('POST', `/v1/work/assignments/${a.id}/heartbeat`, w, { visible: true, input_active: true });
    expect([after.statusCode, after.json().code]).toEqual([409, 'assignment_not_active']);
  });

  it("extends the lease by the project's lease length as it stands at each heartbeat", async () => {
    const p = await project({ lease_seconds: 60 }, [{}]);
    const w = await makeActor(t, 'worker');
    const a = await claimOk(p.name, w);
    expect((await call('POST', `/v1/projects/${p.name}/setParams`, requester, { lease_seconds: 900 })).statusCode).toBe(200);
    t.clock.advance(10_000);
    const hb = await call('POST', `/v1/work/assignments/${a.id}/heartbeat`, w, { visible: true, input_active: true });
    expect(hb.statusCode, hb.body).toBe(200);
    expect(new Date(hb.json().lease_expires_at).getTime()).toBe(t.clock() + 900_000);
  });

  it('never offers a skipped task to the same worker again, but frees it for others', async () => {
    const p = await project({}, [{}]);
    const [w1, w2] = await Promise.all([0, 1].map(() => makeActor(t, 'worker')));
    const a = await claimOk(p.name, w1);
    expect((await call('POST', `/v1/work/assignments/${a.id}/skip`, w1, { reason: 'unreadable' })).json()).toEqual({ ok: true });
    expect((await claimRes(p.name, w1)).statusCode).toBe(204);
    expect((await claimOk(p.name, w2)).task.id).toBe(a.task.id);
  });

  it('refuses answers that do not fit the type, with the schema path', async () => {
    const p = await project({}, [{}]);
    const w = await makeActor(t, 'worker');
    const a = await claimOk(p.name, w);
    for (const response of [{ category: 'whale' }, { categories: ['cat'] }, 'cat', null]) {
      const res = await submit(a.id, w, response);
      expect([res.statusCode, res.json().code]).toEqual([422, 'invalid_response']);
      expect(res.json().error.details.schema_path).toMatch(/^#/);
    }
    expect((await submit(a.id, w, { category: 'cat' })).statusCode).toBe(200);
  });

  it("answers 404 for someone else's assignment and unknown ids", async () => {
    const p = await project({}, [{}]);
    const [w1, w2] = await Promise.all([0, 1].map(() => makeActor(t, 'worker')));
    const a = await claimOk(p.name, w1);
    for (const path of ['submit', 'heartbeat', 'skip']) {
      const payload = path === 'submit' ? { response: { category: 'cat' } } : path === 'heartbeat' ? { visible: true, input_active: true } : {};
      const res = await call('POST', `/v1/work/assignments/${a.id}/${path}`, w2, payload);
      expect([res.statusCode, res.json().code]).toEqual([404, 'assignment_not_found']);
    }
    expect((await submit('99999999', w1, { category: 'cat' })).json().code).toBe('assignment_not_found');
    expect((await submit('abc', w1, { category: 'cat' })).json().code).toBe('assignment_not_found');
    const bad = await call('POST', `/v1/work/assignments/${a.id}/heartbeat`, w1, { visible: 'yes' });
    expect(bad.statusCode).toBe(400);
  });

  it('stops handing out work the moment a project is paused, also in the millisecond it was last read', async () => {
    const p = await project({}, [{}, {}, {}]);
    const [w1, w2] = await Promise.all([0, 1].map(() => makeActor(t, 'worker')));
    await claimOk(p.name, w1); // this node has now read the project
    // The test clock stands still: the pause lands in the same millisecond as that read.
    expect((await call('POST', `/v1/projects/${p.name}/setParams`, requester, { status: 'paused' })).statusCode).toBe(200);
    expect((await claimRes(p.name, w2)).json().code).toBe('project_paused');
    expect((await call('POST', `/v1/projects/${p.name}/setParams`, requester, { status: 'active' })).statusCode).toBe(200);
    await claimOk(p.name, w2);
  });

  it("applies another node's change to a project on this node's next claim", async () => {
    const p = await project({ lease_seconds: 600 }, [{}, {}, {}]);
    const [w1, w2, w3] = await Promise.all([0, 1, 2].map(() => makeActor(t, 'worker')));
    await claimOk(p.name, w1);
    // Another node saves the project: the same repository call, behind this node's back.
    const saved = (await findProjectByName(t.database.db, p.name)) as Project;
    const { id: _id, createdAt: _c, updatedAt: _u, ...values } = saved;
    await updateProjectRow(t.database.db, saved.id, { ...values, leaseSeconds: 120 }, t.clock());
    const lease = await claimOk(p.name, w2);
    expect(Date.parse(lease.lease_expires_at) - t.clock()).toBe(120_000);
    await updateProjectRow(t.database.db, saved.id, { ...values, leaseSeconds: 120, status: 'paused' }, t.clock());
    expect((await claimRes(p.name, w3)).json().code).toBe('project_paused');
  });

  it('refuses claims on paused and unknown projects and from workers without the language or skill', async () => {
    const paused = await project({ status: 'paused' }, [{}]);
    const w = await makeActor(t, 'worker', { languages: ['en'] });
    expect((await claimRes(paused.name, w)).json().code).toBe('project_paused');
    expect((await claimRes('no-such-project', w)).json().code).toBe('project_not_found');
    const japanese = await project({ languages: ['ja'] }, [{}]);
    const res = await claimRes(japanese.name, w);
    expect([res.statusCode, res.json().code]).toEqual([403, 'not_eligible']);
    const reader = await makeActor(t, 'worker', { languages: ['ja', 'en'] });
    expect((await claimRes(japanese.name, reader)).statusCode).toBe(200);
    const skilled = await project({ required_skills: ['medical'] }, [{}]);
    expect((await claimRes(skilled.name, w)).json().code).toBe('not_eligible');
    const admin = await makeActor(t, 'admin');
    await call('POST', '/v1/users', admin, {});
    await t.app.inject({ method: 'PATCH', url: `/v1/users/${w.user.id}`, headers: admin.auth, payload: { skills: ['medical'] } });
    expect((await claimRes(skilled.name, w)).statusCode).toBe(200);
    const listed = (await call('GET', '/v1/work/projects', reader)).json().docs.map((d: { name: string }) => d.name);
    expect(listed).toContain(japanese.name);
    expect(listed).not.toContain(paused.name);
    expect(listed).not.toContain(skilled.name);
  });

  it('stops at the per-worker cap', async () => {
    const p = await project({ per_worker_cap: 2 }, [{}, {}, {}]);
    const w = await makeActor(t, 'worker');
    await claimOk(p.name, w);
    await claimOk(p.name, w);
    expect((await claimRes(p.name, w)).statusCode).toBe(204);
  });

  it('keeps tasks from test keys away from workers', async () => {
    const p = await project({}, []);
    const testKey = (await call('POST', '/v1/api_keys', requester, { test: true })).json().key;
    await t.app.inject({ method: 'POST', url: '/v1/task/categorization', headers: { authorization: `Bearer ${testKey}` }, payload: { project: p.name, attachments: [] } });
    expect((await claimRes(p.name, await makeActor(t, 'worker'))).statusCode).toBe(204);
  });

  it('mixes in gold at the gold rate, never twice, never revealing it before submit', async () => {
    const p = await project({ gold_rate: 1 }, [{ attachments: [{ type: 'text', content: 'regular' }] }, { attachments: [{ type: 'text', content: 'regular' }], expected_response: { category: 'dog' }, explanation: 'It says woof.' }]);
    const w = await makeActor(t, 'worker');
    const res = await claimRes(p.name, w);
    const text = res.body;
    for (const leak of ['expected', 'explanation', 'woof', 'gold']) expect(text).not.toContain(leak);
    const a = res.json().assignment;
    expect(a.task.id).toBe(p.ids[1]);
    expect(Object.keys(a.task).sort()).toEqual(['attachments', 'id', 'instruction', 'params', 'type']);
    const fb = (await submit(a.id, w, { category: 'cat' })).json();
    expect(fb.feedback).toEqual({ correct: false, score: 0, expected_response: { category: 'dog' }, explanation: 'It says woof.' });
    const next = await claimOk(p.name, w);
    expect(next.task.id).toBe(p.ids[0]);
    expect((await submit(next.id, w, { category: 'cat' })).json().feedback).toBeUndefined();
    expect((await claimRes(p.name, w)).statusCode).toBe(204);
    expect((await task(p.ids[1])).status).toBe('pending');
  });

  it('offers every gold task to a worker once, including one held back while the worker went past it', async () => {
    // Gold comes in id order from after the last one the worker took; one that was not open when the
    // worker passed it (here: in a batch still being filled) must still reach them once it opens.
    const p = await project({ gold_rate: 1 }, [{ unique_id: 'regular' }, { unique_id: 'g1', expected_response: { category: 'dog' } }]);
    const batch = `late-gold-${p.name}`;
    expect((await call('POST', '/v1/batches', requester, { project: p.name, name: batch })).statusCode).toBe(200);
    const gold = async (unique_id: string, extra: Record<string, unknown> = {}) => {
      const res = await call('POST', '/v1/evaluation_tasks/categorization', requester, { project: p.name, unique_id, attachments: [], expected_response: { category: 'dog' }, ...extra });
      expect(res.statusCode, res.body).toBe(200);
      return res.json().task_id as string;
    };
    const g2 = await gold('g2', { batch });
    const g3 = await gold('g3');
    const g4 = await gold('g4');
    const w = await makeActor(t, 'worker');
    const next = async () => {
      const a = await claimOk(p.name, w);
      expect((await submit(a.id, w, { category: 'dog' })).statusCode).toBe(200);
      return a.task.id;
    };
    expect([await next(), await next()]).toEqual([p.ids[1], g3]);
    expect((await call('POST', `/v1/batches/${batch}/finalize`, requester)).statusCode).toBe(200);
    expect([await next(), await next(), await next()]).toEqual([g4, g2, p.ids[0]]);
    expect((await claimRes(p.name, w)).statusCode).toBe(204);
    // Another worker, with nothing held back, takes the gold tasks in id order.
    const other = await makeActor(t, 'worker');
    const order = [];
    for (let i = 0; i < 4; i++) {
      const a = await claimOk(p.name, other);
      order.push(a.task.id);
      expect((await submit(a.id, other, { category: 'dog' })).statusCode).toBe(200);
    }
    expect(order).toEqual([p.ids[1], g2, g3, g4]);
  });

  it('shows the estimate, pay and implied hourly rate before work and stores what was shown', async () => {
    const p = await project({ pay: { currency: 'EUR', piece_rate_minor: 10, estimated_seconds: 20 }, content_warnings: ['violence'] }, [{}]);
    const w = await makeActor(t, 'worker');
    const card = (await call('GET', '/v1/work/projects', w)).json().docs.find((d: { name: string }) => d.name === p.name);
    expect(card).toMatchObject({ estimate: { seconds: 20, pay_minor: 10, hourly_minor: 1800, currency: 'EUR' }, content_warnings: ['violence'], review_deadline_days: 3, available: 1 });
    const a = await claimOk(p.name, w);
    expect(a.shown).toMatchObject({ seconds: 20, pay_minor: 10, hourly_minor: 1800, currency: 'EUR' });
  });

  // A claim does not read the assignment back after inserting it: it makes the row (insertAssignment).
  it('hands back the assignment row exactly as the claim stored it', async () => {
    const p = await project({}, [{}]);
    const worker = await makeActor(t, 'worker');
    const saved = (await findProjectByName(t.database.db, p.name))!;
    const taskId = Number(p.ids[0]);
    const made = await t.database.db.transaction().execute(async (trx) => {
      const row = await insertAssignment(trx, { taskId, projectId: saved.id, workerId: worker.user.id, isGold: false, now: 1_000, leaseMs: 60_000, idleGraceMs: 30_000, shown: '{"seconds":20}' });
      return { row, stored: await trx.selectFrom('assignments').selectAll().where('id', '=', row.id).executeTakeFirst() };
    });
    expect(made.row).toEqual(made.stored);
    expect(made.row).toMatchObject({ task_id: taskId, worker_id: worker.user.id, status: 'active', lease_expires_at: 61_000 });
    expect((await findTask(t.database.db, taskId))?.active_count).toBe(1);
  });

  // A submit does not read the task back after counting its answer: it computes the row (taskAfterEnd).
  it('leaves the task row exactly as the submit computes it, after a submit and a skip', async () => {
    const p = await project({ overlap: { min: 3 } }, [{}]);
    const workers = await Promise.all([0, 1, 2].map(() => makeActor(t, 'worker')));
    const held: Array<Awaited<ReturnType<typeof claimOk>>> = [];
    for (const w of workers) held.push(await claimOk(p.name, w));
    const row = async () => (await findTask(t.database.db, Number(p.ids[0])))!;
    const ends: Array<[() => Promise<{ statusCode: number }>, 'submitted' | 'skipped']> = [
      [() => submit(held[0].id, workers[0], { category: 'cat' }), 'submitted'],
      [() => call('POST', `/v1/work/assignments/${held[1].id}/skip`, workers[1], {}), 'skipped'],
    ];
    for (const [end, status] of ends) {
      t.clock.advance(1_000);
      const before = await row();
      expect((await end()).statusCode).toBe(200);
      const after = await row();
      expect(after).toEqual(taskAfterEnd(before, { status, at: t.clock(), time: { activeMs: 0, shortIdleMs: 0, longIdleMs: 0, idleStreakMs: 0, lastSignalAt: 0, idleGraceMs: 0 } }, t.clock()));
      expect(after.updated_at).toBe(t.clock());
    }
    expect(await row()).toMatchObject({ active_count: 1, answers_count: 1, sub_status: 'in_progress' });
  });

  it('judges and pays a submit by the project and rate card as they stand, also when another node changed both since', async () => {
    const p = await project({ overlap: { min: 3 }, pay: { currency: 'USD', piece_rate_minor: 10, estimated_seconds: 20 } }, [{}]);
    const workers = await Promise.all([0, 1, 2].map(() => makeActor(t, 'worker')));
    // Two answers first: this node has now read the project and its rate card.
    for (const w of workers.slice(0, 2)) expect((await submit((await claimOk(p.name, w)).id, w, { category: 'cat' })).statusCode).toBe(200);
    const late = await claimOk(p.name, workers[2]);
    // While that task is held, another node saves the project (a new category, a higher rate) and writes
    // the new rate card, the same repository calls, behind this node's back.
    const saved = (await findProjectByName(t.database.db, p.name)) as Project;
    const { id: _id, createdAt: _c, updatedAt: _u, ...values } = saved;
    t.clock.advance(1_000);
    await updateProjectRow(t.database.db, saved.id, { ...values, params: { categories: ['cat', 'dog', 'bird', 'fish'] }, pay: { ...values.pay, piece_rate_minor: 15 } }, t.clock());
    await appendCard(ledgerDb(t.database.db), saved.id, { kind: 'piece', currency: 'USD', pieceRateMinor: 15, hourlyMinor: 0, paidCategories: ['active'] }, { now: t.clock(), reason: 'project_pay_changed', createdBy: null });
    t.clock.advance(1_000);
    const res = await submit(late.id, workers[2], { category: 'fish' });
    expect(res.statusCode, res.body).toBe(200);
    // The submit found the new card current (it wrote no version of its own), and paid the time under the
    // card in effect when the task was claimed, the first (a raise applies to work claimed after it).
    const cards = await sql<{ id: number; version: number }>`SELECT id, version FROM rate_cards WHERE project_id = ${saved.id} ORDER BY version`.execute(t.database.db);
    expect(cards.rows.map((r) => r.version)).toEqual([1, 2]);
    const { rows } = await sql<{ rate_card_id: number }>`SELECT rate_card_id FROM time_segments WHERE assignment_id = ${Number(late.id)}`.execute(t.database.db);
    expect(rows.map((r) => r.rate_card_id)).toEqual([cards.rows[0].id]);
  });

  it('cannot cancel a task once work started', async () => {
    const p = await project({}, [{}]);
    await claimOk(p.name, await makeActor(t, 'worker'));
    const res = await call('POST', `/v1/task/${p.ids[0]}/cancel`, requester, {});
    expect([res.statusCode, res.json().code]).toEqual([409, 'task_not_cancelable']);
  });
});
