import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/server/app.ts';
import { deliverDueWebhooks, drainDueWebhooks, enqueueWebhook, MAX_ATTEMPTS, verifyWebhook } from '../src/modules/webhooks/index.ts';
import { type Actor, buildProject, dialects, makeActor, makeWorkers, startTestApp, type TestApp } from './helpers/harness.ts';

/** A real HTTP receiver standing in for a customer's endpoint; it can fail on purpose. */
class Receiver {
  server: Server | undefined;
  port = 0;
  received: { headers: IncomingHttpHeaders; body: string }[] = [];
  failNext = 0;

  async start(port = 0) {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        this.received.push({ headers: req.headers, body });
        if (this.failNext > 0) {
          this.failNext--;
          res.writeHead(503).end('down for maintenance');
        } else res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop() {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
    this.server?.closeAllConnections();
  }

  get url() {
    return `http://127.0.0.1:${this.port}/hook`;
  }
}

describe.each(dialects)('batches, webhooks, audit and test keys on %s', (dialect) => {
  let t: TestApp;
  let requester: Actor;
  let workers: Actor[];
  let receiver: Receiver;
  beforeAll(async () => {
    t = await startTestApp(dialect);
    requester = await makeActor(t, 'requester');
    workers = await makeWorkers(t, 4);
    receiver = new Receiver();
    await receiver.start();
  });
  afterAll(async () => {
    await receiver.stop();
    await t.close();
  });

  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, actor: Actor, payload?: unknown) =>
    t.app.inject({ method, url, headers: actor.auth, ...(payload !== undefined && { payload: payload as object }) });
  async function project(overrides: Record<string, unknown> = {}) {
    const body = buildProject(overrides);
    expect((await call('POST', '/v1/projects', requester, body)).statusCode).toBe(200);
    return body.name as string;
  }
  async function work(name: string, worker: Actor, category = 'cat') {
    const claim = await call('POST', `/v1/work/projects/${name}/claim`, worker);
    if (claim.statusCode === 204) return undefined;
    const a = claim.json().assignment;
    expect((await call('POST', `/v1/work/assignments/${a.id}/submit`, worker, { response: { category } })).statusCode).toBe(200);
    return a.task.id as string;
  }
  const deliver = () => deliverDueWebhooks(t.database, t.clock);

  it('holds a staging batch from workers until it is finalized, and reports its counts', async () => {
    const name = await project();
    const batch = `b-${name}`;
    expect((await call('POST', '/v1/batches', requester, { project: name, name: batch })).json()).toMatchObject({ name: batch, status: 'staging' });
    expect((await call('POST', '/v1/batches', requester, { project: name, name: batch })).json().code).toBe('batch_exists');
    await call('POST', '/v1/task/categorization', requester, { project: name, batch, attachments: [] });
    const upload = await t.app.inject({ method: 'POST', url: `/v1/projects/${name}/import?format=jsonl`, headers: requester.auth, payload: `${JSON.stringify({ unique_id: `${batch}-1`, batch, attachments: [] })}\n` });
    expect(upload.json().inserted).toBe(1);
    expect((await call('POST', `/v1/work/projects/${name}/claim`, workers[0])).statusCode).toBe(204);
    expect((await call('POST', `/v1/batches/${batch}/finalize`, requester)).json()).toMatchObject({ status: 'in_progress', counts: { pending: 2 } });
    expect((await call('POST', `/v1/batches/${batch}/finalize`, requester)).json().code).toBe('batch_state');
    const late = await call('POST', '/v1/task/categorization', requester, { project: name, batch, attachments: [] });
    expect([late.statusCode, late.json().code]).toEqual([409, 'batch_not_staging']);
    await call('POST', `/v1/batches/${batch}/pause`, requester);
    expect((await call('POST', `/v1/work/projects/${name}/claim`, workers[0])).statusCode).toBe(204);
    await call('POST', `/v1/batches/${batch}/resume`, requester);
    expect(await work(name, workers[0])).toBeDefined();
    const canceled = (await call('POST', `/v1/batches/${batch}/cancel`, requester)).json();
    expect(canceled).toMatchObject({ status: 'canceled', counts: { completed: 1, canceled: 1 } });
    expect((await call('GET', `/v1/batches/nope/status`, requester)).json().code).toBe('batch_not_found');
    const stranger = await makeActor(t, 'requester');
    expect((await call('GET', `/v1/batches/${batch}`, stranger)).json().code).toBe('batch_not_found');
  });

  it('delivers signed callbacks with a stable webhook-id, retrying a failing receiver', async () => {
    const name = await project();
    const secret = (await call('GET', '/v1/webhooks/secret', requester)).json().secret;
    const created = (await call('POST', '/v1/task/categorization', requester, { project: name, callback_url: receiver.url, attachments: [{ type: 'text', content: 'meow' }] })).json();
    expect(await work(name, workers[0], 'cat')).toBe(created.task_id);
    receiver.received = [];
    receiver.failNext = 2;
    for (let i = 0; i < 3; i++) {
      await deliver();
      t.clock.advance(60_000);
    }
    expect(receiver.received).toHaveLength(3);
    const ids = new Set(receiver.received.map((r) => r.headers['webhook-id']));
    expect(ids.size).toBe(1);
    const last = receiver.received[2];
    const body = JSON.parse(last.body);
    expect(body).toMatchObject({ task_id: created.task_id, response: { category: 'cat' }, task: { task_id: created.task_id, status: 'completed' } });
    expect(verifyWebhook(secret, { id: String(last.headers['webhook-id']), timestamp: String(last.headers['webhook-timestamp']), signature: String(last.headers['webhook-signature']) }, last.body, Number(last.headers['webhook-timestamp']))).toBe(true);
    expect((await call('GET', `/v1/task/${created.task_id}`, requester)).json()).toBeDefined();
    const row = await t.database.db.selectFrom('tasks').select('callback_succeeded').where('id', '=', Number(created.task_id)).executeTakeFirstOrThrow();
    expect(row.callback_succeeded).toBe(1);
    await deliver();
    expect(receiver.received).toHaveLength(3);
  });

  it('drains a backlog larger than one batch in a single job run, each delivery once', async () => {
    await deliver();
    receiver.received = [];
    const queued = new Set<string>();
    await t.database.db.transaction().execute(async (trx) => {
      for (let i = 0; i < 250; i++) queued.add(await enqueueWebhook(trx, { ownerId: Number(requester.user.id), event: 'task.completed', url: receiver.url, payload: { n: i }, now: t.clock() }));
    });
    expect(await drainDueWebhooks(t.database, t.clock)).toBe(250);
    expect(new Set(receiver.received.map((r) => String(r.headers['webhook-id'])))).toEqual(queued);
    expect(receiver.received).toHaveLength(250);
    expect(await drainDueWebhooks(t.database, t.clock)).toBe(0);
  });

  it('gets everything to a receiver that was down for an hour, across a server restart', async () => {
    const name = await project();
    const tasks = [];
    for (let i = 0; i < 3; i++) tasks.push((await call('POST', '/v1/task/categorization', requester, { project: name, callback_url: receiver.url, attachments: [{ type: 'text', content: `t${i}` }] })).json().task_id);
    await receiver.stop();
    for (let i = 0; i < 3; i++) await work(name, workers[i]);
    // An hour of failed attempts against a closed port.
    for (let minute = 0; minute < 60; minute += 5) {
      await deliver();
      t.clock.advance(5 * 60_000);
    }
    const pending = await t.database.db.selectFrom('webhook_outbox').selectAll().where('task_id', 'in', tasks.map(Number)).execute();
    expect(pending.every((p) => p.status === 'pending' && p.attempts >= 3)).toBe(true);
    // The server restarts (a new app over the same database); the receiver comes back.
    await t.app.close();
    t.app = await buildApp({ config: t.config, database: t.database, clock: t.clock });
    await receiver.start(receiver.port);
    receiver.received = [];
    t.clock.advance(3 * 3600_000);
    await deliver();
    const got = receiver.received.map((r) => JSON.parse(r.body).task_id).sort();
    expect(got).toEqual([...tasks].sort());
  });

  it('gives up after 20 attempts and says so on the task', async () => {
    const name = await project();
    const created = (await call('POST', '/v1/task/categorization', requester, { project: name, callback_url: 'http://127.0.0.1:9/nothing-listens-here', attachments: [] })).json();
    await work(name, workers[1]);
    for (let i = 0; i < MAX_ATTEMPTS + 2; i++) {
      await deliver();
      t.clock.advance(4 * 3600_000);
    }
    const row = await t.database.db.selectFrom('webhook_outbox').selectAll().where('task_id', '=', Number(created.task_id)).executeTakeFirstOrThrow();
    expect([row.status, row.attempts]).toEqual(['failed', MAX_ATTEMPTS]);
    expect((await t.database.db.selectFrom('tasks').select('callback_succeeded').where('id', '=', Number(created.task_id)).executeTakeFirstOrThrow()).callback_succeeded).toBe(0);
    const resent = await call('POST', `/v1/task/${created.task_id}/resend_callback`, requester);
    expect(resent.json().webhook_id).toMatch(/^msg_/);
  });

  it('refuses callback URLs that are not http(s) or point at the server itself', async () => {
    const name = await project();
    for (const url of ['ftp://example.com/hook', 'not a url', `http://localhost:${t.config.port}/v1/tasks`, `http://127.0.0.1:${t.config.port}/x`]) {
      const res = await call('POST', '/v1/task/categorization', requester, { project: name, callback_url: url, attachments: [] });
      expect([res.statusCode, res.json().code], url).toEqual([400, 'invalid_callback_url']);
    }
    const noCallback = (await call('POST', '/v1/task/categorization', requester, { project: name, attachments: [] })).json();
    expect((await call('POST', `/v1/task/${noCallback.task_id}/resend_callback`, requester)).json().code).toBe('no_callback_url');
  });

  it('audits a completed task: rejection needs a reason and evidence, then the task is worked again', async () => {
    const name = await project();
    const created = (await call('POST', '/v1/task/categorization', requester, { project: name, attachments: [] })).json();
    expect((await call('POST', `/v1/task/${created.task_id}/audit`, requester, { accepted: true })).json().code).toBe('task_not_completed');
    await work(name, workers[2]);
    const short = await call('POST', `/v1/task/${created.task_id}/audit`, requester, { accepted: false, reason_code: 'wrong_answer', comments: 'wrong' });
    expect([short.statusCode, short.json().code]).toEqual([422, 'reason_required']);
    const noEvidence = await call('POST', `/v1/task/${created.task_id}/audit`, requester, { accepted: false, reason_code: 'wrong_answer', comments: 'The text is about a dog, not a cat.' });
    expect(noEvidence.json().code).toBe('evidence_required');
    const rejected = await call('POST', `/v1/task/${created.task_id}/audit`, requester, { accepted: false, reason_code: 'wrong_answer', comments: 'The text is about a dog, not a cat.', evidence: { instruction_criterion: 'Label the animal named in the text' } });
    expect(rejected.json()).toMatchObject({ audited: 'rejected', status: 'pending', sub_status: 'redo' });
    expect(await work(name, workers[3], 'dog')).toBe(created.task_id);
    expect((await call('GET', `/v1/task/${created.task_id}`, requester)).json().response.category).toBe('dog');
  });

  it('changes tags and metadata, refusing oversized metadata and unknown tasks', async () => {
    const name = await project();
    const created = (await call('POST', '/v1/task/categorization', requester, { project: name, attachments: [], tags: ['a'] })).json();
    expect((await call('PUT', `/v1/task/${created.task_id}/tags`, requester, { tags: ['b', 'c'] })).json().tags).toEqual(['a', 'b', 'c']);
    expect((await call('DELETE', `/v1/task/${created.task_id}/tags`, requester, { tags: ['a'] })).json().tags).toEqual(['b', 'c']);
    expect((await call('GET', `/v1/tasks?project=${name}&tags=b,c`, requester)).json().total).toBe(1);
    expect((await call('POST', `/v1/task/${created.task_id}/setMetadata`, requester, { metadata: { source: 'x' } })).json().metadata).toEqual({ source: 'x' });
    const big = await call('POST', `/v1/task/${created.task_id}/setMetadata`, requester, { metadata: { blob: 'x'.repeat(20_000) } });
    expect(big.statusCode).toBe(400);
    expect((await call('GET', `/v1/task/${created.task_id}`, requester)).json().metadata).toEqual({ source: 'x' });
    expect((await call('PUT', '/v1/task/99999999/tags', requester, { tags: ['x'] })).json().code).toBe('task_not_found');
  });

  it('completes test-key tasks at once with a valid synthetic answer and keeps test keys off live data', async () => {
    const name = await project({ type: 'comparison', params: { allow_tie: true } });
    const testKey = (await call('POST', '/v1/api_keys', requester, { test: true })).json().key;
    const asTest = { ...requester, auth: { authorization: `Bearer ${testKey}` } };
    const body = {
      project: name,
      prompt: [{ role: 'user', content: 'Hi' }],
      responses: [
        { id: 'x', model: 'm1', messages: [{ role: 'assistant', content: 'Hello' }] },
        { id: 'y', model: 'm2', messages: [{ role: 'assistant', content: 'Yo' }] },
      ],
    };
    const created = (await call('POST', '/v1/task/comparison', asTest, body)).json();
    expect(created).toMatchObject({ is_test: true, status: 'completed', response: { winner: 'x', display_order: ['x', 'y'] }, result: { method: 'synthetic' } });
    const live = (await call('POST', '/v1/task/comparison', requester, body)).json();
    expect((await call('GET', `/v1/task/${live.task_id}`, asTest)).json().code).toBe('task_not_found');
    expect((await call('POST', `/v1/task/${live.task_id}/cancel`, asTest)).json().code).toBe('task_not_found');
    expect((await call('GET', `/v1/tasks?project=${name}`, asTest)).json().docs.map((d: { task_id: string }) => d.task_id)).toEqual([created.task_id]);
  });

  it('rate-limits an API key with Retry-After', async () => {
    const limited = await startTestApp(dialect, { config: { apiRateLimit: 5 } });
    const actor = await makeActor(limited, 'requester');
    const codes = [];
    for (let i = 0; i < 7; i++) codes.push((await limited.app.inject({ url: '/v1/projects', headers: actor.auth })).statusCode);
    expect(codes).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const res = await limited.app.inject({ url: '/v1/projects', headers: actor.auth });
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(res.json().code).toBe('rate_limited');
    await limited.close();
  });
});
