import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRELABEL_MAX_ATTEMPTS, prelabelDueTasks } from '../src/modules/tasks/index.ts';
import { type Actor, buildProject, dialects, makeActor, makeWorkers, startTestApp, type TestApp } from './helpers/harness.ts';

/** A real local model endpoint: slow on its first call, then answers; or always wrong. */
async function modelEndpoint(mode: 'slow-then-ok' | 'garbage') {
  const calls: unknown[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      calls.push(JSON.parse(body));
      if (mode === 'garbage') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"predictions":[{"response":{"category":"unicorn"}}]}');
      const answer = () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ predictions: [{ response: { category: 'dog' }, score: 0.87, model: 'tiny-clf' }] }));
      if (calls.length === 1) setTimeout(answer, 1500);
      else answer();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/predict`, calls, close: () => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); }) };
}

describe.each(dialects)('pre-labels on %s', (dialect) => {
  let t: TestApp;
  let requester: Actor;
  beforeAll(async () => {
    t = await startTestApp(dialect);
    requester = await makeActor(t, 'requester');
  });
  afterAll(() => t.close());

  const call = (method: 'GET' | 'POST', url: string, actor: Actor, payload?: unknown) =>
    t.app.inject({ method, url, headers: actor.auth, ...(payload !== undefined && { payload: payload as object }) });

  it('keeps predictions apart from answers and shows them to workers only when the project says so', async () => {
    const body = buildProject({ overlap: { min: 2 } });
    await call('POST', '/v1/projects', requester, body);
    const predictions = [{ response: { category: 'cat' }, score: 0.9, model: 'm1' }];
    const task = (await call('POST', '/v1/task/categorization', requester, { project: body.name, attachments: [], predictions })).json();
    expect(task).toMatchObject({ predictions, response: null });
    const [w1, w2] = await makeWorkers(t, 2);
    const hidden = (await call('POST', `/v1/work/projects/${body.name}/claim`, w1)).json().assignment;
    expect(hidden.task.predictions).toBeUndefined();
    await call('POST', `/v1/projects/${body.name}/setParams`, requester, { prelabels: { show: true } });
    const shown = (await call('POST', `/v1/work/projects/${body.name}/claim`, w2)).json().assignment;
    expect(shown.task.predictions).toEqual(predictions);
    const bad = await call('POST', '/v1/task/categorization', requester, { project: body.name, attachments: [], predictions: [{ response: { category: 'whale' } }] });
    expect([bad.statusCode, bad.json().code]).toEqual([422, 'invalid_predictions']);
    const row = await t.app.inject({ method: 'POST', url: `/v1/projects/${body.name}/import?format=jsonl`, headers: requester.auth, payload: `${JSON.stringify({ attachments: [], predictions: [{ response: { category: 'cat' }, score: 7 }] })}\n` });
    expect(row.json().errors[0]).toMatchObject({ line: 1, code: 'invalid_predictions' });
  });

  it('asks the model endpoint for new tasks, retrying a timeout', async () => {
    const endpoint = await modelEndpoint('slow-then-ok');
    const body = buildProject({ prelabels: { show: true, endpoint_url: endpoint.url, timeout_ms: 300 } });
    await call('POST', '/v1/projects', requester, body);
    const task = (await call('POST', '/v1/task/categorization', requester, { project: body.name, attachments: [{ type: 'text', content: 'woof' }] })).json();
    await prelabelDueTasks(t.database, t.clock);
    expect((await call('GET', `/v1/task/${task.task_id}`, requester)).json().predictions).toBeNull();
    t.clock.advance(10_000);
    await prelabelDueTasks(t.database, t.clock);
    expect((await call('GET', `/v1/task/${task.task_id}`, requester)).json().predictions).toEqual([{ response: { category: 'dog' }, score: 0.87, model: 'tiny-clf' }]);
    expect(endpoint.calls[0]).toMatchObject({ task: { id: task.task_id, type: 'categorization', attachments: [{ type: 'text', content: 'woof' }] } });
    await endpoint.close();
  });

  it('gives up on an endpoint that keeps answering nonsense, leaving the task without pre-labels', async () => {
    const endpoint = await modelEndpoint('garbage');
    const body = buildProject({ prelabels: { endpoint_url: endpoint.url } });
    await call('POST', '/v1/projects', requester, body);
    const task = (await call('POST', '/v1/task/categorization', requester, { project: body.name, attachments: [] })).json();
    for (let i = 0; i < PRELABEL_MAX_ATTEMPTS + 2; i++) {
      await prelabelDueTasks(t.database, t.clock);
      t.clock.advance(10 * 60_000);
    }
    const row = await t.database.db.selectFrom('tasks').select(['prelabel_status', 'prelabel_attempts', 'predictions']).where('id', '=', Number(task.task_id)).executeTakeFirstOrThrow();
    expect(row).toEqual({ prelabel_status: 'failed', prelabel_attempts: PRELABEL_MAX_ATTEMPTS, predictions: null });
    expect(endpoint.calls).toHaveLength(PRELABEL_MAX_ATTEMPTS);
    expect((await call('POST', '/v1/projects', requester, buildProject({ prelabels: { endpoint_url: 'ftp://x' } }))).json().code).toBe('invalid_project_params');
    await endpoint.close();
  });
});
