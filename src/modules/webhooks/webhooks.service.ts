import { randomUUID } from 'node:crypto';
import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import type { Database, DB, WebhookOutboxTable } from '../../db/index.ts';
import { AppError } from '../../server/errors.ts';
import { findProjectById, type Project } from '../projects/index.ts';
import { type CompletedTask, onTaskCompleted, presentTask } from '../tasks/index.ts';
import { MAX_ATTEMPTS, newWebhookSecret, retryDelayMs, signWebhook } from './signing.ts';

type Executor = Kysely<DB> | Transaction<DB>;

/** The account's webhook secret, created on first use. */
export async function webhookSecret(db: Executor, ownerId: number, now: number): Promise<string> {
  await db.insertInto('webhook_secrets').values({ owner_id: ownerId, secret: newWebhookSecret(), created_at: now }).onConflict((oc) => oc.column('owner_id').doNothing()).execute();
  return (await db.selectFrom('webhook_secrets').select('secret').where('owner_id', '=', ownerId).executeTakeFirstOrThrow()).secret;
}

/** Replaces the account's webhook secret; deliveries signed from now on use the new one. */
export async function rotateWebhookSecret(db: Executor, ownerId: number, now: number): Promise<string> {
  const secret = newWebhookSecret();
  await db
    .insertInto('webhook_secrets')
    .values({ owner_id: ownerId, secret, created_at: now })
    .onConflict((oc) => oc.column('owner_id').doUpdateSet({ secret, created_at: now }))
    .execute();
  return secret;
}

/** Queues a delivery in the caller's transaction: it is sent if and only if that transaction commits. */
export async function enqueueWebhook(trx: Executor, row: { ownerId: number; taskId?: number; batchId?: number; event: string; url: string; payload: unknown; now: number }): Promise<string> {
  const webhookId = `msg_${randomUUID().replaceAll('-', '')}`;
  await trx
    .insertInto('webhook_outbox')
    .values({
      owner_id: row.ownerId,
      task_id: row.taskId ?? null,
      batch_id: row.batchId ?? null,
      event: row.event,
      url: row.url,
      payload: JSON.stringify(row.payload),
      webhook_id: webhookId,
      status: 'pending',
      next_attempt_at: row.now,
      created_at: row.now,
    })
    .execute();
  return webhookId;
}

/** The callback body for a task: `{task, response, task_id}` (API.md). */
export function taskCallbackPayload(task: CompletedTask & { project_name: string }, project: Project) {
  const presented = presentTask(task, project.params);
  return { task: presented, response: presented.response, task_id: presented.task_id };
}

async function onCompleted(trx: Transaction<DB>, task: CompletedTask, project: Project, now: number): Promise<void> {
  if (task.callback_url) {
    await enqueueWebhook(trx, { ownerId: task.owner_id, taskId: task.id, event: 'task.completed', url: task.callback_url, payload: taskCallbackPayload({ ...task, project_name: project.name }, project), now });
  }
  if (task.batch === null) return;
  const batch = await trx.selectFrom('batches').selectAll().where('owner_id', '=', task.owner_id).where('name', '=', task.batch).executeTakeFirst();
  if (!batch || batch.status !== 'in_progress') return;
  const open = await trx.selectFrom('tasks').select('id').where('owner_id', '=', task.owner_id).where('batch', '=', task.batch).where('status', '=', 'pending').where('is_gold', '=', 0).limit(1).executeTakeFirst();
  if (open) return;
  await trx.updateTable('batches').set({ status: 'completed', completed_at: now }).where('id', '=', batch.id).execute();
  if (batch.callback_url) {
    await enqueueWebhook(trx, { ownerId: batch.owner_id, batchId: batch.id, event: 'batch.completed', url: batch.callback_url, payload: { batch: batch.name, project: project.name, status: 'completed' }, now });
  }
}

let registered = false;
/** Hooks callbacks into task completion (once per process). */
export function registerWebhookHooks(): void {
  if (registered) return;
  registered = true;
  onTaskCompleted(onCompleted);
}

/** Queues the task's completion callback again (a new delivery with a new webhook-id). */
export async function resendCallback(database: Database, ownerId: number, isAdmin: boolean, taskId: number, now: number) {
  const { db } = database;
  const task = await db.selectFrom('tasks').innerJoin('projects', 'projects.id', 'tasks.project_id').selectAll('tasks').select('projects.name as project_name').where('tasks.id', '=', taskId).executeTakeFirst();
  if (!task || (task.owner_id !== ownerId && !isAdmin)) throw new AppError('task_not_found', `No task ${taskId}`);
  if (!task.callback_url) throw new AppError('no_callback_url');
  if (task.status !== 'completed') throw new AppError('task_not_completed');
  const project = (await findProjectById(db, task.project_id)) as Project;
  const webhookId = await db.transaction().execute(async (trx) => {
    await trx.updateTable('tasks').set({ callback_succeeded: null }).where('id', '=', task.id).execute();
    return enqueueWebhook(trx, { ownerId: task.owner_id, taskId: task.id, event: 'task.completed', url: task.callback_url as string, payload: taskCallbackPayload(task, project), now });
  });
  return { task_id: String(task.id), webhook_id: webhookId };
}

type OutboxRow = Selectable<WebhookOutboxTable>;

/** Sends one delivery; resolves to the HTTP status, or throws on a network error or timeout. */
export type Sender = (url: string, headers: Record<string, string>, body: string) => Promise<number>;

export const httpSender: Sender = async (url, headers, body) => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
  await res.body?.cancel();
  return res.status;
};

/**
 * Delivers due webhooks: each due row is leased for a minute (so another node does not send it at
 * the same time), POSTed with Standard-Webhooks headers, then marked delivered, or rescheduled with
 * backoff, or after 20 attempts marked failed with the task's callback_succeeded = false.
 * At least once: a crash between the send and the mark sends again, with the same webhook-id.
 */
export async function deliverDueWebhooks(database: Database, now: () => number, send: Sender = httpSender, limit = BATCH): Promise<number> {
  const { db, dialect } = database;
  const due = await db.transaction().execute(async (trx) => {
    const rows = (await sql<OutboxRow>`SELECT * FROM webhook_outbox WHERE status = 'pending' AND next_attempt_at <= ${now()} ORDER BY next_attempt_at LIMIT ${sql.lit(limit)} ${sql.raw(dialect.forUpdateSkipLocked)}`.execute(trx)).rows;
    if (rows.length) await trx.updateTable('webhook_outbox').set({ next_attempt_at: now() + 60_000 }).where('id', 'in', rows.map((r) => r.id)).execute();
    return rows;
  });
  const secrets = new Map<number, string>();
  await Promise.all(
    due.map(async (row) => {
      let secret = secrets.get(row.owner_id);
      if (!secret) {
        secret = await webhookSecret(db, row.owner_id, now());
        secrets.set(row.owner_id, secret);
      }
      const timestamp = Math.floor(now() / 1000);
      let status: number | null = null;
      let error: string | null = null;
      try {
        status = await send(row.url, { 'webhook-id': row.webhook_id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signWebhook(secret, row.webhook_id, timestamp, row.payload) }, row.payload);
      } catch (e) {
        error = (e as Error).message.slice(0, 500);
      }
      await settle(db, row, status, error, now());
    }),
  );
  return due.length;
}

const BATCH = 100;

/**
 * The delivery job's run: batch after batch until nothing is due or `budgetMs` of wall time has
 * passed, so a backlog (a large batch completing at once) drains at the speed of HTTP rather than one
 * batch per job period. Returns how many were attempted.
 */
export async function drainDueWebhooks(database: Database, now: () => number, budgetMs = 5_000, send: Sender = httpSender): Promise<number> {
  const until = performance.now() + budgetMs;
  let total = 0;
  for (;;) {
    const n = await deliverDueWebhooks(database, now, send, BATCH);
    total += n;
    if (n < BATCH || performance.now() >= until) return total;
  }
}

async function settle(db: Kysely<DB>, row: OutboxRow, status: number | null, error: string | null, now: number): Promise<void> {
  const attempts = row.attempts + 1;
  const ok = status !== null && status >= 200 && status < 300;
  await db.transaction().execute(async (trx) => {
    if (ok) {
      await trx.updateTable('webhook_outbox').set({ status: 'delivered', attempts, last_status: status, last_error: null, delivered_at: now }).where('id', '=', row.id).execute();
    } else if (attempts >= MAX_ATTEMPTS) {
      await trx.updateTable('webhook_outbox').set({ status: 'failed', attempts, last_status: status, last_error: error }).where('id', '=', row.id).execute();
    } else {
      await trx.updateTable('webhook_outbox').set({ attempts, last_status: status, last_error: error, next_attempt_at: now + retryDelayMs(attempts) }).where('id', '=', row.id).execute();
    }
    if (row.task_id !== null && (ok || attempts >= MAX_ATTEMPTS)) await trx.updateTable('tasks').set({ callback_succeeded: ok ? 1 : 0 }).where('id', '=', row.task_id).execute();
  });
}
