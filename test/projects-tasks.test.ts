import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProject, dialects, makeActor, startTestApp, type TestApp, type Actor } from './helpers/harness.ts';

describe.each(dialects)('projects and tasks on %s', (dialect) => {
  let t: TestApp;
  let requester: Actor;
  let other: Actor;
  beforeAll(async () => {
    t = await startTestApp(dialect);
    requester = await makeActor(t, 'requester');
    other = await makeActor(t, 'requester');
  });
  afterAll(() => t.close());

  const post = (url: string, actor: Actor, payload: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url, headers: { ...actor.auth, ...headers }, payload: payload as object });
  const get = (url: string, actor: Actor) => t.app.inject({ url, headers: actor.auth });

  async function project(overrides: Record<string, unknown> = {}) {
    const res = await post('/v1/projects', requester, buildProject(overrides));
    expect(res.statusCode).toBe(200);
    return res.json();
  }

  it('creates a project with defaults and changes its settings with setParams', async () => {
    const p = await project({ overlap: { min: 3, max: 5 }, instructions: { en: '# Hi', ar: '# مرحبا' } });
    expect(p).toMatchObject({ type: 'categorization', overlap: { min: 3, max: 5 }, status: 'active', lease_seconds: 600, idle_grace_seconds: 300, gold_rate: 0 });
    const changed = await post(`/v1/projects/${p.name}/setParams`, requester, { params: { allow_multiple: true }, gold_rate: 0.1, status: 'paused', instructions: { fr: '# Salut' } });
    expect(changed.json()).toMatchObject({ params: { categories: ['cat', 'dog', 'bird'], allow_multiple: true }, gold_rate: 0.1, status: 'paused', instructions: { en: '# Hi', fr: '# Salut' } });
    const read = await get(`/v1/projects/${p.name}`, requester);
    expect(read.json().task_counts).toEqual({ pending: 0, completed: 0, canceled: 0, error: 0 });
    const listed = await get('/v1/projects', requester);
    expect(listed.json().docs.map((d: { name: string }) => d.name)).toContain(p.name);
  });

  it('refuses bad projects with stable codes and creates nothing', async () => {
    const name = buildProject().name;
    const cases: [Record<string, unknown>, number, string][] = [
      [{ name, type: 'telepathy' }, 404, 'unknown_task_type'],
      [{ name, type: 'categorization', params: { categories: 'cat' } }, 422, 'invalid_project_params'],
      [{ name, type: 'categorization', params: { colours: ['red'] } }, 422, 'invalid_project_params'],
      [{ name: 'bad name!', type: 'categorization' }, 400, 'validation_failed'],
      [{ name, type: 'categorization', overlap: { min: 0 } }, 400, 'validation_failed'],
      [{ name, type: 'categorization', overlap: { min: 3, max: 2 } }, 422, 'invalid_project_params'],
      [{ name, type: 'categorization', pay: { piece_rate_minor: 1.5 } }, 400, 'validation_failed'],
    ];
    for (const [payload, status, code] of cases) {
      const res = await post('/v1/projects', requester, payload);
      expect([res.statusCode, res.json().code]).toEqual([status, code]);
    }
    expect((await get(`/v1/projects/${name}`, requester)).statusCode).toBe(404);
    const p = await project();
    expect((await post('/v1/projects', requester, { name: p.name, type: 'categorization' })).json().code).toBe('project_exists');
    const worker = await makeActor(t, 'worker');
    expect((await post('/v1/projects', worker, buildProject())).json().code).toBe('forbidden');
  });

  it("hides another account's project and tasks behind 404", async () => {
    const p = await project();
    const task = await post('/v1/task/categorization', requester, { project: p.name, attachments: [{ type: 'text', content: 'a cat' }] });
    const id = task.json().task_id;
    expect((await get(`/v1/projects/${p.name}`, other)).json().code).toBe('project_not_found');
    expect((await get(`/v1/task/${id}`, other)).json().code).toBe('task_not_found');
    expect((await post(`/v1/task/${id}/cancel`, other, {})).json().code).toBe('task_not_found');
    expect((await get(`/v1/tasks?project=${p.name}`, other)).json().code).toBe('project_not_found');
    expect((await get('/v1/tasks', other)).json().docs.map((d: { task_id: string }) => d.task_id)).not.toContain(id);
    expect((await post(`/v1/task/categorization`, other, { project: p.name, attachments: [] })).json().code).toBe('project_not_found');
  });

  it('creates, reads and cancels a task, with type fields under params', async () => {
    const p = await project();
    const res = await post('/v1/task/categorization', requester, {
      project: p.name,
      batch: 'b1',
      attachments: [{ type: 'text', content: 'a parrot' }],
      unique_id: 'parrot-1',
      metadata: { source: 'zoo' },
      tags: ['birds'],
      priority: 5,
    });
    expect(res.statusCode).toBe(200);
    const task = res.json();
    expect(task).toMatchObject({ project: p.name, type: 'categorization', status: 'pending', sub_status: 'queued', batch: 'b1', unique_id: 'parrot-1', priority: 5, responses_required: 1, metadata: { source: 'zoo' }, tags: ['birds'], params: { categories: ['cat', 'dog', 'bird'] }, response: null });
    expect((await get(`/v1/task/${task.task_id}`, requester)).json()).toEqual(task);
    const canceled = await post(`/v1/task/${task.task_id}/cancel`, requester, {});
    expect(canceled.json().status).toBe('canceled');
    expect((await post(`/v1/task/${task.task_id}/cancel`, requester, {})).json().status).toBe('canceled');
    expect((await get(`/v1/projects/${p.name}`, requester)).json().task_counts).toMatchObject({ pending: 0, canceled: 1 });
  });

  it('answers a repeated unique_id with 409 and the existing task id', async () => {
    const p = await project();
    const first = await post('/v1/task/categorization', requester, { project: p.name, unique_id: 'dup', attachments: [] });
    const again = await post('/v1/task/categorization', requester, { project: p.name, unique_id: 'dup', attachments: [{ type: 'text', content: 'other' }] });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'unique_id_exists', error: { details: { task_id: first.json().task_id } } });
  });

  it('replays an Idempotency-Key and refuses the same key with another body', async () => {
    const p = await project();
    const body = { project: p.name, attachments: [{ type: 'text', content: 'idem' }] };
    const first = await post('/v1/task/categorization', requester, body, { 'idempotency-key': 'k-1' });
    const replay = await post('/v1/task/categorization', requester, body, { 'idempotency-key': 'k-1' });
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json()).toEqual(first.json());
    const changed = await post('/v1/task/categorization', requester, { ...body, priority: 3 }, { 'idempotency-key': 'k-1' });
    expect([changed.statusCode, changed.json().code]).toEqual([422, 'idempotency_key_reused']);
    expect((await get(`/v1/tasks?project=${p.name}`, requester)).json().total).toBe(1);
  });

  it('refuses bad tasks with stable codes and stores none of them', async () => {
    const p = await project();
    const cases: [unknown, number, string, string?][] = [
      [{ project: p.name, categories: ['only-one'] }, 422, 'invalid_params'],
      [{ project: p.name, colour: 'red' }, 422, 'invalid_params'],
      [{ project: p.name, priority: 'high' }, 400, 'validation_failed'],
      [{ project: p.name, tags: 'x' }, 400, 'validation_failed'],
      [{ project: p.name, metadata: { blob: 'x'.repeat(20_000) } }, 400, 'validation_failed'],
      [{ project: p.name, callback_url: 'ftp://example.com/x' }, 400, 'invalid_callback_url'],
      [{ project: 'no-such-project' }, 404, 'project_not_found'],
      [{ attachments: [] }, 400, 'validation_failed'],
    ];
    for (const [payload, status, code] of cases) {
      const res = await post('/v1/task/categorization', requester, payload);
      expect([res.statusCode, res.json().code], JSON.stringify(payload).slice(0, 80)).toEqual([status, code]);
    }
    expect((await post('/v1/task/telepathy', requester, { project: p.name })).json().code).toBe('unknown_task_type');
    expect((await post('/v1/task/rating', requester, { project: p.name })).json().code).toBe('project_type_mismatch');
    const malformed = await t.app.inject({ method: 'POST', url: '/v1/task/categorization', headers: { ...requester.auth, 'content-type': 'application/json' }, payload: '{"project": ' });
    expect([malformed.statusCode, malformed.json().code]).toEqual([400, 'invalid_json']);
    const huge = await t.app.inject({ method: 'POST', url: '/v1/task/categorization', headers: { ...requester.auth, 'content-type': 'application/json' }, payload: JSON.stringify({ project: p.name, instruction: 'x'.repeat(2 * 1024 * 1024) }) });
    expect([huge.statusCode, huge.json().code]).toEqual([413, 'payload_too_large']);
    expect((await get(`/v1/tasks?project=${p.name}`, requester)).json().total).toBe(0);
    expect((await get('/v1/task/999999999', requester)).json().code).toBe('task_not_found');
    expect((await get('/v1/task/not-a-number', requester)).json().code).toBe('task_not_found');
  });

  it('creates gold tasks whose expected answer must fit the type', async () => {
    const p = await project();
    const ok = await post('/v1/evaluation_tasks/categorization', requester, { project: p.name, attachments: [{ type: 'text', content: 'woof' }], expected_response: { category: 'dog' }, explanation: 'It barks.' });
    expect(ok.json()).toMatchObject({ is_gold: true, expected_response: { category: 'dog' }, explanation: 'It barks.' });
    const bad = await post('/v1/evaluation_tasks/categorization', requester, { project: p.name, attachments: [], expected_response: { category: 'whale' } });
    expect([bad.statusCode, bad.json().code]).toEqual([422, 'invalid_params']);
    const missing = await post('/v1/evaluation_tasks/categorization', requester, { project: p.name, attachments: [] });
    expect(missing.statusCode).toBe(400);
  });

  it('pages through tasks with next_token and filters', async () => {
    const p = await project();
    for (let i = 0; i < 7; i++) {
      await post('/v1/task/categorization', requester, { project: p.name, unique_id: `page-${p.name}-${i}`, batch: i < 3 ? 'early' : 'late', tags: i % 2 ? ['odd'] : ['even'], attachments: [] });
    }
    const seen: string[] = [];
    let token: string | null = null;
    do {
      const url: string = `/v1/tasks?project=${p.name}&limit=3${token ? `&next_token=${token}` : ''}`;
      const page = (await get(url, requester)).json();
      expect(page.total).toBe(7);
      seen.push(...page.docs.map((d: { unique_id: string }) => d.unique_id));
      token = page.next_token;
      expect(page.has_more).toBe(token !== null);
    } while (token);
    expect(seen).toEqual([...Array(7).keys()].map((i) => `page-${p.name}-${i}`));
    expect((await get(`/v1/tasks?project=${p.name}&batch=early`, requester)).json().total).toBe(3);
    expect((await get(`/v1/tasks?project=${p.name}&tags=odd`, requester)).json().total).toBe(3);
    expect((await get(`/v1/tasks?project=${p.name}&unique_id=page-${p.name}-4`, requester)).json().docs).toHaveLength(1);
    expect((await get(`/v1/tasks?project=${p.name}&status=completed`, requester)).json().total).toBe(0);
    for (const bad of ['limit=0', 'limit=101', 'status=done', 'next_token=garbage', 'created_after=yesterday']) {
      const res = await get(`/v1/tasks?project=${p.name}&${bad}`, requester);
      expect(res.statusCode, bad).toBe(400);
    }
  });

  it('keeps an image task\'s own attachment as its image', async () => {
    const res = await post('/v1/projects', requester, buildProject({ type: 'imageannotation', params: { geometries: { box: { objects_to_annotate: ['car'] } } } }));
    const task = await post('/v1/task/imageannotation', requester, { project: res.json().name, attachment: 'https://example.com/street.jpg', image_width: 640, image_height: 480 });
    expect(task.statusCode, task.body).toBe(200);
    expect(task.json().params).toMatchObject({ attachment: 'https://example.com/street.jpg', image_width: 640 });
    expect(task.json().attachments).toEqual([]);
  });

  it('marks tasks created with a test key as test tasks', async () => {
    const p = await project();
    const testKey = await t.app.inject({ method: 'POST', url: '/v1/api_keys', headers: requester.auth, payload: { test: true } });
    expect(testKey.json().key).toMatch(/^test_/);
    const res = await t.app.inject({ method: 'POST', url: '/v1/task/categorization', headers: { authorization: `Bearer ${testKey.json().key}` }, payload: { project: p.name, attachments: [] } });
    expect(res.json().is_test).toBe(true);
  });

  it('serves health, the OpenAPI document and security headers', async () => {
    const health = await t.app.inject({ url: '/health' });
    expect(health.json()).toEqual({ status: 'ok' });
    expect(health.headers['x-content-type-options']).toBe('nosniff');
    const doc = await t.app.inject({ url: '/docs/json' });
    const paths = Object.keys(doc.json().paths);
    for (const path of ['/v1/projects', '/v1/task/{type}', '/v1/tasks', '/v1/projects/{name}/import', '/v1/auth/login']) expect(paths).toContain(path);
    expect((await t.app.inject({ url: '/v1/nowhere', headers: requester.auth })).json().code).toBe('route_not_found');
  });
});
