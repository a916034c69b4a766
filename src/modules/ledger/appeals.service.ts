import { type Kysely, type Selectable, sql } from 'kysely';
import type { Database, DB } from '../../db/index.ts';
import { AppError } from '../../server/errors.ts';
import type { Principal } from '../accounts/index.ts';
import { findProjectById } from '../projects/index.ts';
import { answerOf, restoreAnswerPay } from './decisions.service.ts';
import { insertEntry, lockAccount, noteOpenWeek } from './ledger.repository.ts';
import { type AppealsTable, type LedgerHandle, ledgerDb } from './ledger.tables.ts';
import { eventWeekKey } from './pay.service.ts';

/*
 * Appeals (FAIRWORK rule 7): a worker may appeal any review, sanction, quality score, gold item, time
 * record or payment within 30 days. The appeal is heard by someone other than the original decider
 * (enforced at assignment and at resolution). A money appeal left unanswered for 14 days resolves for
 * the worker. An overturn restores the pay at once. Filing is recorded as protected activity (rule 11).
 */

export const APPEAL_WINDOW_DAYS = 30;
export const MONEY_APPEAL_DAYS = 14;
const DAY_MS = 86_400_000;
export const SUBJECT_KINDS = ['decision', 'sanction', 'quality_score', 'gold_item', 'time_record', 'payment'] as const;
export type SubjectKind = (typeof SUBJECT_KINDS)[number];
type AppealRow = Selectable<AppealsTable>;

interface Subject {
  projectId: number | null;
  deciderId: number | null;
  decidedAt: number | null;
  isMoney: boolean;
  currency: string | null;
}

async function subjectOf(h: LedgerHandle, workerId: number, kind: SubjectKind, id: number): Promise<Subject | undefined> {
  switch (kind) {
    case 'decision': {
      const d = await h.selectFrom('decisions').selectAll().where('id', '=', id).where('worker_id', '=', workerId).executeTakeFirst();
      return d && { projectId: d.project_id, deciderId: d.decider_id, decidedAt: d.created_at, isMoney: d.kind === 'review_reject' || d.kind === 'audit_reject', currency: null };
    }
    case 'sanction': {
      const s = await h.selectFrom('sanctions').selectAll().where('id', '=', id).where('worker_id', '=', workerId).executeTakeFirst();
      return s && { projectId: s.project_id, deciderId: s.decider_id, decidedAt: s.created_at, isMoney: false, currency: null };
    }
    case 'quality_score': {
      // The subject is the project; a score is a running estimate, appealable at any time.
      const q = await h.selectFrom('worker_quality').select('project_id').where('project_id', '=', id).where('worker_id', '=', workerId).executeTakeFirst();
      return q && { projectId: q.project_id, deciderId: null, decidedAt: null, isMoney: false, currency: null };
    }
    case 'gold_item': {
      const a = await h.selectFrom('assignments').select(['project_id', 'ended_at']).where('task_id', '=', id).where('worker_id', '=', workerId).where('is_gold', '=', 1).where('status', '=', 'submitted').executeTakeFirst();
      return a && { projectId: a.project_id, deciderId: null, decidedAt: a.ended_at, isMoney: false, currency: null };
    }
    case 'time_record': {
      const a = await h.selectFrom('assignments').select(['project_id', 'ended_at', 'status']).where('id', '=', id).where('worker_id', '=', workerId).executeTakeFirst();
      if (!a || a.ended_at === null) return undefined;
      const card = await h.selectFrom('time_segments').innerJoin('rate_cards', 'rate_cards.id', 'time_segments.rate_card_id').select('rate_cards.currency').where('time_segments.assignment_id', '=', id).executeTakeFirst();
      return { projectId: a.project_id, deciderId: null, decidedAt: a.ended_at, isMoney: true, currency: card?.currency ?? null };
    }
    case 'payment': {
      const e = await h.selectFrom('ledger_entries').selectAll().where('id', '=', id).where('worker_id', '=', workerId).executeTakeFirst();
      return e && { projectId: e.project_id, deciderId: e.created_by, decidedAt: e.created_at, isMoney: true, currency: e.currency };
    }
  }
}

async function lastEvent(h: LedgerHandle, appealId: number) {
  const events = await h.selectFrom('appeal_events').selectAll().where('appeal_id', '=', appealId).orderBy('id').execute();
  return { assigned: [...events].reverse().find((e) => e.kind === 'assigned'), resolved: events.find((e) => e.kind === 'resolved') };
}

/** The person with the fewest open appeals among reviewers and admins, never the decider or the worker. */
async function pickAssignee(h: LedgerHandle, exclude: (number | null)[]): Promise<number | null> {
  const ids = exclude.filter((x): x is number => x !== null);
  const result = await sql<{ id: number }>`SELECT u.id FROM users u
    WHERE u.role IN ('admin', 'reviewer') AND u.active = 1 ${ids.length ? sql`AND u.id NOT IN (${sql.join(ids)})` : sql``}
    ORDER BY (SELECT COUNT(*) FROM appeal_events e WHERE e.kind = 'assigned' AND e.assignee_id = u.id
      AND NOT EXISTS (SELECT 1 FROM appeal_events r WHERE r.appeal_id = e.appeal_id AND r.kind = 'resolved')), u.id
    LIMIT 1`.execute(h);
  return result.rows[0]?.id ?? null;
}

export async function presentAppeal(h: LedgerHandle, a: AppealRow) {
  const { assigned, resolved } = await lastEvent(h, a.id);
  // A decision appeal states no amount; what it restored says in which currency.
  const currency = a.currency ?? (resolved?.restored_minor ? ((await h.selectFrom('ledger_entries').select('currency').where('worker_id', '=', a.worker_id).where('appeal_id', '=', a.id).executeTakeFirst())?.currency ?? null) : null);
  return {
    id: String(a.id),
    subject: { kind: a.subject_kind, id: String(a.subject_id) },
    is_money: a.is_money === 1,
    claimed_minor: a.claimed_minor,
    currency,
    text: a.text,
    status: resolved ? 'resolved' : assigned ? 'assigned' : 'open',
    // Who hears it is a person the worker may not know by name; the API says only whether someone does.
    assigned: assigned !== undefined,
    due_at: a.due_at === null ? null : new Date(a.due_at).toISOString(),
    outcome: resolved?.outcome ?? null,
    resolution: resolved ? { outcome: resolved.outcome, text: resolved.text, restored_minor: resolved.restored_minor, by: resolved.actor_rule ? { kind: 'rule', rule: resolved.actor_rule } : { kind: 'person' }, at: new Date(resolved.created_at).toISOString() } : null,
    filed_at: new Date(a.created_at).toISOString(),
  };
}

export interface AppealInput {
  subject_kind: SubjectKind;
  subject_id: number;
  text: string;
  claimed_minor?: number;
}

/**
 * Files an appeal and routes it to someone other than the decider. Throws appeal_subject_not_found,
 * appeal_window_closed (more than 30 days after the decision), appeal_exists (one open per subject),
 * validation_failed (a time or payment appeal states the amount claimed).
 */
export async function fileAppeal(database: Database, principal: Principal, input: AppealInput, now: number) {
  return database.db.transaction().execute(async (trx) => {
    const h = ledgerDb(trx);
    // Serialises this worker's filings (one open appeal per subject).
    await lockAccount(h, principal.id, now);
    const subject = await subjectOf(h, principal.id, input.subject_kind, input.subject_id);
    if (!subject) throw new AppError('appeal_subject_not_found');
    if (subject.decidedAt !== null && subject.decidedAt + APPEAL_WINDOW_DAYS * DAY_MS < now) throw new AppError('appeal_window_closed');
    const claimable = input.subject_kind === 'time_record' || input.subject_kind === 'payment';
    if (claimable && subject.currency === null) throw new AppError('appeal_subject_not_found', 'This record has no pay to appeal');
    if (claimable && input.claimed_minor === undefined) throw new AppError('validation_failed', 'A time or payment appeal states the amount claimed (claimed_minor)');
    const open = await h
      .selectFrom('appeals')
      .select('appeals.id')
      .where('subject_kind', '=', input.subject_kind)
      .where('subject_id', '=', input.subject_id)
      .where('worker_id', '=', principal.id)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('appeal_events').select('appeal_events.id').whereRef('appeal_events.appeal_id', '=', 'appeals.id').where('appeal_events.kind', '=', 'resolved'))))
      .executeTakeFirst();
    if (open) throw new AppError('appeal_exists', undefined, { appeal_id: String(open.id) });
    const appeal = await h
      .insertInto('appeals')
      .values({
        worker_id: principal.id,
        subject_kind: input.subject_kind,
        subject_id: input.subject_id,
        project_id: subject.projectId,
        original_decider_id: subject.deciderId,
        is_money: subject.isMoney ? 1 : 0,
        claimed_minor: claimable ? (input.claimed_minor ?? null) : null,
        currency: claimable ? subject.currency : null,
        text: input.text,
        due_at: subject.isMoney ? now + MONEY_APPEAL_DAYS * DAY_MS : null,
        created_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await h.insertInto('protected_activities').values({ worker_id: principal.id, kind: 'appeal', ref_id: appeal.id, text: '', created_at: now }).execute();
    const assignee = await pickAssignee(h, [principal.id, subject.deciderId]);
    if (assignee !== null) await h.insertInto('appeal_events').values({ appeal_id: appeal.id, kind: 'assigned', actor_id: null, actor_rule: 'fewest_open_appeals', assignee_id: assignee, outcome: null, text: null, restored_minor: null, created_at: now }).execute();
    return { appeal: await presentAppeal(h, appeal) };
  });
}

/** An admin routes an appeal to a reviewer or admin; never to the original decider or the worker. */
export async function assignAppeal(database: Database, principal: Principal, appealId: number, assigneeId: number, now: number) {
  const h = ledgerDb(database.db);
  const appeal = await h.selectFrom('appeals').selectAll().where('id', '=', appealId).executeTakeFirst();
  if (!appeal) throw new AppError('appeal_not_found');
  if ((await lastEvent(h, appeal.id)).resolved) throw new AppError('appeal_resolved');
  if (assigneeId === appeal.original_decider_id) throw new AppError('appeal_assignee_is_decider');
  const assignee = await database.db.selectFrom('users').select(['id', 'role', 'active']).where('id', '=', assigneeId).executeTakeFirst();
  if (!assignee || assignee.active !== 1 || (assignee.role !== 'admin' && assignee.role !== 'reviewer') || assignee.id === appeal.worker_id) throw new AppError('worker_not_found', 'The assignee must be an active reviewer or admin other than the worker');
  await h.insertInto('appeal_events').values({ appeal_id: appeal.id, kind: 'assigned', actor_id: principal.id, actor_rule: null, assignee_id: assigneeId, outcome: null, text: null, restored_minor: null, created_at: now }).execute();
  return { appeal: await presentAppeal(h, appeal) };
}

/**
 * Applies an overturn's effects in the transaction: the pay a rejection took or kept back, the amount
 * claimed in a time or payment appeal. Sanctions are lifted by the resolution itself (their state
 * reads it). Returns the amount restored.
 */
async function overturnIn(h: LedgerHandle, appeal: AppealRow, by: { userId: number | null; rule: string | null }, amountOverride: number | undefined, now: number): Promise<number> {
  if (appeal.subject_kind === 'decision') {
    const d = await h.selectFrom('decisions').selectAll().where('id', '=', appeal.subject_id).executeTakeFirst();
    if (!d || d.assignment_id === null || (d.kind !== 'review_reject' && d.kind !== 'audit_reject')) return 0;
    const a = await answerOf(h, d.assignment_id);
    const project = a && (await findProjectById(h as unknown as Kysely<DB>, a.project_id));
    if (!a || !project) return 0;
    // The answer counts again (aggregation, the worker's agreement with others), at once.
    await h.updateTable('assignments').set({ review_status: 'accepted' }).where('id', '=', d.assignment_id).where('review_status', '=', 'rejected').execute();
    return restoreAnswerPay(h, a, project, { appealId: appeal.id, decisionId: d.id, userId: by.userId, rule: by.rule ?? undefined }, `restore:appeal:${appeal.id}`, now);
  }
  if ((appeal.subject_kind === 'time_record' || appeal.subject_kind === 'payment') && appeal.currency) {
    const amount = amountOverride ?? appeal.claimed_minor ?? 0;
    if (amount <= 0) return 0;
    const account = await lockAccount(h, appeal.worker_id, now);
    const weekKey = eventWeekKey(account, now);
    await insertEntry(h, {
      workerId: appeal.worker_id,
      projectId: appeal.project_id,
      assignmentId: appeal.subject_kind === 'time_record' ? appeal.subject_id : null,
      kind: 'appeal_restoration',
      amountMinor: amount,
      currency: appeal.currency,
      weekKey,
      appealId: appeal.id,
      memo: { subject: appeal.subject_kind },
      dedupeKey: `restore:appeal:${appeal.id}`,
      createdBy: by.userId,
      createdByRule: by.rule,
      createdAt: now,
    });
    await noteOpenWeek(h, account, weekKey);
    return amount;
  }
  return 0;
}

/**
 * Resolves an appeal: upheld, or overturned (pay restored at once). Only the person it is assigned to,
 * or an admin, may resolve; never the original decider (appeal_assignee_is_decider) or the worker.
 */
export async function resolveAppeal(database: Database, principal: Principal, appealId: number, input: { outcome: 'upheld' | 'overturned'; text: string; restored_minor?: number }, now: number) {
  return database.db.transaction().execute(async (trx) => {
    const h = ledgerDb(trx);
    const appeal = await h.selectFrom('appeals').selectAll().where('id', '=', appealId).executeTakeFirst();
    if (!appeal || appeal.worker_id === principal.id) throw new AppError('appeal_not_found');
    if (principal.id === appeal.original_decider_id) throw new AppError('appeal_assignee_is_decider');
    const { assigned, resolved } = await lastEvent(h, appeal.id);
    if (resolved) throw new AppError('appeal_resolved');
    if (principal.role !== 'admin' && assigned?.assignee_id !== principal.id) throw new AppError('appeal_not_assigned_to_you');
    const restored = input.outcome === 'overturned' ? await overturnIn(h, appeal, { userId: principal.id, rule: null }, input.restored_minor, now) : 0;
    await h.insertInto('appeal_events').values({ appeal_id: appeal.id, kind: 'resolved', actor_id: principal.id, actor_rule: null, assignee_id: null, outcome: input.outcome, text: input.text, restored_minor: restored, created_at: now }).execute();
    return { appeal: await presentAppeal(h, appeal) };
  });
}

/**
 * The 14-day rule: a money appeal nobody answered in time resolves for the worker, restoring the pay
 * by rule. Safe to run anywhere at once: a resolution is unique per appeal. Returns how many.
 */
export async function resolveOverdueAppeals(database: Database, now: number): Promise<number> {
  const h = ledgerDb(database.db);
  const due = await h
    .selectFrom('appeals')
    .select('appeals.id')
    .where('is_money', '=', 1)
    .where('due_at', '<=', now)
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('appeal_events').select('appeal_events.id').whereRef('appeal_events.appeal_id', '=', 'appeals.id').where('appeal_events.kind', '=', 'resolved'))))
    .orderBy('appeals.id')
    .limit(500)
    .execute();
  let n = 0;
  for (const { id } of due) {
    await database.db.transaction().execute(async (trx) => {
      const t = ledgerDb(trx);
      const appeal = await t.selectFrom('appeals').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      await lockAccount(t, appeal.worker_id, now);
      if ((await lastEvent(t, id)).resolved) return;
      const restored = await overturnIn(t, appeal, { userId: null, rule: 'money_appeal_unanswered_14_days' }, undefined, now);
      await t.insertInto('appeal_events').values({ appeal_id: id, kind: 'resolved', actor_id: null, actor_rule: 'money_appeal_unanswered_14_days', assignee_id: null, outcome: 'overturned', text: null, restored_minor: restored, created_at: now }).execute();
      n++;
    });
  }
  return n;
}

/** The worker's own appeals, newest first. */
export async function myAppeals(db: Kysely<DB>, workerId: number) {
  const h = ledgerDb(db);
  const rows = await h.selectFrom('appeals').selectAll().where('worker_id', '=', workerId).orderBy('id', 'desc').limit(500).execute();
  return Promise.all(rows.map((r) => presentAppeal(h, r)));
}

/** What a decision appeal is about, so whoever hears it reads the original reasons first. */
async function appealedDecision(h: LedgerHandle, appeal: AppealRow) {
  if (appeal.subject_kind !== 'decision') return null;
  const d = await h.selectFrom('decisions').selectAll().where('id', '=', appeal.subject_id).executeTakeFirst();
  if (!d) return null;
  const project = d.project_id === null ? undefined : await h.selectFrom('projects').select('name').where('id', '=', d.project_id).executeTakeFirst();
  return { kind: d.kind, reason_code: d.reason_code, text: d.text, project: project?.name ?? null, task_id: d.task_id === null ? null : String(d.task_id), assignment_id: d.assignment_id === null ? null : String(d.assignment_id), decided_at: new Date(d.created_at).toISOString() };
}

/** Appeals the caller hears (assigned to them and open); admins see every open one. */
export async function appealsToHear(db: Kysely<DB>, principal: Principal) {
  const h = ledgerDb(db);
  const rows = await h
    .selectFrom('appeals')
    .selectAll()
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('appeal_events').select('appeal_events.id').whereRef('appeal_events.appeal_id', '=', 'appeals.id').where('appeal_events.kind', '=', 'resolved'))))
    .orderBy('id')
    .limit(500)
    .execute();
  const out = [];
  for (const r of rows) {
    const { assigned } = await lastEvent(h, r.id);
    if (principal.role !== 'admin' && assigned?.assignee_id !== principal.id) continue;
    if (r.original_decider_id === principal.id) continue;
    out.push({ ...(await presentAppeal(h, r)), worker_id: String(r.worker_id), assignee_id: assigned?.assignee_id === undefined ? null : String(assigned.assignee_id), decision: await appealedDecision(h, r) });
  }
  return out;
}
