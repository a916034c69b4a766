import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTaskType } from '../src/shared/task-types.ts';
import { checkResponse } from '../src/modules/task-types/index.ts';
import { signWebhook } from '../src/modules/webhooks/index.ts';
import { syntheticResponse } from '../src/modules/tasks/synthetic.ts';
import { buildProject, dialects, makeActor, makeWorkers, startTestApp, type TestApp } from '../test/helpers/harness.ts';
import { TesseraClient, TesseraError, verifyWebhook } from './index.ts';

/** A real HTTP proxy in front of the server that answers 503 to the first `failures` requests. */
async function flakyProxy(target: number, failures: number): Promise<{ server: Server; port: number; seen: () => number }> {
  let seen = 0;
  const server = createServer((req, res) => {
    seen++;
    if (seen <= failures) {
      req.resume();
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"status_code":503,"code":"internal","error":{"code":"internal","message":"try again"}}');
      return;
    }
    const upstream = httpRequest({ host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, seen: () => seen };
}

describe.each(dialects)('the TypeScript client against a real server on %s', (dialect) => {
  let t: TestApp;
  let base: string;
  let port: number;
  let key: string;
  beforeAll(async () => {
    t = await startTestApp(dialect, { realClock: true });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
    key = (await makeActor(t, 'requester')).key;
  });
  afterAll(() => t.close());

  it('runs a project from creation to completed tasks, paging with an async iterator', async () => {
    const tessera = new TesseraClient({ baseUrl: base, apiKey: key });
    const project = buildProject({ type: 'comparison', params: { allow_tie: true }, overlap: { min: 1 } });
    await tessera.createProject(project as { name: string; type: 'comparison' });
    const created = [];
    for (let i = 0; i < 5; i++) {
      created.push(
        await tessera.createTask('comparison', {
          project: project.name,
          unique_id: `${project.name}-${i}`,
          prompt: [{ role: 'user', content: `Question ${i}` }],
          responses: [
            { id: 'good', model: 'strong', messages: [{ role: 'assistant', content: 'A careful answer.' }] },
            { id: 'bad', model: 'weak', messages: [{ role: 'assistant', content: 'Meh.' }] },
          ],
        }),
      );
    }
    const [worker] = await makeWorkers(t, 1);
    for (;;) {
      const claim = await fetch(`${base}/v1/work/projects/${project.name}/claim`, { method: 'POST', headers: worker.auth });
      if (claim.status === 204) break;
      const { assignment } = await claim.json();
      await fetch(`${base}/v1/work/assignments/${assignment.id}/submit`, {
        method: 'POST',
        headers: { ...worker.auth, 'content-type': 'application/json' },
        body: JSON.stringify({ response: { winner: 'good', display_order: ['bad', 'good'] } }),
      });
    }
    const seen = [];
    for await (const task of tessera.tasks<'comparison'>({ project: project.name, status: 'completed', limit: 2 })) seen.push(task);
    expect(seen.map((s) => s.task_id)).toEqual(created.map((c) => c.task_id));
    expect(seen.every((s) => s.response?.winner === 'good')).toBe(true);
    await expect(tessera.getTask('999999999')).rejects.toMatchObject({ status: 404, code: 'task_not_found' });

    // ...and ends with DPO pairs a trainer reads: chosen is the response the worker preferred.
    const { export_id } = await tessera.createExport({ project: project.name, format: 'openai_dpo' });
    const done = await tessera.waitForExport(export_id);
    expect(done.rows).toBe(5);
    const stream = await tessera.downloadExport(export_id, done.files[0].name);
    const text = await new Response(stream).text();
    const lines = text.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(5);
    expect(lines[0]).toEqual({
      input: { messages: [{ role: 'user', content: 'Question 0' }] },
      preferred_output: [{ role: 'assistant', content: 'A careful answer.' }],
      non_preferred_output: [{ role: 'assistant', content: 'Meh.' }],
    });
  });

  it('retries 503s and makes creates safe to retry with an Idempotency-Key', async () => {
    const proxy = await flakyProxy(port, 2);
    const tessera = new TesseraClient({ baseUrl: `http://127.0.0.1:${proxy.port}`, apiKey: key, backoffMs: 10 });
    const project = buildProject();
    await tessera.createProject(project as { name: string; type: 'categorization' });
    expect(proxy.seen()).toBe(3);
    const task = await tessera.createTask('categorization', { project: project.name, attachments: [{ type: 'text', content: 'x' }] }, { idempotencyKey: 'same-key' });
    const again = await tessera.createTask('categorization', { project: project.name, attachments: [{ type: 'text', content: 'x' }] }, { idempotencyKey: 'same-key' });
    expect(again.task_id).toBe(task.task_id);
    const noRetry = new TesseraClient({ baseUrl: `http://127.0.0.1:${(await flakyProxy(port, 5)).port}`, apiKey: key, retries: 1, backoffMs: 5 });
    await expect(noRetry.listProjects()).rejects.toBeInstanceOf(TesseraError);
    proxy.server.close();
  });

  it('verifies webhook signatures like the server signs them', async () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const ts = Math.floor(Date.now() / 1000);
    const body = '{"task_id":"1"}';
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(ts), 'webhook-signature': signWebhook(secret, 'msg_1', ts, body) };
    expect(await verifyWebhook(headers, body, secret)).toBe(true);
    expect(await verifyWebhook(headers, `${body} `, secret)).toBe(false);
    expect(await verifyWebhook({ ...headers, 'webhook-timestamp': String(ts - 3600) }, body, secret)).toBe(false);
  });

  it("types every task type's answers the way the server's schemas accept them", () => {
    for (const type of ['categorization', 'rating', 'textcollection', 'comparison', 'ranking', 'binaryfeedback', 'sft', 'rubric', 'refusalaudit', 'namedentityrecognition', 'imageannotation'] as const) {
      const def = findTaskType(type);
      expect(def, type).toBeDefined();
      const answer = syntheticResponse(def!, def!.example);
      expect(checkResponse(type, def!.example, answer), type).toBeUndefined();
    }
  });
});
