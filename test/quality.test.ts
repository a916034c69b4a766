import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findProjectByName } from '../src/modules/projects/index.ts';
import { reestimateProject } from '../src/modules/quality/index.ts';
import { type Actor, buildProject, dialects, makeActor, makeWorkers, startTestApp, type TestApp } from './helpers/harness.ts';

describe.each(dialects)('quality in the loop on %s', (dialect) => {
  let t: TestApp;
  let requester: Actor;
  let workers: Actor[];
  beforeAll(async () => {
    t = await startTestApp(dialect);
    requester = await makeActor(t, 'requester');
    workers = await makeWorkers(t, 8);
  });
  afterAll(() => t.close());

  const call = (method: 'GET' | 'POST', url: string, actor: Actor, payload?: unknown) =>
    t.app.inject({ method, url, headers: actor.auth, ...(payload !== undefined && { payload: payload as object }) });

  async function project(overrides: Record<string, unknown>, tasks: Record<string, unknown>[]) {
    const body = buildProject(overrides);
    expect((await call('POST', '/v1/projects', requester, body)).statusCode).toBe(200);
    const ids: string[] = [];
    for (const task of tasks) {
      const url = task.expected_response ? '/v1/evaluation_tasks/categorization' : '/v1/task/categorization';
      ids.push((await call('POST', url, requester, { project: body.name, attachments: [{ type: 'text', content: 'x' }], ...task })).json().task_id);
    }
    return { name: body.name as string, ids };
  }
  async function answer(name: string, worker: Actor, category: string) {
    const claim = await call('POST', `/v1/work/projects/${name}/claim`, worker);
    expect(claim.statusCode, claim.body).toBe(200);
    const a = claim.json().assignment;
    const res = await call('POST', `/v1/work/assignments/${a.id}/submit`, worker, { response: { category } });
    expect(res.statusCode, res.body).toBe(200);
    return { assignmentId: a.id as string, taskId: a.task.id as string, feedback: res.json().feedback };
  }
  const task = async (id: string) => (await call('GET', `/v1/task/${id}`, requester)).json();

  it('gives a completed task its answer, confidence, method, answer count and agreement', async () => {
    const p = await project({ overlap: { min: 3 } }, [{}]);
    for (const w of workers.slice(0, 3)) await answer(p.name, w, 'dog');
    const done = await task(p.ids[0]);
    expect(done.status).toBe('completed');
    expect(done.response.category).toBe('dog');
    expect(done.response.confidence).toBeGreaterThan(0.99);
    expect(done.result).toMatchObject({ answer: { category: 'dog' }, method: 'skill_posterior', n_answers: 3, agreement: 1, decided_by: { kind: 'aggregation' } });
  });

  it('asks for more answers while the leading answer is uncertain, up to overlap max (dynamic overlap)', async () => {
    const p = await project({ overlap: { min: 3, max: 5 }, quality: { target_confidence: 0.95 } }, [{}]);
    await answer(p.name, workers[0], 'dog');
    await answer(p.name, workers[1], 'dog');
    await answer(p.name, workers[2], 'cat');
    let now = await task(p.ids[0]);
    expect(now.status).toBe('pending');
    expect(now.responses_required).toBe(4);
    expect(now.result.confidence).toBeLessThan(0.95);
    await answer(p.name, workers[3], 'dog');
    now = await task(p.ids[0]);
    expect(now.status).toBe('completed');
    expect(now.result).toMatchObject({ answer: { category: 'dog' }, n_answers: 4, agreement: 0.75 });
    expect(now.result.confidence).toBeGreaterThanOrEqual(0.95);
  });

  it('stops at overlap max even when still uncertain', async () => {
    const p = await project({ overlap: { min: 2, max: 3 } }, [{}]);
    await answer(p.name, workers[0], 'dog');
    await answer(p.name, workers[1], 'cat');
    await answer(p.name, workers[2], 'bird');
    const now = await task(p.ids[0]);
    expect(now.status).toBe('completed');
    expect(now.result.n_answers).toBe(3);
    expect(now.result.confidence).toBeLessThan(0.5);
  });

  it('weighs each answer by its worker\'s gold record: one proven worker outvotes two who keep failing gold', async () => {
    const gold = Array.from({ length: 4 }, () => ({ expected_response: { category: 'cat' } }));
    // gold_rate 1: each worker gets every gold item before the one regular task.
    const p = await project({ gold_rate: 1, overlap: { min: 3, max: 3 } }, [...gold, {}]);
    const [proven, ...failing] = await makeWorkers(t, 3);
    for (let i = 0; i < 4; i++) expect((await answer(p.name, proven, 'cat')).feedback.correct).toBe(true);
    for (const w of failing) for (let i = 0; i < 4; i++) expect((await answer(p.name, w, 'bird')).feedback.correct).toBe(false);
    expect((await answer(p.name, proven, 'dog')).taskId).toBe(p.ids[4]);
    for (const w of failing) await answer(p.name, w, 'cat');
    const done = await task(p.ids[4]);
    expect(done.status).toBe('completed');
    // Beta(4, 1) prior: 8/9 for the proven worker, 4/9 for the others. Counted as equals, "cat" would win two to one.
    expect(done.result.answer).toEqual({ category: 'dog' });
    expect(done.result.confidence).toBeGreaterThan(0.5);
  });

  it("updates a worker's gold-based skill and shows it to them with n, mean, interval and the items", async () => {
    const p = await project({ gold_rate: 1 }, [{ expected_response: { category: 'bird' }, explanation: 'Feathers.' }, { expected_response: { category: 'cat' } }]);
    const w = (await makeWorkers(t, 1))[0];
    const first = await answer(p.name, w, 'bird');
    expect(first.feedback).toMatchObject({ correct: true, expected_response: { category: 'bird' } });
    const second = await answer(p.name, w, 'dog');
    expect(second.feedback.correct).toBe(false);
    const mine = (await call('GET', '/v1/work/quality', w)).json().docs.find((d: { project: string }) => d.project === p.name);
    // Prior Beta(4, 1) plus 1 of 2 correct: mean 5/7.
    expect(mine).toMatchObject({ n: 2 });
    expect(mine.mean).toBeCloseTo(5 / 7);
    expect(mine.low).toBeLessThan(mine.mean);
    expect(mine.high).toBeGreaterThan(mine.mean);
    expect(mine.items.map((i: { task_id: string; score: number }) => [i.task_id, i.score])).toEqual([
      [p.ids[0], 1],
      [p.ids[1], 0],
    ]);
  });

  it('quarantines a gold item that good workers keep getting wrong, and recomputes the scores it touched', async () => {
    const good = Array.from({ length: 4 }, () => ({ expected_response: { category: 'cat' } }));
    // The last item's expected answer is a mistake: every careful worker answers "cat".
    const p = await project({ gold_rate: 1 }, [...good, { expected_response: { category: 'dog' } }]);
    const bad = p.ids[4];
    const crowd = await makeWorkers(t, 6);
    const labelAll = async (w: Actor) => {
      for (let i = 0; i < 5; i++) {
        const claim = await call('POST', `/v1/work/projects/${p.name}/claim`, w);
        if (claim.statusCode === 204) return i;
        const a = claim.json().assignment;
        expect((await call('POST', `/v1/work/assignments/${a.id}/submit`, w, { response: { category: 'cat' } })).statusCode).toBe(200);
      }
      return 5;
    };
    // Four good workers disagreeing are too few to judge the item: it stays.
    for (const w of crowd.slice(0, 4)) expect(await labelAll(w)).toBe(5);
    expect((await task(bad)).status).toBe('pending');
    const before = (await call('GET', '/v1/work/quality', crowd[0])).json().docs.find((d: { project: string }) => d.project === p.name);
    expect(before.n).toBe(5);
    // The fifth: all five good workers scored it wrong (100% >= 30%): withdrawn.
    expect(await labelAll(crowd[4])).toBe(5);
    expect(await task(bad)).toMatchObject({ status: 'canceled', sub_status: 'quarantined' });
    for (const w of crowd.slice(0, 5)) {
      const mine = (await call('GET', '/v1/work/quality', w)).json().docs.find((d: { project: string }) => d.project === p.name);
      // Prior Beta(4, 1) plus 4 of 4 correct.
      expect(mine.n).toBe(4);
      expect(mine.mean).toBeCloseTo(8 / 9);
      expect(mine.items.map((i: { task_id: string }) => i.task_id)).not.toContain(bad);
    }
    // Nobody is given the item again.
    expect(await labelAll(crowd[5])).toBe(4);
  });

  it('keeps a gold item while fewer than 30% of the good workers who answered it got it wrong', async () => {
    const good = Array.from({ length: 4 }, () => ({ expected_response: { category: 'cat' } }));
    const p = await project({ gold_rate: 1 }, [...good, { expected_response: { category: 'dog' } }]);
    const disputedItem = p.ids[4];
    const crowd = await makeWorkers(t, 6);
    // Every worker gets the four sound items right; on the disputed one they answer `onIt`.
    const labelAll = async (w: Actor, onIt: string) => {
      for (let i = 0; i < 5; i++) {
        const a = (await call('POST', `/v1/work/projects/${p.name}/claim`, w)).json().assignment;
        const category = a.task.id === disputedItem ? onIt : 'cat';
        expect((await call('POST', `/v1/work/assignments/${a.id}/submit`, w, { response: { category } })).statusCode).toBe(200);
      }
    };
    // One of five good workers wrong (20%): the item stays.
    await labelAll(crowd[0], 'cat');
    for (const w of crowd.slice(1, 5)) await labelAll(w, 'dog');
    expect((await task(disputedItem)).status).toBe('pending');
    // Two of six (33%): withdrawn.
    await labelAll(crowd[5], 'cat');
    expect(await task(disputedItem)).toMatchObject({ status: 'canceled', sub_status: 'quarantined' });
  });

  it('holds tasks for review, keeps reviewers off their own work, and completes on accept', async () => {
    const p = await project({ overlap: { min: 2 }, review_policy: { mode: 'all' } }, [{}]);
    const reviewer = await makeActor(t, 'reviewer');
    await answer(p.name, workers[0], 'cat');
    await answer(p.name, workers[1], 'cat');
    expect((await task(p.ids[0])).sub_status).toBe('in_review');
    const queue = (await call('GET', `/v1/review/queue?project=${p.name}`, reviewer)).json();
    expect(queue.docs.map((d: { task_id: string }) => d.task_id)).toEqual([p.ids[0]]);
    expect(queue.docs[0].answers).toHaveLength(2);
    const selfReview = await call('POST', `/v1/review/tasks/${p.ids[0]}`, { ...workers[0], user: { ...workers[0].user, role: 'reviewer' } }, { action: 'accept' });
    expect(selfReview.statusCode).toBe(403);
    const accepted = await call('POST', `/v1/review/tasks/${p.ids[0]}`, reviewer, { action: 'accept' });
    expect(accepted.json()).toMatchObject({ status: 'completed', result: { answer: { category: 'cat' }, decided_by: { kind: 'reviewer', user_id: reviewer.user.id } } });
    expect((await call('POST', `/v1/review/tasks/${p.ids[0]}`, reviewer, { action: 'accept' })).json().code).toBe('task_not_in_review');
  });

  it("never lets a reviewer decide on a task they answered", async () => {
    const p = await project({ overlap: { min: 1 }, review_policy: { mode: 'all' } }, [{}]);
    const reviewer = await makeActor(t, 'reviewer');
    await answer(p.name, reviewer, 'cat');
    expect((await call('GET', `/v1/review/queue?project=${p.name}`, reviewer)).json().docs).toEqual([]);
    const res = await call('POST', `/v1/review/tasks/${p.ids[0]}`, reviewer, { action: 'accept' });
    expect([res.statusCode, res.json().code]).toEqual([403, 'own_work']);
  });

  it('makes the reviewer answer the result on fix', async () => {
    const p = await project({ overlap: { min: 1 }, review_policy: { mode: 'all' } }, [{}]);
    const reviewer = await makeActor(t, 'reviewer');
    await answer(p.name, workers[4], 'cat');
    expect((await call('POST', `/v1/review/tasks/${p.ids[0]}`, reviewer, { action: 'fix', response: { category: 'whale' } })).json().code).toBe('invalid_response');
    const fixed = await call('POST', `/v1/review/tasks/${p.ids[0]}`, reviewer, { action: 'fix', response: { category: 'bird' } });
    expect(fixed.json()).toMatchObject({ status: 'completed', result: { answer: { category: 'bird' }, method: 'review_fix', decided_by: { kind: 'reviewer' } } });
    expect((await task(p.ids[0])).response.category).toBe('bird');
  });

  it('needs a reason code, 20 characters and evidence to reject, then asks another worker', async () => {
    const p = await project({ overlap: { min: 1 }, review_policy: { mode: 'all' } }, [{}]);
    const reviewer = await makeActor(t, 'reviewer');
    const a = await answer(p.name, workers[5], 'cat');
    const base = { action: 'reject', assignment_id: a.assignmentId };
    for (const [body, code] of [
      [{ ...base }, 'reason_required'],
      [{ ...base, reason_code: 'wrong_answer', text: 'too short' }, 'reason_required'],
      [{ ...base, reason_code: 'made_up', text: 'The image clearly shows a bird, not a cat.' }, 'reason_required'],
      [{ ...base, reason_code: 'wrong_answer', text: 'The image clearly shows a bird, not a cat.' }, 'evidence_required'],
    ] as const) {
      const res = await call('POST', `/v1/review/tasks/${p.ids[0]}`, reviewer, body);
      expect([res.statusCode, res.json().code]).toEqual([422, code]);
    }
    const ok = await call('POST', `/v1/review/tasks/${p.ids[0]}`, reviewer, { ...base, reason_code: 'wrong_answer', text: 'The image clearly shows a bird, not a cat.', evidence: { instruction_criterion: 'Label the animal in the picture' } });
    expect(ok.json()).toMatchObject({ status: 'pending', sub_status: 'redo' });
    const next = await answer(p.name, workers[6], 'bird');
    expect(next.taskId).toBe(p.ids[0]);
    expect((await task(p.ids[0])).sub_status).toBe('in_review');
    const decisions = await t.database.db.selectFrom('review_decisions').selectAll().where('task_id', '=', Number(p.ids[0])).execute();
    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({ action: 'reject', reason_code: 'wrong_answer', reviewer_id: reviewer.user.id });
  });

  it('re-estimates a project with Dawid-Skene and reports workers and agreement', async () => {
    const p = await project({ overlap: { min: 3 } }, [{}, {}, {}, {}]);
    const labels = ['cat', 'dog', 'bird', 'cat'];
    for (let i = 0; i < 4; i++) {
      for (const [j, w] of workers.slice(0, 3).entries()) {
        // Worker 2 always answers "bird": a spammer the fit should find.
        await answer(p.name, w, j === 2 ? 'bird' : labels[i]);
      }
    }
    const stored = await findProjectByName(t.database.db, p.name);
    const fit = await reestimateProject(t.database, stored!, t.clock());
    expect(fit.answers).toBe(12);
    const report = (await call('GET', `/v1/projects/${p.name}/quality`, requester)).json();
    const skills = new Map(report.workers.map((w: { worker_id: number; fitted_accuracy: number }) => [w.worker_id, w.fitted_accuracy]));
    expect(skills.get(workers[2].user.id)).toBeLessThan(skills.get(workers[0].user.id) as number);
    expect(report.agreement.by_day.length).toBeGreaterThan(0);
    expect(report.agreement.by_day[0].answers).toBe(12);
  });
});
