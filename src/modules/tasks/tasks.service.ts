import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, DB } from '../../db/index.ts';
import { AppError } from '../../server/errors.ts';
import type { Principal } from '../accounts/index.ts';
import { bumpTaskCount, countTasksByStatus, findProjectById, getProjectFor, listProjectsFor, moveTaskCount, type Project } from '../projects/index.ts';
import { findTaskType } from '../task-types/index.ts';
import { batchGate } from './batches.service.ts';
import { taskCompletedIn } from './completion.ts';
import { syntheticResponse } from './synthetic.ts';
import { buildTaskDraft, isProblem, MAX_METADATA_BYTES } from './task-input.ts';
import {
  completeSynthetic,
  countTaskRows,
  findByDedupeKeys,
  findIdempotentResponse,
  findTaskRow,
  insertTaskDrafts,
  listTaskRows,
  lockTaskRow,
  saveIdempotentResponse,
  setTaskStatus,
  type TaskFilter,
  type TaskRow,
} from './tasks.repository.ts';

/** A task is visible to its owner (and admins); a test key sees only test tasks. */
export function visibleTo(principal: Principal, task: { owner_id: number; is_test: number }): boolean {
  if (principal.isTest && task.is_test !== 1) return false;
  return task.owner_id === principal.id || principal.role === 'admin';
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * The requester's view of a task, as `GET /v1/task/{id}` returns it. Type fields appear under
 * `params`, merged over the project's presets.
 */
export function presentTask(row: TaskRow, projectParams: Record<string, unknown>) {
  return {
    task_id: String(row.id),
    project: row.project_name,
    batch: row.batch,
    type: row.type,
    status: row.status,
    sub_status: row.sub_status,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    completed_at: iso(row.completed_at),
    instruction: row.instruction,
    callback_url: row.callback_url,
    attachments: JSON.parse(row.attachments),
    unique_id: row.unique_id,
    priority: row.priority,
    responses_required: row.responses_required,
    metadata: JSON.parse(row.metadata),
    tags: JSON.parse(row.tags),
    params: { ...projectParams, ...JSON.parse(row.params) },
    response: row.response === null ? null : JSON.parse(row.response),
    result: row.result === null ? null : JSON.parse(row.result),
    is_test: row.is_test === 1,
    // Model suggestions stay apart from human answers.
    predictions: row.predictions === null ? null : JSON.parse(row.predictions),
    ...(row.is_gold === 1 && {
      is_gold: true,
      expected_response: row.expected_response === null ? null : JSON.parse(row.expected_response),
      explanation: row.gold_explanation,
    }),
  };
}

export type PresentedTask = ReturnType<typeof presentTask>;

async function projectParamsOf(db: Kysely<DB>, rows: TaskRow[]): Promise<Map<number, Record<string, unknown>>> {
  const out = new Map<number, Record<string, unknown>>();
  for (const id of new Set(rows.map((r) => r.project_id))) out.set(id, (await findProjectById(db, id))?.params ?? {});
  return out;
}

/** A task the caller owns (admins: any); throws task_not_found, also for another account's task. */
export async function getTaskFor(db: Kysely<DB>, principal: Principal, id: number): Promise<PresentedTask> {
  const row = await findTaskRow(db, id);
  if (!row || !visibleTo(principal, row)) throw new AppError('task_not_found', `No task ${id}`);
  const project = await findProjectById(db, row.project_id);
  const task = presentTask(row, project?.params ?? {});
  if (!project?.quality.annotator_responses) return task;
  // The project asked for each worker's answer beside the aggregate (API.md).
  const answers = await db
    .selectFrom('assignments')
    .select(['id', 'worker_id', 'response', 'ended_at', 'review_status'])
    .where('task_id', '=', id)
    .where('status', '=', 'submitted')
    .orderBy('id')
    .execute();
  const annotatorResponses = answers.map((a) => ({
    assignment_id: String(a.id),
    worker_id: a.worker_id,
    response: JSON.parse(a.response as string),
    submitted_at: iso(a.ended_at),
    review_status: a.review_status,
  }));
  return { ...task, response: { ...(task.response ?? {}), annotator_responses: annotatorResponses } };
}

export interface CreateTaskResult {
  statusCode: number;
  body: unknown;
  replayed: boolean;
}

/**
 * Creates one task (or one gold task) in the named project. With an Idempotency-Key, the first
 * response is stored in the task's own transaction and replayed for 24 h; the same key with a
 * different body is idempotency_key_reused. A repeated unique_id answers unique_id_exists (409)
 * with the existing task_id.
 */
export async function createTask(
  database: Database,
  principal: Principal,
  input: { type: string; body: Record<string, unknown>; gold: boolean; idempotencyKey?: string; selfPort?: number },
  now: number,
): Promise<CreateTaskResult> {
  const { db, dialect } = database;
  const def = findTaskType(input.type);
  if (!def) throw new AppError('unknown_task_type', `No task type "${input.type}"`);
  if (typeof input.body.project !== 'string') throw new AppError('validation_failed', 'body/project is required');
  const project = await getProjectFor(db, principal, input.body.project);
  if (project.type !== def.type) throw new AppError('project_type_mismatch', `Project "${project.name}" is of type ${project.type}, not ${def.type}`);

  const requestHash = createHash('sha256').update(`${input.gold ? 'gold' : 'task'}:${input.type}:${JSON.stringify(input.body)}`).digest('hex');
  if (input.idempotencyKey) {
    const stored = await findIdempotentResponse(db, principal.id, input.idempotencyKey, now - 24 * 3600 * 1000);
    if (stored) {
      if (stored.request_hash !== requestHash) throw new AppError('idempotency_key_reused');
      return { statusCode: stored.status_code, body: JSON.parse(stored.body), replayed: true };
    }
  }

  const draft = buildTaskDraft(project, def, input.body, { requireGold: input.gold, keyByContent: false, selfPort: input.selfPort });
  if (isProblem(draft)) {
    const code = draft.code === 'invalid_callback_url' || draft.code === 'invalid_predictions' ? draft.code : draft.code === 'metadata_too_large' || draft.code === 'invalid_row' || draft.code === 'project_mismatch' ? 'validation_failed' : 'invalid_params';
    throw new AppError(code, draft.message, { path: draft.path, reason: draft.code });
  }
  if (input.gold && !draft.isGold) throw new AppError('invalid_params', 'a gold task needs expected_response');
  if (draft.batch !== null) {
    const gate = await batchGate(db, principal.id, project.id, draft.batch);
    if ('code' in gate) throw new AppError(gate.code === 'batch_not_staging' ? 'batch_not_staging' : 'validation_failed', gate.message);
    draft.held = gate.held;
  }

  const outcome = await db.transaction().execute(async (trx) => {
    const ids = await insertTaskDrafts(trx, dialect, { ownerId: principal.id, projectId: project.id, type: def.type, isTest: principal.isTest, importId: null, now }, [draft]);
    const id = ids.get(draft.dedupeKey);
    if (id === undefined) {
      const existing = (await findByDedupeKeys(trx, principal.id, [draft.dedupeKey])).get(draft.dedupeKey);
      return { conflict: existing?.id ?? null };
    }
    await bumpTaskCount(trx, project.id, 'pending', 1);
    // A test key's task never reaches workers: it completes at once with a schema-valid synthetic answer.
    if (principal.isTest && !draft.isGold) {
      const params = { ...project.params, ...JSON.parse(draft.params) };
      await taskCompletedIn(trx, await completeSynthetic(trx, id, syntheticResponse(def, params), now), project, now);
    }
    const row = (await findTaskRow(trx, id)) as TaskRow;
    const body = presentTask(row, project.params);
    if (input.idempotencyKey) {
      const saved = await saveIdempotentResponse(trx, { owner_id: principal.id, key: input.idempotencyKey, request_hash: requestHash, status_code: 200, body: JSON.stringify(body), created_at: now });
      // Another request with this key won the race: undo ours and replay theirs.
      if (!saved) throw new IdempotencyRace();
    }
    return { body };
  }).catch(async (error) => {
    if (error instanceof IdempotencyRace && input.idempotencyKey) return { race: true as const };
    throw error;
  });

  if ('race' in outcome) return createTask(database, principal, input, now);
  if ('conflict' in outcome) {
    throw new AppError('unique_id_exists', `A task with unique_id "${draft.uniqueId}" already exists`, { task_id: String(outcome.conflict), unique_id: draft.uniqueId });
  }
  return { statusCode: 200, body: outcome.body, replayed: false };
}

class IdempotencyRace extends Error {}

export interface TaskListQuery {
  project?: string;
  batch?: string;
  status?: string;
  type?: string;
  unique_id?: string;
  tags?: string;
  created_after?: string;
  created_before?: string;
  completed_after?: string;
  completed_before?: string;
  limit?: number;
  next_token?: string;
}

function decodeToken(token: string): { after: number; total: number } {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { a: unknown; t: unknown };
    if (Number.isInteger(value.a) && Number.isInteger(value.t)) return { after: value.a as number, total: value.t as number };
  } catch {
    // fall through
  }
  throw new AppError('invalid_next_token');
}

function parseDate(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new AppError('validation_failed', `${name} must be an ISO 8601 date`);
  return ms;
}

/**
 * A page of the caller's tasks, oldest first, with `next_token` for the next page. `total` comes
 * from the per-project counters when only project and status filter (constant time at any size),
 * else from a count on the first page, carried in the token after that.
 */
export async function listTasksFor(db: Kysely<DB>, principal: Principal, q: TaskListQuery) {
  const limit = q.limit ?? 100;
  let project: Project | undefined;
  if (q.project !== undefined) project = await getProjectFor(db, principal, q.project);
  const filter: TaskFilter = {
    ownerId: principal.role === 'admin' && project ? undefined : principal.id,
    projectId: project?.id,
    batch: q.batch,
    status: q.status,
    type: q.type,
    uniqueId: q.unique_id,
    tags: q.tags ? q.tags.split(',').map((t) => t.trim()).filter(Boolean) : undefined,
    createdAfter: parseDate('created_after', q.created_after),
    createdBefore: parseDate('created_before', q.created_before),
    completedAfter: parseDate('completed_after', q.completed_after),
    completedBefore: parseDate('completed_before', q.completed_before),
    testOnly: principal.isTest || undefined,
  };
  const cursor = q.next_token ? decodeToken(q.next_token) : undefined;
  const rows = await listTaskRows(db, filter, cursor?.after ?? 0, limit + 1);
  const hasMore = rows.length > limit;
  const page = hasMore ? rows.slice(0, limit) : rows;
  let total = cursor?.total;
  if (total === undefined) {
    const onlyCounters = Object.entries(filter).every(([k, v]) => v === undefined || k === 'projectId' || k === 'status' || k === 'ownerId');
    if (onlyCounters) {
      const projects = project ? [project] : await listProjectsFor(db, principal);
      const counts = await countTasksByStatus(db, projects.map((p) => p.id));
      total = 0;
      for (const c of counts.values()) for (const [status, n] of Object.entries(c)) if (!q.status || status === q.status) total += n;
    } else {
      total = await countTaskRows(db, filter);
    }
  }
  const params = await projectParamsOf(db, page);
  const last = page[page.length - 1];
  return {
    docs: page.map((row) => presentTask(row, params.get(row.project_id) ?? {})),
    total,
    limit,
    has_more: hasMore,
    next_token: hasMore && last ? Buffer.from(JSON.stringify({ a: last.id, t: total })).toString('base64url') : null,
  };
}

/**
 * Cancels a task nobody has started; canceling a canceled task is a no-op. Throws task_not_found
 * (also for another account's task) or task_not_cancelable (409) once work began or it completed.
 */
export async function cancelTaskFor(database: Database, principal: Principal, id: number, now: number): Promise<PresentedTask> {
  const { db, dialect } = database;
  await db.transaction().execute(async (trx) => {
    const task = await lockTaskRow(trx, dialect, id);
    if (!task || !visibleTo(principal, task)) throw new AppError('task_not_found', `No task ${id}`);
    if (task.status === 'canceled') return;
    if (task.status !== 'pending' || task.active_count > 0 || task.answers_count > 0) throw new AppError('task_not_cancelable');
    await setTaskStatus(trx, id, 'canceled', null, now);
    await moveTaskCount(trx, task.project_id, 'pending', 'canceled');
  });
  return getTaskFor(db, principal, id);
}

/** Replaces a task's metadata (at most 16 KiB as JSON); metadata_too_large otherwise. */
export async function setTaskMetadata(db: Kysely<DB>, principal: Principal, id: number, metadata: Record<string, unknown>, now: number): Promise<PresentedTask> {
  const row = await findTaskRow(db, id);
  if (!row || !visibleTo(principal, row)) throw new AppError('task_not_found', `No task ${id}`);
  const text = JSON.stringify(metadata);
  if (Buffer.byteLength(text) > MAX_METADATA_BYTES) throw new AppError('validation_failed', `metadata is larger than ${MAX_METADATA_BYTES} bytes`, { reason: 'metadata_too_large' });
  await db.updateTable('tasks').set({ metadata: text, updated_at: now }).where('id', '=', id).execute();
  return getTaskFor(db, principal, id);
}

/** Adds or removes tags on a task (at most 50 in all). */
export async function changeTaskTags(database: Database, principal: Principal, id: number, tags: string[], how: 'add' | 'remove', now: number): Promise<PresentedTask> {
  const { db } = database;
  await db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('tasks').select(['id', 'owner_id', 'is_test', 'tags']).where('id', '=', id).executeTakeFirst();
    if (!row || !visibleTo(principal, row)) throw new AppError('task_not_found', `No task ${id}`);
    const current = new Set(JSON.parse(row.tags) as string[]);
    for (const tag of tags) how === 'add' ? current.add(tag) : current.delete(tag);
    if (current.size > 50) throw new AppError('validation_failed', 'a task carries at most 50 tags');
    await trx.updateTable('tasks').set({ tags: JSON.stringify([...current]), updated_at: now }).where('id', '=', id).execute();
    await trx.deleteFrom('task_tags').where('task_id', '=', id).execute();
    if (current.size) await trx.insertInto('task_tags').values([...current].map((tag) => ({ task_id: id, tag }))).execute();
  });
  return getTaskFor(db, principal, id);
}
