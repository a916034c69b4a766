import { type ChildProcess, fork } from 'node:child_process';
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Database, migrateToLatest, openDatabase } from '../src/db/index.ts';
import { createUser } from '../src/modules/accounts/index.ts';
import { deliverDueWebhooks, drainDueWebhooks, enqueueWebhook, httpSender, newWebhookSecret, type Sender, signWebhook, webhookSecret } from '../src/modules/webhooks/index.ts';
import { BENCH_PASSWORD, fmt, log, REPO_ROOT, Samples, sleep, table } from './lib/common.ts';

/*
 * Webhook delivery throughput (bench/run.ts section "webhooks", through lib/external-section.ts).
 *
 * A receiver in a child process of its own (node:http on 127.0.0.1, port 0) checks every delivery as
 * a customer would, from README.md "Callbacks" and standardwebhooks.com, with its own HMAC code rather
 * than the module's signWebhook, so a signing bug cannot hide behind the same bug in the check: the
 * three headers present, the timestamp within 5 minutes, one `v1,` signature equal to
 * HMAC-SHA256(base64-decoded whsec_ secret, `id.timestamp.body`), a JSON body, and webhook-id not
 * seen before in the run. Valid deliveries get 204; invalid ones 400 and are counted apart.
 *
 * The system under test, on a fresh migrated SQLite database per run: N deliveries queued with
 * enqueueWebhook (transactions of 500), then drained by deliverDueWebhooks (lease 100 due rows, sign
 * and POST them at once with httpSender, settle each) called back to back until nothing is pending,
 * by one loop and by several concurrent loops. The baseline, in the same run and with no database,
 * signs and POSTs the same bodies to the same receiver in the same shape: batches of 100 awaited
 * together, by as many loops. Last, the job as src/jobs/index.ts schedules it (every second, one run
 * at a time per process, default limit 100): a burst, and a steady trickle for end-to-end latency.
 *
 * WEBHOOK_BENCH_N: deliveries per throughput run (default 20,000).
 * WEBHOOK_BENCH_LOOPS: concurrent delivery loops in the concurrent runs (default 4).
 */

const N = Number(process.env.WEBHOOK_BENCH_N ?? 20_000);
const LOOPS = Number(process.env.WEBHOOK_BENCH_LOOPS ?? 4);
// deliverDueWebhooks's default limit, which the job uses.
const BATCH = 100;
// The deliver-webhooks job's period in src/jobs/index.ts.
const JOB_EVERY_MS = 1_000;
const JOB_BURST = Math.min(N, 1_000);
const TRICKLE_PER_SECOND = 50;
const TRICKLE_SECONDS = 5;
const SELF = fileURLToPath(import.meta.url);

// ---------------------------------------------------------------------------------------------
// The receiver (child process)

interface ReceiverStats {
  valid: number;
  invalid: number;
  duplicates: number;
  /** Invalid deliveries by reason. */
  reasons: Record<string, number>;
  /** CPU ms the receiver used since the last reset. */
  cpuMs: number;
  /** [webhook-id, epoch ms at receipt] of valid deliveries, when asked for. */
  times?: [string, number][];
}

type ReceiverRequest = { type: 'reset'; secret: string } | { type: 'stats'; withTimes: boolean };

/** Why a delivery fails a customer's check, or undefined when it passes. */
function customerCheck(key: Buffer, headers: IncomingHttpHeaders, body: string, nowSeconds: number): string | undefined {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signature = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signature !== 'string') return 'missing webhook-* header';
  const seconds = Number(timestamp);
  if (!Number.isInteger(seconds) || Math.abs(nowSeconds - seconds) > 300) return 'timestamp outside 5 minutes';
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  const matches = signature.split(' ').some((candidate) => {
    const [version, value] = candidate.split(',', 2);
    if (version !== 'v1' || !value) return false;
    const got = Buffer.from(value, 'base64');
    return got.length === expected.length && timingSafeEqual(got, expected);
  });
  if (!matches) return 'no matching v1 signature';
  try {
    JSON.parse(body);
  } catch {
    return 'body is not JSON';
  }
  return undefined;
}

async function receiverMain(): Promise<void> {
  let key = Buffer.alloc(0);
  let stats: ReceiverStats = { valid: 0, invalid: 0, duplicates: 0, reasons: {}, cpuMs: 0 };
  let seen = new Set<string>();
  let times: [string, number][] = [];
  let cpu0 = process.cpuUsage();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.timeOrigin + performance.now();
      const problem = customerCheck(key, req.headers, Buffer.concat(chunks).toString('utf8'), Math.floor(Date.now() / 1000));
      if (problem) {
        stats.invalid++;
        stats.reasons[problem] = (stats.reasons[problem] ?? 0) + 1;
        res.writeHead(400).end(problem);
        return;
      }
      const id = req.headers['webhook-id'] as string;
      // At least once: a repeat is acknowledged and dropped, as the README asks receivers to do.
      if (seen.has(id)) stats.duplicates++;
      else {
        seen.add(id);
        stats.valid++;
        times.push([id, at]);
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  process.on('message', (m: ReceiverRequest) => {
    if (m.type === 'reset') {
      key = Buffer.from(m.secret.startsWith('whsec_') ? m.secret.slice(6) : m.secret, 'base64');
      stats = { valid: 0, invalid: 0, duplicates: 0, reasons: {}, cpuMs: 0 };
      seen = new Set();
      times = [];
      cpu0 = process.cpuUsage();
      process.send?.({ type: 'reset' });
    } else {
      const cpu = process.cpuUsage(cpu0);
      process.send?.({ type: 'stats', stats: { ...stats, cpuMs: (cpu.user + cpu.system) / 1000, ...(m.withTimes && { times }) } });
    }
  });
  // The receiver lives as long as the benchmark that started it.
  process.on('disconnect', () => process.exit(0));
  process.send?.({ type: 'ready', port: (server.address() as AddressInfo).port });
}

/** The receiver child, driven over IPC one request at a time. */
class Receiver {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(): Promise<Receiver> {
    const child = fork(SELF, ['webhook-receiver'], { cwd: REPO_ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const port = await new Promise<number>((done, fail) => {
      child.once('message', (m: { port: number }) => done(m.port));
      child.once('error', fail);
      child.once('exit', (code) => fail(new Error(`the webhook receiver exited with ${code} before listening`)));
    });
    child.removeAllListeners('exit');
    return new Receiver(child, `http://127.0.0.1:${port}/hooks/tessera`);
  }

  private request<T>(message: ReceiverRequest): Promise<T> {
    return new Promise((done) => {
      this.child.once('message', (m) => done(m as T));
      this.child.send(message);
    });
  }

  /** Forgets what was received and checks signatures with `secret` from now on. */
  async reset(secret: string): Promise<void> {
    await this.request({ type: 'reset', secret });
  }

  async stats(withTimes = false): Promise<ReceiverStats> {
    return (await this.request<{ stats: ReceiverStats }>({ type: 'stats', withTimes })).stats;
  }

  stop(): void {
    if (this.child.connected) this.child.disconnect();
    if (this.child.exitCode === null) this.child.kill();
  }
}

// ---------------------------------------------------------------------------------------------
// The runs

/** A task.completed callback body as the module builds it (`{task, response, task_id}`), about 1 KB. */
function callbackPayload(i: number) {
  const response = { category: ['positive', 'negative', 'neutral'][i % 3] };
  const at = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
  const task = {
    task_id: String(i + 1),
    project: 'reviews-sentiment',
    batch: `batch-${Math.floor(i / 1000)}`,
    type: 'categorization',
    status: 'completed',
    sub_status: null,
    created_at: at,
    updated_at: at,
    completed_at: at,
    instruction: 'Is this review positive, negative or neutral?',
    callback_url: 'https://example.com/hooks/tessera',
    attachments: [{ type: 'text', content: `Arrived quickly and works as described. Battery lasts two days. (#${i})` }],
    unique_id: `review-${i}`,
    priority: 0,
    responses_required: 3,
    metadata: { source: i % 2 ? 'web' : 'app', shop: `shop-${i % 50}` },
    tags: ['bench'],
    params: { categories: ['positive', 'negative', 'neutral'] },
    response,
    result: { answer: response, confidence: 0.97, method: 'skill_posterior', n_answers: 3, agreement: 1, decided_by: { kind: 'aggregation' } },
    is_test: false,
    predictions: null,
  };
  return { task, response, task_id: task.task_id };
}

interface Run {
  name: string;
  loops: number;
  count: number;
  ms: number;
  /** Time from handing a request to the HTTP client to its response. */
  roundTrip: Samples;
  cpuMs: number;
  receiver: ReceiverStats;
  /** Rows not delivered at the end (outbox runs). */
  notDelivered?: number;
  /** Enqueue to receipt (job runs). */
  endToEnd?: Samples;
  enqueueMs?: number;
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** The baseline: sign and POST the bodies in batches of BATCH awaited together, by `loops` loops; no database. */
async function bareRun(receiver: Receiver, name: string, bodies: string[], loops: number): Promise<Run> {
  const secret = newWebhookSecret();
  const items = bodies.map((body) => ({ id: `msg_${randomUUID().replaceAll('-', '')}`, body }));
  await receiver.reset(secret);
  const roundTrip = new Samples();
  let next = 0;
  let refused = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: loops }, async () => {
      for (;;) {
        const batch = items.slice(next, next + BATCH);
        next += batch.length;
        if (batch.length === 0) return;
        await Promise.all(
          batch.map(async ({ id, body }) => {
            const timestamp = Math.floor(Date.now() / 1000);
            const headers = { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signWebhook(secret, id, timestamp, body) };
            const sent = performance.now();
            const status = await httpSender(receiver.url, headers, body);
            roundTrip.push(performance.now() - sent);
            if (status < 200 || status >= 300) refused++;
          }),
        );
      }
    }),
  );
  const ms = performance.now() - t0;
  const cpuMs = cpuMsSince(cpu0);
  return { name, loops, count: items.length, ms, roundTrip, cpuMs, receiver: await receiver.stats(), notDelivered: refused };
}

/** A fresh migrated SQLite database with one requester; its webhook secret. */
async function freshOutbox(dir: string, name: string): Promise<{ database: Database; ownerId: number; secret: string }> {
  const database = openDatabase({ sqliteFile: join(dir, `${name}.db`) });
  await migrateToLatest(database);
  const user = await createUser(database.db, { email: `${name}@bench.test`, password: BENCH_PASSWORD, role: 'requester' }, Date.now());
  return { database, ownerId: user.id, secret: await webhookSecret(database.db, user.id, Date.now()) };
}

async function undelivered(database: Database): Promise<number> {
  const row = await database.db.selectFrom('webhook_outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '!=', 'delivered').executeTakeFirstOrThrow();
  return Number(row.n);
}

async function pendingCount(database: Database): Promise<number> {
  const row = await database.db.selectFrom('webhook_outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'pending').executeTakeFirstOrThrow();
  return Number(row.n);
}

/** httpSender, timed. */
function timedSender(roundTrip: Samples): Sender {
  return async (url, headers, body) => {
    const sent = performance.now();
    try {
      return await httpSender(url, headers, body);
    } finally {
      roundTrip.push(performance.now() - sent);
    }
  };
}

/** The system under test: `count` deliveries queued, then deliverDueWebhooks back to back by `loops` loops until none is due. */
async function outboxRun(receiver: Receiver, dir: string, name: string, count: number, loops: number): Promise<Run> {
  const { database, ownerId, secret } = await freshOutbox(dir, `outbox-${loops}`);
  try {
    const e0 = performance.now();
    for (let from = 0; from < count; from += 500) {
      await database.db.transaction().execute(async (trx) => {
        for (let i = from; i < Math.min(count, from + 500); i++) {
          await enqueueWebhook(trx, { ownerId, event: 'task.completed', url: receiver.url, payload: callbackPayload(i), now: Date.now() });
        }
      });
    }
    const enqueueMs = performance.now() - e0;
    await receiver.reset(secret);
    const roundTrip = new Samples();
    const send = timedSender(roundTrip);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: loops }, async () => {
        while ((await deliverDueWebhooks(database, Date.now, send)) > 0);
      }),
    );
    const ms = performance.now() - t0;
    const cpuMs = cpuMsSince(cpu0);
    return { name, loops, count, ms, roundTrip, cpuMs, receiver: await receiver.stats(), notDelivered: await undelivered(database), enqueueMs };
  } finally {
    await database.dialect.close();
  }
}

/**
 * The job as src/jobs/index.ts runs it: drainDueWebhooks every JOB_EVERY_MS, skipped while the
 * previous run is still going. `feed` queues the deliveries (all at once, or over time); the run ends
 * at the first job run after which nothing is pending.
 */
async function jobRun(receiver: Receiver, dir: string, name: string, feed: (enqueue: (i: number) => Promise<void>) => Promise<void>): Promise<Run> {
  const { database, ownerId, secret } = await freshOutbox(dir, `job-${name}`);
  try {
    await receiver.reset(secret);
    const queuedAt = new Map<string, number>();
    const enqueue = async (i: number) => {
      const now = Date.now();
      // One transaction per delivery, as a task completion queues its callback.
      const id = await database.db.transaction().execute((trx) => enqueueWebhook(trx, { ownerId, event: 'task.completed', url: receiver.url, payload: callbackPayload(i), now }));
      queuedAt.set(id, now);
    };
    const roundTrip = new Samples();
    const send = timedSender(roundTrip);
    let fed = false;
    let running = false;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const finished = new Promise<number>((done, fail) => {
      const timer = setInterval(() => {
        if (running) return;
        running = true;
        drainDueWebhooks(database, Date.now, undefined, send)
          .then(async () => {
            if (fed && (await pendingCount(database)) === 0) {
              clearInterval(timer);
              done(performance.now());
            }
          })
          .catch((error: unknown) => {
            clearInterval(timer);
            fail(error);
          })
          .finally(() => {
            running = false;
          });
      }, JOB_EVERY_MS);
    });
    await feed(enqueue);
    fed = true;
    const ms = (await finished) - t0;
    const cpuMs = cpuMsSince(cpu0);
    const stats = await receiver.stats(true);
    const endToEnd = new Samples();
    for (const [id, at] of stats.times ?? []) {
      const queued = queuedAt.get(id);
      if (queued !== undefined) endToEnd.push(at - queued);
    }
    delete stats.times;
    return { name, loops: 1, count: queuedAt.size, ms, roundTrip, cpuMs, receiver: stats, notDelivered: await undelivered(database), endToEnd };
  } finally {
    await database.dialect.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Report

const perSecond = (r: Run) => r.count / (r.ms / 1000);

function checks(r: Run): string {
  const reasons = Object.entries(r.receiver.reasons).map(([why, n]) => `${n} ${why}`);
  return `${fmt.int(r.receiver.valid)} / ${fmt.int(r.receiver.invalid)} / ${fmt.int(r.receiver.duplicates)}${reasons.length ? ` (${reasons.join(', ')})` : ''}${r.notDelivered ? `, **${fmt.int(r.notDelivered)} not delivered**` : ''}`;
}

/** Milliseconds, as seconds from 1 s up. */
const dur = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : fmt.ms(ms));
const p50p99 = (s: Samples) => `${dur(s.percentile(50))} / ${dur(s.percentile(99))}`;
const cpuShare = (cpuMs: number, ms: number) => fmt.pct(cpuMs / ms);
/** Sender CPU ms per delivery. */
const cpuEach = (r: Run) => r.cpuMs / r.count;

/** Runs the webhook delivery benchmark and returns its Markdown block. */
export async function runWebhooksBench(): Promise<string> {
  const dir = mkdtempSync(join(process.env.TESSERA_BENCH_DIR ?? tmpdir(), 'webhooks-'));
  const receiver = await Receiver.start();
  try {
    const bodies = Array.from({ length: N }, (_, i) => JSON.stringify(callbackPayload(i)));
    const bytes = bodies.reduce((a, b) => a + Buffer.byteLength(b), 0) / N;
    log(`webhooks: receiver at ${receiver.url}; ${fmt.int(N)} deliveries of ~${fmt.int(bytes)} bytes per run`);
    // Warms the JIT, the HTTP client's connection pool and the receiver; not reported.
    await bareRun(receiver, 'warm-up', bodies.slice(0, Math.min(N, 2_000)), 1);

    const bare1a = await bareRun(receiver, 'bare loop (first)', bodies, 1);
    log(`webhooks: bare, 1 loop: ${fmt.rate(perSecond(bare1a), 'deliveries/s')}`);
    const outbox1 = await outboxRun(receiver, dir, 'outbox, 1 loop', N, 1);
    log(`webhooks: outbox, 1 loop: ${fmt.rate(perSecond(outbox1), 'deliveries/s')}`);
    const bare1b = await bareRun(receiver, 'bare loop (last)', bodies, 1);
    log(`webhooks: bare, 1 loop again: ${fmt.rate(perSecond(bare1b), 'deliveries/s')}`);
    const bareK = await bareRun(receiver, `bare, ${LOOPS} loops`, bodies, LOOPS);
    log(`webhooks: bare, ${LOOPS} loops: ${fmt.rate(perSecond(bareK), 'deliveries/s')}`);
    const outboxK = await outboxRun(receiver, dir, `outbox, ${LOOPS} loops`, N, LOOPS);
    log(`webhooks: outbox, ${LOOPS} loops: ${fmt.rate(perSecond(outboxK), 'deliveries/s')}`);

    log(`webhooks: the job as scheduled: a burst of ${fmt.int(JOB_BURST)}, then ${TRICKLE_PER_SECOND}/s for ${TRICKLE_SECONDS} s`);
    const burst = await jobRun(receiver, dir, 'burst', async (enqueue) => {
      for (let i = 0; i < JOB_BURST; i++) await enqueue(i);
    });
    const trickle = await jobRun(receiver, dir, 'trickle', async (enqueue) => {
      // Ten times a second, a tenth of the rate: completions arriving steadily.
      const step = TRICKLE_PER_SECOND / 10;
      const start = performance.now();
      for (let tick = 0; tick < TRICKLE_SECONDS * 10; tick++) {
        for (let j = 0; j < step; j++) await enqueue(tick * step + j);
        await sleep(Math.max(0, start + (tick + 1) * 100 - performance.now()));
      }
    });
    log(`webhooks: job burst ${fmt.rate(perSecond(burst), 'deliveries/s')}; trickle end-to-end p50 ${fmt.ms(trickle.endToEnd?.percentile(50) ?? Number.NaN)}`);

    const bare1 = perSecond(bare1a) >= perSecond(bare1b) ? bare1a : bare1b;
    const ratio1 = perSecond(outbox1) / perSecond(bare1);
    const ratioK = perSecond(outboxK) / perSecond(bareK);
    const invalid = [bare1a, outbox1, bare1b, bareK, outboxK, burst, trickle].reduce((a, r) => a + r.receiver.invalid, 0);
    const duplicates = [outbox1, outboxK, burst, trickle].reduce((a, r) => a + r.receiver.duplicates, 0);
    const row = (r: Run, vs: Run | undefined) => [
      r.name,
      fmt.int(r.count),
      fmt.int(r.loops * BATCH),
      fmt.s(r.ms),
      `**${fmt.int(perSecond(r))}**`,
      vs ? fmt.pct(perSecond(r) / perSecond(vs)) : '',
      p50p99(r.roundTrip),
      `${cpuShare(r.cpuMs, r.ms)} (${fmt.ms(cpuEach(r))})`,
      cpuShare(r.receiver.cpuMs, r.ms),
      checks(r),
    ];
    return [
      '## Webhook delivery (SQLite, local receiver)',
      '',
      `Webhook delivery throughput to a local receiver (deliveries/s) with signatures: ${fmt.int(N)} \`task.completed\` callbacks of about`,
      `${fmt.int(bytes)} bytes queued with \`enqueueWebhook\` in a fresh migrated SQLite database (per run), then drained by calling`,
      '`deliverDueWebhooks` back to back until nothing is pending: each call leases the 100 oldest due rows, signs and POSTs them at',
      'once with `httpSender` (fetch), waits for all of them, and settles each delivery in its own transaction. The receiver is',
      'node:http on 127.0.0.1 in a child process of its own; it checks every delivery as a customer would (Standard Webhooks:',
      'headers present, timestamp within 5 minutes, HMAC-SHA256 of `id.timestamp.body` under the account secret, a JSON body, a',
      'webhook-id not seen before) with its own HMAC code, answers 204, and counts invalid deliveries and repeats apart. The',
      'baseline, in the same run, signs (`signWebhook`) and POSTs (`httpSender`) the same bodies to the same receiver in the same',
      'shape, batches of 100 awaited together, with no database; the single-loop baseline ran before and after the outbox, the',
      `faster run counts. The concurrent runs start ${LOOPS} such loops in one process (up to ${LOOPS * BATCH} requests in flight); on SQLite`,
      'that is safe: the lease (select due rows, push their next attempt a minute ahead) is one transaction on the single',
      'connection, so loops never lease the same row; a repeat would show in the repeat column. Round trip is from handing',
      'a request to the HTTP client to its response; CPU is CPU time over wall time (100% = one core), the sender process',
      '(delivery code or baseline, and SQLite) and the receiver.',
      '',
      table(
        ['run', 'deliveries', 'in flight (max)', 'wall time', 'deliveries/s', 'of bare', 'round trip p50 / p99', 'sender CPU (per delivery)', 'receiver CPU', 'valid / invalid / repeat'],
        [row(bare1a, undefined), row(outbox1, bare1), row(bare1b, undefined), row(bareK, undefined), row(outboxK, bareK)],
        ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
      ),
      '',
      `The outbox delivers ${fmt.int(perSecond(outbox1))} deliveries/s with one loop, ${fmt.pct(ratio1)} of the bare loop's ${fmt.int(perSecond(bare1))}/s, and`,
      `${fmt.int(perSecond(outboxK))}/s with ${LOOPS} loops (${fmt.pct(ratioK)} of the bare ${fmt.int(perSecond(bareK))}/s). Invalid deliveries in all runs: **${invalid}**;`,
      `repeated webhook-ids: ${duplicates}. Queuing took ${dur(outbox1.enqueueMs ?? Number.NaN)} for ${fmt.int(N)} rows (${fmt.rate(N / ((outbox1.enqueueMs ?? Number.NaN) / 1000), 'rows/s')}, transactions of 500).`,
      '',
      `**As the job runs it.** src/jobs/index.ts runs \`drainDueWebhooks\` every ${JOB_EVERY_MS / 1000} s (never two runs at once in a process):`,
      `batches of ${BATCH} back to back until nothing is due or 5 s have passed, so a backlog drains at the outbox's own speed:`,
      '',
      table(
        ['load', 'deliveries', 'wall time', 'deliveries/s', 'enqueue → receipt p50 / p99 / max', 'round trip p50 / p99', 'valid / invalid / repeat'],
        [burst, trickle].map((r) => [
          r === burst ? `a burst of ${fmt.int(JOB_BURST)} queued at once` : `${TRICKLE_PER_SECOND}/s for ${TRICKLE_SECONDS} s, one transaction each`,
          fmt.int(r.count),
          fmt.s(r.ms),
          fmt.int(perSecond(r)),
          r.endToEnd ? `${dur(r.endToEnd.percentile(50))} / ${dur(r.endToEnd.percentile(99))} / ${dur(r.endToEnd.percentile(100))}` : '',
          p50p99(r.roundTrip),
          checks(r),
        ]),
        ['l', 'r', 'r', 'r', 'r', 'r', 'l'],
      ),
      '',
      'What bounds it: back to back, each call waits for the slowest of its 100 requests before it leases again, and every',
      'delivery then commits a transaction of its own through the single SQLite connection, on the same thread as the HTTP',
      `client: the outbox spent ${fmt.ms(cpuEach(outbox1))} of sender CPU per delivery with one loop against ${fmt.ms(cpuEach(bare1))} for the bare loop, which only`,
      'signs and POSTs. A receiver that hangs until the 10 s timeout holds up the other 99 deliveries of its batch.',
    ].join('\n');
  } finally {
    receiver.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === SELF) {
  if (process.argv[2] === 'webhook-receiver') await receiverMain();
  else process.stdout.write(`${await runWebhooksBench()}\n`);
}
