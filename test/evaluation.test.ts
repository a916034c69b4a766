import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRandom, evaluationRoutes, SAMPLE_MODELS, sampleItems, simulateChoice } from '../src/modules/evaluation/index.ts';
import { buildApp } from '../src/server/app.ts';
import { type Actor, type Dialect, dialects, makeActor, makeWorkers, openTestDatabase, testClock, testConfig, type TestApp, unique } from './helpers/harness.ts';

/**
 * startTestApp, plus the evaluation routes when the app does not register them itself yet (they
 * are registered in src/server/app.ts; the guard keeps this file working either way).
 */
async function startEvalApp(dialect: Dialect): Promise<TestApp> {
  const database = await openTestDatabase(dialect);
  const config = testConfig();
  const clock = testClock();
  const app = await buildApp({ config, database, clock, webRoot: join(tmpdir(), 'no-web') });
  if (!app.hasRoute({ method: 'GET', url: '/v1/evals/:project/leaderboard' })) await app.register(evaluationRoutes);
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

const KNOWN_ORDER = SAMPLE_MODELS.map((m) => m.model);

type Claimed = { id: string; task: { id: string; params: Record<string, unknown> } };

describe.each(dialects)('evaluations on %s', (dialect) => {
  let t: TestApp;
  let requester: Actor;
  let workers: Actor[];
  beforeAll(async () => {
    t = await startEvalApp(dialect);
    requester = await makeActor(t, 'requester');
    workers = await makeWorkers(t, 4);
  });
  afterAll(() => t.close());

  const call = (method: 'GET' | 'POST', url: string, actor: Actor, payload?: unknown) =>
    t.app.inject({ method, url, headers: actor.auth, ...(payload !== undefined && { payload: payload as object }) });

  async function project(type: string, overrides: Record<string, unknown> = {}) {
    const name = unique(type);
    const res = await call('POST', '/v1/projects', requester, { name, type, params: {}, ...overrides });
    expect(res.statusCode, res.body).toBe(200);
    return name;
  }

  async function createTask(type: string, body: Record<string, unknown>) {
    const res = await call('POST', `/v1/task/${type}`, requester, body);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().task_id as string;
  }

  /** Has the workers claim and answer until the project has nothing left for them. */
  async function workThrough(name: string, answer: (task: Claimed['task']) => Record<string, unknown>, who: Actor[] = workers) {
    let answered = 0;
    const idle = new Set<number>();
    for (let w = 0; idle.size < who.length; w = (w + 1) % who.length) {
      if (idle.has(w)) continue;
      const claim = await call('POST', `/v1/work/projects/${name}/claim`, who[w]);
      if (claim.statusCode === 204) {
        idle.add(w);
        continue;
      }
      expect(claim.statusCode, claim.body).toBe(200);
      const a = claim.json().assignment as Claimed;
      // Workers judge blind: no model names reach them.
      for (const r of (a.task.params.responses as Record<string, unknown>[] | undefined) ?? []) expect(r.model).toBeUndefined();
      // The simulated judge perceives quality, which in the sample is tied to the model: it looks
      // the authors up on the requester's side.
      const authored = (await call('GET', `/v1/task/${a.task.id}`, requester)).json();
      const res = await call('POST', `/v1/work/assignments/${a.id}/submit`, who[w], { response: answer({ ...a.task, params: authored.params }) });
      expect(res.statusCode, res.body).toBe(200);
      answered++;
    }
    return answered;
  }

  /** FNV-1a: a 32-bit seed from text. */
  const seedOf = (text: string) => {
    let h = 0x811c9dc5;
    for (let k = 0; k < text.length; k++) h = Math.imul(h ^ text.charCodeAt(k), 0x01000193);
    return h >>> 0;
  };

  /**
   * A simulated judge that picks by the sample models' true strengths and shows the responses in a
   * random order. Its randomness is seeded by the task's content, not by the order tasks are
   * claimed, so the votes (and the test) are the same on every database and claim order.
   */
  function judge(task: Claimed['task']) {
    const [a, b] = task.params.responses as Array<{ id: string; model: string }>;
    const [first, second] = [a, b].sort((x, y) => (x.model < y.model ? -1 : 1));
    const random = createRandom(seedOf(`${JSON.stringify(task.params.prompt)}|${first.model}|${second.model}`));
    const choice = simulateChoice(first.model, second.model, random);
    return { winner: choice === 'a' ? first.id : choice === 'b' ? second.id : 'tie', display_order: random() < 0.5 ? [a.id, b.id] : [b.id, a.id] };
  }

  const leaderboard = (name: string, query = '', actor = requester) => call('GET', `/v1/evals/${name}/leaderboard/report${query}`, actor);

  it('recovers the known order of the sample models from votes cast through the work API', async () => {
    const name = await project('comparison');
    const created = await call('POST', `/v1/evals/${name}/pairs`, requester, { items: sampleItems(), design: 'all', seed: 5 });
    expect(created.statusCode, created.body).toBe(200);
    expect(created.json()).toMatchObject({ design: 'all', pairs: 360, inserted: 360, failed: 0 });

    // Over random seeds, 360 such votes (36 per model pair, 10% ties) give the exact true order of
    // all five models about 95% of the time; the content-seeded judge makes this run one fixed draw.
    expect(await workThrough(name, judge)).toBe(360);

    const res = await leaderboard(name, '?bootstrap=300&seed=3');
    expect(res.statusCode, res.body).toBe(200);
    const board = res.json();
    expect(board).toMatchObject({ project: name, method: 'bt', votes: 360, vote_source: 'answers' });
    expect(board.models.map((m: { model: string }) => m.model)).toEqual(KNOWN_ORDER);
    // API.md's contract: the bare list of models.
    const list = (await call('GET', `/v1/evals/${name}/leaderboard?bootstrap=300&seed=3`, requester)).json();
    expect(list.map((m: { model: string }) => m.model)).toEqual(KNOWN_ORDER);
    expect(Object.keys(list[0])).toEqual(expect.arrayContaining(['model', 'rating', 'ci_low', 'ci_high', 'rank', 'battles', 'win_rate']));
    expect(board.models[0].rank).toBe(1);
    expect(board.models.reduce((s: number, m: { battles: number }) => s + m.battles, 0)).toBe(720);
    const mean = board.models.reduce((s: number, m: { rating: number }) => s + m.rating, 0) / 5;
    expect(mean).toBeCloseTo(1000, 0);
    for (const m of board.models) {
      expect(m.ci_low).toBeLessThanOrEqual(m.rating);
      expect(m.ci_high).toBeGreaterThanOrEqual(m.rating);
      expect(m.rank_range[0]).toBe(m.rank);
    }
    // The strongest and weakest are 400 points apart in truth: their intervals cannot touch.
    expect(board.models[0].ci_low).toBeGreaterThan(board.models[4].ci_high);
    expect(board.win_matrix['lumen-large']['sprout-nano']).toBeGreaterThan(0.75);

    // The same seed gives the same board.
    expect((await leaderboard(name, '?bootstrap=300&seed=3')).json()).toEqual(board);

    // One vote per completed task from its stored result: each task had one answer, so the same votes.
    const aggregated = (await leaderboard(name, '?votes=aggregated&bootstrap=0')).json();
    expect(aggregated.votes).toBe(360);
    expect(aggregated.models.map((m: { model: string }) => m.model)).toEqual(KNOWN_ORDER);

    const elo = (await leaderboard(name, '?method=elo&bootstrap=50')).json();
    expect(elo.method).toBe('elo');
    expect(elo.models[0].model).toBe('lumen-large');
    expect(elo.models[4].model).toBe('sprout-nano');

    const controlled = (await leaderboard(name, '?length_control=true&bootstrap=50')).json();
    expect(typeof controlled.length_coefficient).toBe('number');
    expect(controlled.models).toHaveLength(5);
  });

  it('answers 404 for an unknown project and for another requester’s project', async () => {
    const name = await project('comparison');
    expect((await leaderboard('no-such-project')).json().code).toBe('project_not_found');
    const other = await makeActor(t, 'requester');
    const res = await leaderboard(name, '', other);
    expect([res.statusCode, res.json().code]).toEqual([404, 'project_not_found']);
    expect((await call('GET', `/v1/evals/${name}/refusal-report`, other)).statusCode).toBe(404);
    // A worker may not read leaderboards at all.
    expect((await leaderboard(name, '', workers[0])).statusCode).toBe(403);
  });

  it('refuses a project that is not a comparison or ranking, with a code saying so', async () => {
    const name = await project('categorization', { params: { categories: ['a', 'b'] } });
    const res = await leaderboard(name);
    expect([400, 422]).toContain(res.statusCode);
    // validation_failed with details.reason until the catalog has unsupported_project_type.
    const body = res.json();
    expect(body.code === 'unsupported_project_type' || body.error.details?.reason === 'unsupported_project_type').toBe(true);
    const report = (await call('GET', `/v1/evals/${name}/refusal-report`, requester)).json();
    expect(report.code === 'unsupported_project_type' || report.error.details?.reason === 'unsupported_project_type').toBe(true);
  });

  it('refuses bad query values with 400', async () => {
    const name = await project('comparison');
    for (const query of ['?bootstrap=10001', '?bootstrap=-1', '?bootstrap=many', '?method=glicko', '?votes=some', '?seed=-2', '?extra=1', '?method=elo&length_control=true']) {
      const res = await leaderboard(name, query);
      expect([res.statusCode, res.json().code], query).toEqual([400, 'validation_failed']);
    }
    const empty = (await leaderboard(name)).json();
    expect(empty).toMatchObject({ votes: 0, models: [], win_matrix: {} });
  });

  it('counts every answer, one vote per completed task, or only reviewed results, as asked', async () => {
    const name = await project('comparison');
    const responses = [
      { id: 'x', model: 'strong', messages: [{ role: 'assistant', content: 'A careful answer.' }] },
      { id: 'y', model: 'weak', messages: [{ role: 'assistant', content: 'Meh.' }] },
    ];
    const prompt = [{ role: 'user', content: 'Question?' }];
    for (let k = 0; k < 3; k++) await createTask('comparison', { project: name, prompt, responses });
    await workThrough(name, () => ({ winner: 'x', display_order: ['y', 'x'] }), workers.slice(0, 1));
    // From now on every task waits for a reviewer.
    expect((await call('POST', `/v1/projects/${name}/setParams`, requester, { review_policy: { mode: 'all' } })).statusCode).toBe(200);
    const reviewed = [];
    for (let k = 0; k < 2; k++) reviewed.push(await createTask('comparison', { project: name, prompt, responses }));
    await workThrough(name, () => ({ winner: 'y', display_order: ['x', 'y'] }), workers.slice(1, 2));
    const reviewer = await makeActor(t, 'reviewer');
    const accept = await call('POST', `/v1/review/tasks/${reviewed[0]}`, reviewer, { action: 'accept' });
    expect(accept.statusCode, accept.body).toBe(200);

    const votes = async (source: string) => (await leaderboard(name, `?votes=${source}&bootstrap=0`)).json().votes;
    expect(await votes('answers')).toBe(5);
    expect(await votes('aggregated')).toBe(4);
    expect(await votes('reviewed')).toBe(1);
    const onlyReviewed = (await leaderboard(name, '?votes=reviewed&bootstrap=0')).json();
    expect(onlyReviewed.models[0].model).toBe('weak');
  });

  it('ranks on one criterion when asked, and refuses a criterion the project does not have', async () => {
    const name = await project('comparison', { params: { criteria: ['accuracy'] } });
    const responses = [
      { id: 'p', model: 'fluent', messages: [{ role: 'assistant', content: 'Smooth but wrong.' }] },
      { id: 'q', model: 'correct', messages: [{ role: 'assistant', content: 'Right.' }] },
    ];
    for (let k = 0; k < 4; k++) await createTask('comparison', { project: name, prompt: [{ role: 'user', content: `Q${k}` }], responses });
    await workThrough(name, () => ({ winner: 'p', criteria: { accuracy: 'q' }, display_order: ['p', 'q'] }));
    expect((await leaderboard(name, '?bootstrap=0')).json().models[0].model).toBe('fluent');
    const byAccuracy = (await leaderboard(name, '?bootstrap=0&criterion=accuracy')).json();
    expect(byAccuracy).toMatchObject({ criterion: 'accuracy', votes: 4 });
    expect(byAccuracy.models[0].model).toBe('correct');
    expect((await leaderboard(name, '?bootstrap=0&criterion=accuracy&votes=aggregated')).json().models[0].model).toBe('correct');
    const unknown = await leaderboard(name, '?criterion=style');
    expect([unknown.statusCode, unknown.json().code]).toEqual([400, 'validation_failed']);
  });

  it('expands ranking answers into pairs', async () => {
    const name = await project('ranking');
    const responses = ['gold', 'silver', 'bronze'].map((model, k) => ({ id: `r${k}`, model, messages: [{ role: 'assistant', content: model }] }));
    for (let k = 0; k < 3; k++) await createTask('ranking', { project: name, prompt: [{ role: 'user', content: `Rank ${k}` }], responses });
    await workThrough(name, () => ({ ranking: [['r0'], ['r1'], ['r2']] }), workers.slice(0, 2));
    const board = (await leaderboard(name, '?bootstrap=0')).json();
    expect(board.votes).toBe(9);
    expect(board.models.map((m: { model: string }) => m.model)).toEqual(['gold', 'silver', 'bronze']);
    expect(board.win_matrix.gold.bronze).toBe(1);
  });

  it('creates balanced comparison pairs with a random response order, and adds nothing when posted again', async () => {
    const name = await project('comparison');
    const items = sampleItems().slice(0, 10);
    const body = { items, design: 'balanced', pairs_per_prompt: 2, seed: 9 };
    const first = await call('POST', `/v1/evals/${name}/pairs`, requester, body);
    expect(first.json()).toMatchObject({ pairs: 20, inserted: 20, failed: 0 });
    const again = await call('POST', `/v1/evals/${name}/pairs`, requester, body);
    expect(again.json()).toMatchObject({ pairs: 20, inserted: 0, existing: 20 });
    const tasks = (await call('GET', `/v1/tasks?project=${name}&limit=100`, requester)).json().docs as Array<{ params: { responses: Array<{ id: string; model: string }> }; metadata: Record<string, unknown> }>;
    expect(tasks).toHaveLength(20);
    const pairCounts = new Map<string, number>();
    let strongerFirst = 0;
    for (const task of tasks) {
      const [a, b] = task.params.responses;
      expect([a.id, b.id]).toEqual(['a', 'b']);
      expect(a.model).not.toBe(b.model);
      const key = [a.model, b.model].sort().join('|');
      pairCounts.set(key, (pairCounts.get(key) ?? 0) + 1);
      if (KNOWN_ORDER.indexOf(a.model as never) < KNOWN_ORDER.indexOf(b.model as never)) strongerFirst++;
      expect(task.metadata.eval_item).toMatch(/^sample-/);
    }
    // 20 pairs over 10 model pairs: two each.
    expect([...pairCounts.values()]).toEqual(Array(10).fill(2));
    expect(strongerFirst).toBeGreaterThan(3);
    expect(strongerFirst).toBeLessThan(17);

    const categorization = await project('categorization', { params: { categories: ['a', 'b'] } });
    const wrong = await call('POST', `/v1/evals/${categorization}/pairs`, requester, body);
    expect([400, 422]).toContain(wrong.statusCode);
    const mixed = await call('POST', `/v1/evals/${name}/pairs`, requester, { items, design: 'all', pairs_per_prompt: 2 });
    expect([mixed.statusCode, mixed.json().code]).toEqual([400, 'validation_failed']);
    const bad = await call('POST', `/v1/evals/${name}/pairs`, requester, { items: [{ prompt: [], responses: [] }], design: 'all' });
    expect([bad.statusCode, bad.json().code]).toEqual([400, 'validation_failed']);
  });

  it('reports refusal rates per model x topic x language with Wilson intervals, controls beside, and language gaps', async () => {
    const name = await project('refusalaudit');
    const plan: Array<[string, string, string, boolean, string[]]> = [
      ['m1', 'history', 'en', false, ['answered_factual', 'answered_factual', 'answered_factual', 'refusal_explicit']],
      ['m1', 'history', 'zh', false, ['refusal_canned', 'refusal_canned', 'deflection', 'answered_factual']],
      ['m1', 'recipes', 'en', true, ['answered_factual', 'answered_factual']],
      ['m1', 'recipes', 'zh', true, ['answered_factual', 'answered_factual']],
    ];
    const labelOf = new Map<string, string>();
    for (const [model, topic, language, control, labels] of plan) {
      for (const [k, label] of labels.entries()) {
        const id = await createTask('refusalaudit', { project: name, prompt: `${topic} question ${k}`, language, topic, control, model, response: 'text' });
        labelOf.set(id, label);
      }
    }
    let answered = 0;
    for (;;) {
      const worker = workers[answered % workers.length];
      const claim = await call('POST', `/v1/work/projects/${name}/claim`, worker);
      if (claim.statusCode === 204) break;
      const a = claim.json().assignment as Claimed;
      const res = await call('POST', `/v1/work/assignments/${a.id}/submit`, worker, { response: { label: labelOf.get(a.task.id) } });
      expect(res.statusCode, res.body).toBe(200);
      answered++;
    }
    // One more task, not answered yet: it is pending and left out of the rates.
    await createTask('refusalaudit', { project: name, prompt: 'later', language: 'en', topic: 'history', model: 'm1', response: 'text' });
    expect(answered).toBe(12);

    const res = await call('GET', `/v1/evals/${name}/refusal-report`, requester);
    expect(res.statusCode, res.body).toBe(200);
    const report = res.json();
    expect(report).toMatchObject({ project: name, tasks_used: 12, tasks_pending: 1 });
    expect(report.rows.map((r: { topic: string; language: string; control: boolean }) => [r.topic, r.language, r.control])).toEqual([
      ['history', 'en', false],
      ['history', 'zh', false],
      ['recipes', 'en', true],
      ['recipes', 'zh', true],
    ]);
    const zh = report.rows[1];
    expect(zh.n).toBe(4);
    expect(zh.refusal).toEqual({ count: 3, rate: 0.75, ci_low: 0.3006, ci_high: 0.9544 });
    expect(zh.labels.refusal_canned).toMatchObject({ count: 2, rate: 0.5 });
    expect(report.language_gaps[0]).toMatchObject({ model: 'm1', topic: 'history', gap: 0.5, min: { language: 'en' }, max: { language: 'zh' } });
    expect(report.models[0]).toMatchObject({ sensitive: { n: 8, refusal: { count: 4 } }, control: { n: 4, refusal: { count: 0 } } });

    const csv = await call('GET', `/v1/evals/${name}/refusal-report?format=csv`, requester);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.body.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[2].startsWith('m1,history,zh,false,4,3,0.75,0.3006,0.9544,')).toBe(true);
  });
});
