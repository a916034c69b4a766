import type { Kysely, Transaction } from 'kysely';
import { type Database, type DB, type DialectAdapter, transactWithRetry } from '../../db/index.ts';
import { AppError } from '../../server/errors.ts';
import type { Principal } from '../accounts/index.ts';
import { findProjectByName, type Project, rememberedProject, rememberProject } from '../projects/index.ts';
import { taskCompletedIn } from '../tasks/index.ts';
import { applyDecision, decideAfterAnswer, quarantineIfDisputed, scoreGold } from '../quality/index.ts';
import { checkResponse } from '../task-types/index.ts';
// The ledger records time and pay of ended assignments and may refuse a claim (FAIRWORK.md).
import { checkClaimAllowed, recordAssignmentEnded } from '../ledger/index.ts';
import {
  type AssignmentRow,
  claimContext,
  claimNextTask,
  countWorkerAssignments,
  findTask,
  finishAssignment,
  lockAssignment,
  lockAssignmentWithLease,
  lockDueAssignments,
  lockForSubmit,
  projectHasGold,
  saveHeartbeat,
  taskAfterEnd,
  type TaskRecord,
  timeOf,
  workerSkills,
} from './assignment.repository.ts';
import { applySignal, closeTime } from './time-accounting.ts';

/** What the worker saw before accepting (FAIRWORK rule 2), stored on the assignment. */
export interface Shown {
  seconds: number;
  pay_minor: number;
  hourly_minor: number;
  currency: string;
  review_deadline_days: number;
  content_warnings: string[];
}

export function estimateOf(project: Project): Shown {
  const seconds = project.pay.estimated_seconds;
  return {
    seconds,
    pay_minor: project.pay.piece_rate_minor,
    // Integer minor units: the implied hourly rate of the piece rate at the estimated time.
    hourly_minor: Math.floor((project.pay.piece_rate_minor * 3600) / Math.max(1, seconds)),
    currency: project.pay.currency,
    review_deadline_days: project.reviewPolicy.deadline_days ?? 3,
    content_warnings: project.contentWarnings,
  };
}

/**
 * Judgements stay blind: which model wrote a response is the requester's business, not the
 * worker's (a known name biases a comparison or an audit label).
 */
function blind(params: Record<string, unknown>): Record<string, unknown> {
  const out = { ...params };
  if (Array.isArray(out.responses)) out.responses = (out.responses as Record<string, unknown>[]).map(({ model: _model, ...rest }) => rest);
  if (typeof out.model === 'string') delete out.model;
  return out;
}

/** The worker's view of a task: no gold flag, no expected answer, no requester metadata, no model names. */
export function presentWorkTask(task: TaskRecord, project: Project) {
  return {
    id: String(task.id),
    type: task.type,
    params: blind({ ...project.params, ...JSON.parse(task.params) }),
    attachments: JSON.parse(task.attachments),
    instruction: task.instruction,
    // Model suggestions as a starting point, when the project shows them (same for gold and regular tasks).
    ...(project.prelabels.show && task.predictions !== null && { predictions: JSON.parse(task.predictions) }),
  };
}

function presentAssignment(row: AssignmentRow, task: TaskRecord, project: Project) {
  return {
    id: String(row.id),
    project: project.name,
    task: presentWorkTask(task, project),
    claimed_at: new Date(row.claimed_at).toISOString(),
    lease_expires_at: new Date(row.lease_expires_at).toISOString(),
    shown: JSON.parse(row.shown) as Shown,
  };
}

/** Why a worker may not work on a project, or undefined when they may. */
export function ineligibility(project: Project, principal: Principal, skills: Set<string>): 'language' | 'skill' | undefined {
  if (project.languages.some((l) => !principal.languages.includes(l))) return 'language';
  if (project.requiredSkills.some((s) => !skills.has(s))) return 'skill';
  return undefined;
}

/** The project if it is open and the worker may work on it. Throws project_not_found, project_paused, not_eligible. */
async function openFor(db: Kysely<DB>, principal: Principal, name: string, project: Project | undefined): Promise<Project> {
  if (!project || project.status === 'draft' || project.status === 'archived') throw new AppError('project_not_found', `No open project named "${name}"`);
  if (project.status === 'paused') throw new AppError('project_paused');
  // Skills are read only for a project that asks for some.
  const skills = project.requiredSkills.length > 0 ? await workerSkills(db, principal.id) : new Set<string>();
  const why = ineligibility(project, principal, skills);
  if (why) throw new AppError('not_eligible', why === 'language' ? `This project needs a worker who reads ${project.languages.join(', ')}` : 'This project needs a skill or qualification you do not hold', { reason: why });
  return project;
}

async function getOpenProject(db: Kysely<DB>, principal: Principal, name: string): Promise<Project> {
  return openFor(db, principal, name, await findProjectByName(db, name));
}

// Throttle for the claim-time sweep: one per project per process per interval is enough to free
// expired slots promptly without adding a query to every claim.
const lastSweep = new Map<number, number>();
const SWEEP_INTERVAL_MS = 250;

/**
 * A copy of the project this worker may claim from without reading it again (a later claim checks in its
 * own statement that the copy is still current): open, the worker has its languages, and nothing to count
 * first (no skill, no per-worker cap). Undefined otherwise.
 */
function projectReadEarlier(database: Database, principal: Principal, name: string): Project | undefined {
  const project = rememberedProject(database.db, name);
  if (!project || project.status !== 'active' || project.requiredSkills.length > 0 || project.perWorkerCap !== null) return undefined;
  return ineligibility(project, principal, new Set()) === undefined ? project : undefined;
}

/**
 * Gives the worker one task of the project, or null when nothing is eligible (204).
 * Gold tasks are mixed in at the project's gold rate, never twice to a worker; an expired lease's
 * slot is free for the next claim. Throws project_not_found, project_paused, not_eligible.
 *
 * A claim first tries with the project as this process last read it: it claims only if that copy is
 * still current and the ledger's claim flags are clear (checked in the claim's own statement). When it claims
 * nothing, the claim reads everything afresh and tries again, so a stale copy never hands out work.
 */
export async function claim(database: Database, principal: Principal, projectName: string, now: number, random: () => number = Math.random) {
  const { db } = database;
  const earlier = projectReadEarlier(database, principal, projectName);
  if (earlier) {
    await checkClaimAllowed(db, principal.id, earlier, now, { anySanction: false, belowFloor: false }); // the statement checks the flags
    const claimed = await claimFrom(database, principal, earlier, now, random, earlier.updatedAt);
    if (claimed) return claimed;
  }
  const context = await claimContext(db, projectName, principal.id);
  const project = await openFor(db, principal, projectName, context?.project);
  await checkClaimAllowed(db, principal.id, project, now, context?.flags); // sanctions, pay below the floor
  rememberProject(db, project);
  if (project.perWorkerCap !== null && (await countWorkerAssignments(db, principal.id, project.id)) >= project.perWorkerCap) return null;
  return (await claimFrom(database, principal, project, now, random)) ?? null;
}

/** The claim itself, once the project is known to be open to this worker; `readAt`: see claimNextTask. */
async function claimFrom(database: Database, principal: Principal, project: Project, now: number, random: () => number, readAt?: number) {
  if ((lastSweep.get(project.id) ?? 0) + SWEEP_INTERVAL_MS <= now || now < (lastSweep.get(project.id) ?? 0)) {
    lastSweep.set(project.id, now);
    await expireDue(database, now, project.id);
  }
  const goldFirst = project.goldRate > 0 && random() < project.goldRate && (await projectHasGold(database.db, project.id));
  const claimed = await claimNextTask(
    database,
    { projectId: project.id, workerId: principal.id, now, leaseMs: project.leaseSeconds * 1000, idleGraceMs: project.idleGraceSeconds * 1000, shown: JSON.stringify(estimateOf(project)) },
    goldFirst,
    readAt,
  );
  return claimed ? presentAssignment(claimed.row, claimed.task, project) : undefined;
}

/** The row if it is the caller's; assignment_not_found for anyone else's or none (never forbidden). */
function own<R extends AssignmentRow>(row: R | undefined, principal: Principal, id: number): R {
  if (!row || row.worker_id !== principal.id) throw new AppError('assignment_not_found', `No assignment ${id}`);
  return row;
}

/** Ends an active assignment whose lease ran out, at the lease's end, and frees its slot. */
async function expireLocked(trx: Transaction<DB>, dialect: DialectAdapter, row: AssignmentRow, now: number): Promise<void> {
  const at = Math.min(row.lease_expires_at, now);
  const ended = await finishAssignment(trx, dialect, row, { status: 'expired', at, time: closeTime(timeOf(row), at, 'idle') }, now);
  await recordAssignmentEnded(trx, row.id, now, { assignment: ended, writableCte: dialect.writableCte });
}

const EXPIRED = Symbol('expired');

/**
 * Checks that a locked assignment is still active. When its lease ran out, expires it and returns
 * EXPIRED (the caller commits that, then answers lease_expired). Throws lease_expired, assignment_not_active.
 */
async function stillActive(trx: Transaction<DB>, dialect: DialectAdapter, row: AssignmentRow, now: number): Promise<typeof EXPIRED | undefined> {
  if (row.status === 'expired') throw new AppError('lease_expired');
  if (row.status !== 'active') throw new AppError('assignment_not_active', `This assignment is ${row.status}`, { status: row.status });
  if (row.lease_expires_at >= now) return undefined;
  await expireLocked(trx, dialect, row, now);
  return EXPIRED;
}

/**
 * Records activity and extends the lease by the project's lease length, read with the assignment's lock.
 * If the lease ran out, commits the expiry and throws lease_expired. Throws assignment_not_found,
 * assignment_not_active.
 */
export async function heartbeat(database: Database, principal: Principal, id: number, signal: { visible: boolean; inputActive: boolean }, now: number) {
  const result = await database.db.transaction().execute(async (trx) => {
    const { leaseSeconds, ...row } = own(await lockAssignmentWithLease(trx, id), principal, id);
    if ((await stillActive(trx, database.dialect, row, now)) === EXPIRED) return EXPIRED;
    const leaseExpiresAt = now + leaseSeconds * 1000;
    await saveHeartbeat(trx, row.id, applySignal(timeOf(row), now, signal), leaseExpiresAt);
    return { lease_expires_at: new Date(leaseExpiresAt).toISOString() };
  });
  if (result === EXPIRED) throw new AppError('lease_expired');
  return result;
}

function feedbackFor(task: TaskRecord, project: Project, response: Record<string, unknown>) {
  if (task.is_gold !== 1 || task.expected_response === null) return undefined;
  const expected = JSON.parse(task.expected_response) as Record<string, unknown>;
  const params = { ...project.params, ...JSON.parse(task.params) };
  const { correct, score } = scoreGold(task.type, params, expected, response);
  return { correct, score, expected_response: expected, explanation: task.gold_explanation };
}

/**
 * Stores the worker's answer. Idempotent: a retried submit of a submitted assignment returns the
 * same result and stores nothing. Gold feedback comes back only here, after the answer is stored.
 * Completes the task (and runs completion hooks) in the same transaction when it has its answers.
 * Throws invalid_response (422, with the schema path), lease_expired, assignment_not_found/_not_active.
 */
export async function submit(database: Database, principal: Principal, id: number, response: unknown, now: number) {
  // Everything is read under the assignment's lock: a retry racing its own first attempt waits for
  // it and then answers as it did. A completion may lock other answerers' ledger accounts (see
  // ledgerTaskCompleted), hence transactWithRetry.
  const result = await transactWithRetry(database, async (trx) => {
    const context = await lockForSubmit(trx, database, id);
    if (!context || context.row.worker_id !== principal.id) throw new AppError('assignment_not_found', `No assignment ${id}`);
    const { row, task, project } = context;
    if (row.status === 'submitted') return { task, project, answers: task.answers_count, replayed: true, feedback: feedbackFor(task, project, JSON.parse(row.response as string)) };
    const params = { ...project.params, ...JSON.parse(task.params) };
    const problem = checkResponse(task.type, params, response);
    if (problem) throw new AppError('invalid_response', problem.message, { path: problem.path, schema_path: problem.schemaPath });
    if ((await stillActive(trx, database.dialect, row, now)) === EXPIRED) return EXPIRED;
    const answer = response as Record<string, unknown>;
    const feedback = feedbackFor(task, project, answer);
    const end = { status: 'submitted' as const, at: now, time: closeTime(timeOf(row), now, 'submit'), response: JSON.stringify(answer), goldScore: feedback?.score ?? null };
    const ended = await finishAssignment(trx, database.dialect, row, end, now);
    const updated = taskAfterEnd(task, end, now); // the task is locked since lockForSubmit
    await recordAssignmentEnded(trx, row.id, now, { assignment: ended, project, ledger: context.ledger, writableCte: database.dialect.writableCte });
    const decision = await decideAfterAnswer(trx, updated, project, { workerId: principal.id, goldScore: feedback?.score ?? null }, now);
    const decided = await applyDecision(trx, updated, decision, now);
    if (decision.action === 'complete') await taskCompletedIn(trx, decided, project, now, decision.answers);
    return { task, project, answers: updated.answers_count, replayed: false, feedback };
  });
  if (result === EXPIRED) throw new AppError('lease_expired');
  const { task, project, answers, replayed, feedback } = result;
  if (task.is_gold === 1 && !replayed) await quarantineIfDisputed(database, task.id, project, now, answers);
  return { ok: true, replayed, feedback };
}

/** Gives the task back; it is never offered to this worker again. Skipping twice is a no-op. */
export async function skip(database: Database, principal: Principal, id: number, reason: string | undefined, now: number) {
  return database.db.transaction().execute(async (trx) => {
    const row = own(await lockAssignment(trx, id), principal, id);
    if (row.status === 'skipped') return { ok: true };
    if (row.status !== 'active') throw new AppError('assignment_not_active', `This assignment is ${row.status}`, { status: row.status });
    if (row.lease_expires_at < now) {
      await expireLocked(trx, database.dialect, row, now);
      return { ok: true };
    }
    const ended = await finishAssignment(trx, database.dialect, row, { status: 'skipped', at: now, time: closeTime(timeOf(row), now, 'submit'), skipReason: reason ?? null }, now);
    await recordAssignmentEnded(trx, row.id, now, { assignment: ended, writableCte: database.dialect.writableCte });
    return { ok: true };
  });
}

/**
 * Expires every active assignment whose lease ran out (of one project, or all), freeing slots.
 * Safe on many nodes at once: rows another node is expiring are skipped. One assignment per
 * transaction, so its locks come in the order a submit takes them (assignment, task, the worker's
 * ledger account) and two nodes expiring at once can never deadlock over tasks. Returns how many expired.
 */
export async function expireDue(database: Database, now: number, projectId?: number): Promise<number> {
  let total = 0;
  for (;;) {
    const expired = await database.db.transaction().execute(async (trx) => {
      const [row] = await lockDueAssignments(trx, database.dialect, now, projectId, 1);
      if (row) await expireLocked(trx, database.dialect, row, now);
      return row !== undefined;
    });
    if (!expired) return total;
    total++;
  }
}

/** The worker's active assignments in a project (to resume after a reload). */
export async function activeAssignments(database: Database, principal: Principal, projectName: string, now: number) {
  const { db } = database;
  const project = await getOpenProject(db, principal, projectName);
  const rows = await db
    .selectFrom('assignments')
    .selectAll()
    .where('worker_id', '=', principal.id)
    .where('project_id', '=', project.id)
    .where('status', '=', 'active')
    .where('lease_expires_at', '>=', now)
    .orderBy('id')
    .execute();
  const out = [];
  for (const row of rows) out.push(presentAssignment(row, (await findTask(db, row.task_id)) as TaskRecord, project));
  return out;
}
