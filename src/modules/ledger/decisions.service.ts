import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import { AppError } from '../../server/errors.ts';
import { acceptOverdueReviews } from '../quality/index.ts';
import type { Database, DB } from '../../db/index.ts';
import type { Principal } from '../accounts/index.ts';
import { findProjectById, type Project } from '../projects/index.ts';
import { countedMs, pieceAmount, type Shown } from './assignment-pay.ts';
import { type AccountRow, findEntryByKey, insertEntry, lockAccount, noteOpenWeek, stampAfterWorkerCloses } from './ledger.repository.ts';
import { type DecisionsTable, type LedgerHandle, ledgerDb } from './ledger.tables.ts';
import { payForTime } from './money.ts';
import { bookPieceIn, cardForWork, eventWeekKey, floorHourlyAt } from './pay.service.ts';

/*
 * Decisions that touch a worker's money, access or score (FAIRWORK rules 5, 6, 11): every review and
 * audit outcome per answer, with its reason code, text, evidence and decider (a person or a rule).
 * A rejection that follows protected activity within 90 days, one of a batch where more than 20% of
 * at least 20 answers would be rejected, or one for spam (confirmed fraud takes the time out of paid
 * hours) waits for a second person before it withholds anything.
 */

export type DecisionRow = Selectable<DecisionsTable>;

/** Days after protected activity in which an adverse action needs a second reviewer (rule 11). */
export const PROTECTED_DAYS = 90;
/** The mass-rejection brake (rule 5): more than this share of a batch of at least BRAKE_MIN_N. */
export const BRAKE_SHARE = 0.2;
export const BRAKE_MIN_N = 20;
const DAY_MS = 86_400_000;
const DEFAULT_REVIEW_DEADLINE_DAYS = 3;
const MAX_REVIEW_DEADLINE_DAYS = 14;

/**
 * Whether evidence is one of the kinds rule 5 accepts: gold items (task ids), a criterion stated in
 * the instructions beforehand, or a speed outlier with z <= -3.
 */
export function isValidEvidence(evidence: Record<string, unknown> | null | undefined): boolean {
  if (!evidence) return false;
  const gold = evidence.gold_items;
  if (Array.isArray(gold) && gold.length > 0 && gold.every((g) => typeof g === 'string' || typeof g === 'number')) return true;
  const criterion = evidence.instruction_criterion;
  if (typeof criterion === 'string' && criterion.trim().length >= 5) return true;
  const z = evidence.speed_z;
  return typeof z === 'number' && Number.isFinite(z) && z <= -3;
}

/** The review deadline of a project in days: default 3, at most 14 (rule 6). */
export function reviewDeadlineDays(project: Pick<Project, 'reviewPolicy'>): number {
  const days = project.reviewPolicy.deadline_days ?? DEFAULT_REVIEW_DEADLINE_DAYS;
  return Math.min(MAX_REVIEW_DEADLINE_DAYS, Math.max(1, days));
}

/**
 * Records a wage question or complaint as protected activity (rule 11): for 90 days an adverse
 * action against this worker needs a second reviewer and a written reason.
 */
export async function recordProtectedActivity(db: Kysely<DB>, workerId: number, input: { kind: 'wage_question' | 'complaint'; text: string }, now: number) {
  const row = await ledgerDb(db).insertInto('protected_activities').values({ worker_id: workerId, kind: input.kind, ref_id: null, text: input.text, created_at: now }).returningAll().executeTakeFirstOrThrow();
  return { id: String(row.id), kind: row.kind, recorded_at: new Date(row.created_at).toISOString(), protected_until: new Date(row.created_at + PROTECTED_DAYS * DAY_MS).toISOString() };
}

export async function hasProtectedActivity(h: LedgerHandle, workerId: number, now: number): Promise<boolean> {
  const row = await h.selectFrom('protected_activities').select('id').where('worker_id', '=', workerId).where('created_at', '>=', now - PROTECTED_DAYS * DAY_MS).limit(1).executeTakeFirst();
  return row !== undefined;
}

/** Share of the batch's submitted answers rejected, counting one more rejection. */
async function batchRejectionShare(h: LedgerHandle, projectId: number, batch: string | null, extra: number): Promise<{ n: number; rejected: number }> {
  const byBatch = batch === null ? sql`t.batch IS NULL` : sql`t.batch = ${batch}`;
  const n = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM assignments a JOIN tasks t ON t.id = a.task_id
    WHERE a.project_id = ${projectId} AND a.status = 'submitted' AND ${byBatch}`.execute(h);
  const r = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM decisions d JOIN tasks t ON t.id = d.task_id
    WHERE d.project_id = ${projectId} AND d.kind IN ('review_reject', 'audit_reject') AND ${byBatch}`.execute(h);
  return { n: Number(n.rows[0]?.n ?? 0), rejected: Number(r.rows[0]?.n ?? 0) + extra };
}

interface AssignmentFacts {
  id: number;
  worker_id: number;
  project_id: number;
  task_id: number;
  claimed_at: number;
  ended_at: number | null;
  active_ms: number;
  short_idle_ms: number;
  shown: string;
}

async function insertDecision(h: LedgerHandle, values: Omit<DecisionRow, 'id'>): Promise<DecisionRow> {
  return h.insertInto('decisions').values(values).returningAll().executeTakeFirstOrThrow();
}

/**
 * Takes back a booked piece's pay above the floor for the answer's counted time (rule 5: a rejection
 * withholds only pay above the floor). Nothing when no piece was booked: unpaid work still counts in
 * the week's paid hours. Returns the amount withheld (>= 0).
 */
async function withholdAboveFloor(h: LedgerHandle, account: AccountRow, a: AssignmentFacts, project: Project, decisionId: number, now: number): Promise<number> {
  const piece = await findEntryByKey(h, `piece:${a.id}`);
  if (!piece || (await findEntryByKey(h, `reversal:${a.id}`))) return 0;
  const card = await cardForWork(h, project, a.claimed_at, now);
  const floor = await floorHourlyAt(h, account, piece.currency, card.kind === 'piece' ? 0 : card.hourlyMinor, now);
  const keep = payForTime(floor, countedMs({ activeMs: a.active_ms, shortIdleMs: a.short_idle_ms }, card));
  const withheld = Math.max(0, piece.amount_minor - keep);
  if (withheld === 0) return 0;
  const weekKey = eventWeekKey(account, now);
  await insertEntry(h, {
    workerId: a.worker_id,
    projectId: a.project_id,
    assignmentId: a.id,
    kind: 'reversal',
    amountMinor: -withheld,
    currency: piece.currency,
    weekKey,
    decisionId,
    reversesId: piece.id,
    memo: { piece_minor: piece.amount_minor, kept_minor: keep },
    dedupeKey: `reversal:${a.id}`,
    createdByRule: 'rejection_withholds_above_floor',
    createdAt: now,
  });
  await noteOpenWeek(h, account, weekKey);
  return withheld;
}

/**
 * Gives back what a rejection took or kept back: the reversed amount, or the piece pay never booked.
 * Idempotent per key. Returns the amount restored.
 */
export async function restoreAnswerPay(h: LedgerHandle, a: AssignmentFacts, project: Project, by: { appealId?: number; decisionId?: number; userId?: number | null; rule?: string }, key: string, now: number): Promise<number> {
  const account = await lockAccount(h, a.worker_id, now);
  const reversal = await findEntryByKey(h, `reversal:${a.id}`);
  const piece = await findEntryByKey(h, `piece:${a.id}`);
  let amount = 0;
  let currency = piece?.currency ?? 'USD';
  if (reversal) {
    amount = -reversal.amount_minor;
    currency = reversal.currency;
  } else if (!piece) {
    const card = await cardForWork(h, project, a.claimed_at, now);
    amount = pieceAmount(card, JSON.parse(a.shown) as Shown);
    currency = card.currency;
  }
  if (amount <= 0) return 0;
  const weekKey = eventWeekKey(account, now);
  const added = await insertEntry(h, {
    workerId: a.worker_id,
    projectId: a.project_id,
    assignmentId: a.id,
    kind: 'appeal_restoration',
    amountMinor: amount,
    currency,
    weekKey,
    decisionId: by.decisionId ?? null,
    appealId: by.appealId ?? null,
    reversesId: reversal?.id ?? null,
    memo: { restores: reversal ? 'reversal' : 'withheld_piece' },
    dedupeKey: key,
    createdBy: by.userId ?? null,
    createdByRule: by.rule ?? null,
    createdAt: now,
  });
  if (added) await noteOpenWeek(h, account, weekKey);
  return added ? amount : 0;
}

export interface ReviewFacts {
  taskId: number;
  assignmentId: number | null;
  reviewerId: number;
  action: 'accept' | 'fix' | 'revise' | 'reject';
  reasonCode: string | null;
  text: string | null;
  evidence: Record<string, unknown> | null;
}

async function decideOnAnswer(h: LedgerHandle, a: AssignmentFacts, project: Project, batch: string | null, kind: 'review_reject' | 'audit_reject', f: ReviewFacts, now: number): Promise<DecisionRow> {
  if (!isValidEvidence(f.evidence)) throw new AppError('evidence_invalid');
  const approved = await h.selectFrom('decisions').select('id').where('assignment_id', '=', a.id).where('kind', '=', 'auto_approve').executeTakeFirst();
  const submittedAt = a.ended_at ?? now;
  if (approved || submittedAt + reviewDeadlineDays(project) * DAY_MS < now) throw new AppError('review_deadline_passed');
  let hold: string | null = null;
  if (f.reasonCode === 'spam_or_random') hold = 'fraud_needs_confirmation';
  else if (await hasProtectedActivity(h, a.worker_id, now)) hold = 'protected_activity';
  else {
    const share = await batchRejectionShare(h, project.id, batch, 1);
    if (share.n >= BRAKE_MIN_N && share.rejected > BRAKE_SHARE * share.n) hold = 'mass_rejection';
  }
  const decision = await insertDecision(h, {
    kind,
    worker_id: a.worker_id,
    project_id: a.project_id,
    task_id: a.task_id,
    assignment_id: a.id,
    reason_code: f.reasonCode,
    text: f.text,
    evidence: f.evidence ? JSON.stringify(f.evidence) : null,
    decider_id: f.reviewerId,
    decider_rule: null,
    status: hold ? 'pending_second' : 'effective',
    hold_reason: hold,
    created_at: now,
  });
  if (!hold) await withholdAboveFloor(h, await lockAccount(h, a.worker_id, now), a, project, decision.id, now);
  return decision;
}

/**
 * Ledger hook for a review decision (quality's decideReview), inside its transaction, after the
 * decision is stored: records a decision per answer it touches. A revision request keeps the piece pay
 * (the worker did the work in good faith); a rejection needs valid evidence (evidence_invalid) and is
 * refused after the answer was approved at the review deadline (review_deadline_passed). */
export async function recordReviewDecision(trx: Transaction<DB>, f: ReviewFacts, now: number): Promise<void> {
  const h = ledgerDb(trx);
  const task = await h.selectFrom('tasks').select(['id', 'project_id', 'batch']).where('id', '=', f.taskId).executeTakeFirst();
  const project = task && (await findProjectById(trx, task.project_id));
  if (!task || !project) return;
  const answers = h.selectFrom('assignments').select(['id', 'worker_id', 'project_id', 'task_id', 'claimed_at', 'ended_at', 'active_ms', 'short_idle_ms', 'shown', 'review_status']).where('task_id', '=', task.id).where('status', '=', 'submitted');
  if (f.action === 'reject' || f.action === 'revise') {
    const a = await answers.where('id', '=', f.assignmentId as number).executeTakeFirst();
    if (!a) return;
    if (f.action === 'reject') {
      await decideOnAnswer(h, a, project, task.batch, 'review_reject', f, now);
      return;
    }
    const decision = await insertDecision(h, { kind: 'review_revise', worker_id: a.worker_id, project_id: a.project_id, task_id: a.task_id, assignment_id: a.id, reason_code: f.reasonCode, text: f.text, evidence: f.evidence ? JSON.stringify(f.evidence) : null, decider_id: f.reviewerId, decider_rule: null, status: 'effective', hold_reason: null, created_at: now });
    await bookPieceIn(h, await lockAccount(h, a.worker_id, now), a, project, now, { decisionId: decision.id, userId: f.reviewerId });
    return;
  }
  // accept and fix approve every answer that still counts; their pay is booked by the completion hook.
  for (const a of await answers.execute()) {
    if (a.review_status !== null && a.review_status !== 'accepted') continue;
    await insertDecision(h, { kind: f.action === 'accept' ? 'review_accept' : 'review_fix', worker_id: a.worker_id, project_id: a.project_id, task_id: a.task_id, assignment_id: a.id, reason_code: f.reasonCode, text: f.text, evidence: null, decider_id: f.reviewerId, decider_rule: null, status: 'effective', hold_reason: null, created_at: now });
  }
}

/**
 * Ledger hook for a requester's audit of a completed task (quality's auditTask), inside its
 * transaction: a decision per answer; a rejection follows the same rules as a review rejection.
 */
export async function recordAuditDecision(trx: Transaction<DB>, f: { taskId: number; reviewerId: number; accepted: boolean; reasonCode: string | null; text: string | null; evidence: Record<string, unknown> | null }, now: number): Promise<void> {
  const h = ledgerDb(trx);
  const task = await h.selectFrom('tasks').select(['id', 'project_id', 'batch']).where('id', '=', f.taskId).executeTakeFirst();
  const project = task && (await findProjectById(trx, task.project_id));
  if (!task || !project) return;
  const answers = await h
    .selectFrom('assignments')
    .select(['id', 'worker_id', 'project_id', 'task_id', 'claimed_at', 'ended_at', 'active_ms', 'short_idle_ms', 'shown'])
    .where('task_id', '=', task.id)
    .where('status', '=', 'submitted')
    // Accounts are locked in worker order, as the week close locks them.
    .orderBy('worker_id')
    .execute();
  const facts: ReviewFacts = { taskId: f.taskId, assignmentId: null, reviewerId: f.reviewerId, action: f.accepted ? 'accept' : 'reject', reasonCode: f.reasonCode, text: f.text, evidence: f.evidence };
  for (const a of answers) {
    if (!f.accepted) {
      await decideOnAnswer(h, a, project, task.batch, 'audit_reject', facts, now);
      continue;
    }
    await insertDecision(h, { kind: 'audit_accept', worker_id: a.worker_id, project_id: a.project_id, task_id: a.task_id, assignment_id: a.id, reason_code: null, text: f.text, evidence: null, decider_id: f.reviewerId, decider_rule: null, status: 'effective', hold_reason: null, created_at: now });
  }
}

/**
 * A second person's word on a decision that waits (rule 5 brake, rule 11 guard, spam): `confirmed`
 * lets it take effect (a spam rejection then counts as confirmed fraud), `overturned` voids it and
 * gives back the pay. Needs a written reason of 20 characters. Throws decision_not_found,
 * decision_not_pending, second_person_required.
 */
export async function confirmDecision(database: Database, principal: Principal, id: number, input: { outcome: 'confirmed' | 'overturned'; text: string }, now: number) {
  const { db } = database;
  return db.transaction().execute(async (trx) => {
    const h = ledgerDb(trx);
    const d = await h.selectFrom('decisions').selectAll().where('id', '=', id).executeTakeFirst();
    if (!d) throw new AppError('decision_not_found');
    const project = d.project_id === null ? undefined : await findProjectById(trx, d.project_id);
    if (principal.role === 'requester' && project?.ownerId !== principal.id) throw new AppError('decision_not_found');
    if (d.status !== 'pending_second') throw new AppError('decision_not_pending');
    if (await h.selectFrom('decision_confirmations').select('id').where('decision_id', '=', d.id).executeTakeFirst()) throw new AppError('decision_not_pending');
    if (d.decider_id === principal.id || d.worker_id === principal.id) throw new AppError('second_person_required');
    // A confirmed spam rejection takes time out of paid hours: stamped after the worker's last close, which it never rewrites.
    await lockAccount(h, d.worker_id, now);
    await h.insertInto('decision_confirmations').values({ decision_id: d.id, confirmer_id: principal.id, outcome: input.outcome, text: input.text, created_at: await stampAfterWorkerCloses(h, d.worker_id, now) }).execute();
    const a = d.assignment_id === null ? undefined : await h.selectFrom('assignments').selectAll().where('id', '=', d.assignment_id).executeTakeFirst();
    if (a && project) {
      if (input.outcome === 'confirmed') await withholdAboveFloor(h, await lockAccount(h, a.worker_id, now), a, project, d.id, now);
      else await restoreAnswerPay(h, a, project, { decisionId: d.id, userId: principal.id }, `restore:decision:${d.id}`, now);
    }
    return presentDecisionStatus(h, d.id);
  });
}

async function presentDecisionStatus(h: LedgerHandle, id: number) {
  const d = (await h.selectFrom('decisions').selectAll().where('id', '=', id).executeTakeFirst()) as DecisionRow;
  const c = await h.selectFrom('decision_confirmations').selectAll().where('decision_id', '=', id).executeTakeFirst();
  return { id: String(d.id), kind: d.kind, status: effectiveStatus(d, c?.outcome ?? null, null), confirmation: c ? { outcome: c.outcome, text: c.text, at: new Date(c.created_at).toISOString() } : null };
}

/** A decision's state as workers and reviewers see it. */
export function effectiveStatus(d: Pick<DecisionRow, 'status'>, confirmation: 'confirmed' | 'overturned' | null, appealOutcome: string | null): 'effective' | 'pending_second' | 'overturned' {
  if (appealOutcome === 'overturned' || confirmation === 'overturned') return 'overturned';
  if (d.status === 'pending_second' && confirmation !== 'confirmed') return 'pending_second';
  return 'effective';
}

/** Decisions waiting for a second person, for reviewers and admins (a requester sees their projects'). */
export async function pendingDecisions(db: Kysely<DB>, principal: Principal) {
  const h = ledgerDb(db);
  let q = h
    .selectFrom('decisions')
    .leftJoin('decision_confirmations', 'decision_confirmations.decision_id', 'decisions.id')
    .innerJoin('projects', 'projects.id', 'decisions.project_id')
    .selectAll('decisions')
    .select('projects.name as project_name')
    // A literal, so the partial index of pending decisions (migration 0014) applies.
    .where('decisions.status', '=', sql.lit('pending_second'))
    .where('decision_confirmations.id', 'is', null)
    .where('decisions.decider_id', '!=', principal.id);
  if (principal.role === 'requester') q = q.where('projects.owner_id', '=', principal.id);
  const rows = await q.orderBy('decisions.id').limit(500).execute();
  return rows.map((d) => ({
    id: String(d.id),
    kind: d.kind,
    project: d.project_name,
    task_id: d.task_id === null ? null : String(d.task_id),
    assignment_id: d.assignment_id === null ? null : String(d.assignment_id),
    reason_code: d.reason_code,
    text: d.text,
    evidence: d.evidence === null ? null : JSON.parse(d.evidence),
    hold_reason: d.hold_reason,
    decided_at: new Date(d.created_at).toISOString(),
  }));
}

/**
 * The review deadline job (rule 6): answers no one reviewed within the project's deadline (default 3
 * days, at most 14) are approved by rule and paid. Returns how many it approved.
 */
export async function approveDueReviews(database: Database, now: number): Promise<number> {
  const h = ledgerDb(database.db);
  const projects = (await h.selectFrom('projects').select(['id', 'review_policy']).execute()).filter((p) => (JSON.parse(p.review_policy) as { mode?: string }).mode !== 'none');
  let approved = 0;
  for (const p of projects) {
    const project = await findProjectById(database.db, p.id);
    if (!project) continue;
    const due = now - reviewDeadlineDays(project) * DAY_MS;
    const rows = await h
      .selectFrom('assignments')
      .select(['id'])
      .where('project_id', '=', p.id)
      .where('status', '=', 'submitted')
      .where('review_status', 'is', null)
      .where('ended_at', '<=', due)
      .where('ended_at', '>=', due - 60 * DAY_MS)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('ledger_entries').select('ledger_entries.id').whereRef('ledger_entries.assignment_id', '=', 'assignments.id').where('ledger_entries.kind', '=', 'piece'))))
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('decisions').select('decisions.id').whereRef('decisions.assignment_id', '=', 'assignments.id'))))
      .orderBy('id')
      .limit(1000)
      .execute();
    for (const { id } of rows) {
      await database.db.transaction().execute(async (trx) => {
        const t = ledgerDb(trx);
        const a = await t.selectFrom('assignments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
        if (a.review_status !== null) return;
        const decision = await insertDecision(t, { kind: 'auto_approve', worker_id: a.worker_id, project_id: a.project_id, task_id: a.task_id, assignment_id: a.id, reason_code: 'review_deadline', text: null, evidence: null, decider_id: null, decider_rule: 'review_deadline', status: 'effective', hold_reason: null, created_at: now });
        const account = await lockAccount(t, a.worker_id, now);
        if ((await bookPieceIn(t, account, a, project, now, { decisionId: decision.id, rule: 'review_deadline' })) > 0) approved++;
      });
    }
    // The tasks themselves leave the review queue, their aggregate the result.
    await acceptOverdueReviews(database, project, due, now);
  }
  return approved;
}

/** Used by appeals: the answer facts behind a decision. */
export async function answerOf(h: LedgerHandle, assignmentId: number): Promise<(AssignmentFacts & { status: string }) | undefined> {
  return h.selectFrom('assignments').select(['id', 'worker_id', 'project_id', 'task_id', 'claimed_at', 'ended_at', 'active_ms', 'short_idle_ms', 'shown', 'status']).where('id', '=', assignmentId).executeTakeFirst();
}

