import type { Kysely, Selectable } from 'kysely';
import { type Database, type DB, prepared } from '../../db/index.ts';
import { AppError } from '../../server/errors.ts';
import type { Principal } from '../accounts/index.ts';
import { findProjectByName } from '../projects/index.ts';
import { accuracyEstimate } from '../quality/index.ts';
import { hasProtectedActivity } from './decisions.service.ts';
import { type LedgerHandle, ledgerDb, type SanctionsTable } from './ledger.tables.ts';

/*
 * Graduated, human-confirmed sanctions (FAIRWORK rule 8): notice, warning (with the missed gold
 * items, the right answers and a window to improve), project restriction, suspension, deactivation,
 * one step at a time. Suspension and deactivation, and any sanction within 90 days of the worker's
 * protected activity (rule 11), take effect only when a second person confirms them. A quality
 * sanction needs n >= 10 gold answers with the upper 90% bound below the threshold (rule 10).
 * Earned pay is always paid out: week closes ignore sanctions.
 */

export const LEVELS = ['notice', 'warning', 'project_restriction', 'suspension', 'deactivation'] as const;
export type Level = (typeof LEVELS)[number];
export const QUALITY_REASON = 'low_quality';
const QUALITY_MIN_GOLD = 10;
const DEFAULT_QUALITY_THRESHOLD = 0.7;
const DEFAULT_WARNING_WINDOW_DAYS = 14;
const DAY_MS = 86_400_000;

type SanctionRow = Selectable<SanctionsTable>;

export interface SanctionState {
  row: SanctionRow;
  /** pending_confirmation, effective, declined, overturned (by appeal) or ended (window over). */
  status: 'pending_confirmation' | 'effective' | 'declined' | 'overturned' | 'ended';
  confirmation: { outcome: string; text: string; at: number } | null;
}

// Every claim asks (accessOf), and nearly every worker has none.
const sanctionsAgainst = prepared((h: LedgerHandle, workerId: number) => h.selectFrom('sanctions').selectAll().where('worker_id', '=', workerId).orderBy('id'));

/** Every sanction of a worker with its state at `now`, oldest first. */
export async function sanctionsOf(h: LedgerHandle, workerId: number, now: number): Promise<SanctionState[]> {
  const rows = (await sanctionsAgainst(h, workerId)).rows;
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const confirmations = await h.selectFrom('sanction_confirmations').selectAll().where('sanction_id', 'in', ids).execute();
  const overturned = await h
    .selectFrom('appeals')
    .innerJoin('appeal_events', 'appeal_events.appeal_id', 'appeals.id')
    .select('appeals.subject_id')
    .where('appeals.subject_kind', '=', 'sanction')
    .where('appeals.subject_id', 'in', ids)
    .where('appeal_events.kind', '=', 'resolved')
    .where('appeal_events.outcome', '=', 'overturned')
    .execute();
  const overturnedIds = new Set(overturned.map((o) => o.subject_id));
  return rows.map((row) => {
    const c = confirmations.find((x) => x.sanction_id === row.id);
    const confirmation = c ? { outcome: c.outcome, text: c.text, at: c.created_at } : null;
    let status: SanctionState['status'];
    if (overturnedIds.has(row.id)) status = 'overturned';
    else if (row.needs_confirmation === 1 && !c) status = 'pending_confirmation';
    else if (c?.outcome === 'declined') status = 'declined';
    else if (row.window_days !== null && row.level !== 'warning' && row.created_at + row.window_days * DAY_MS <= now) status = 'ended';
    else status = 'effective';
    return { row, status, confirmation };
  });
}

export function presentSanction(s: SanctionState, projectNames: Map<number, string>) {
  const r = s.row;
  return {
    id: String(r.id),
    level: r.level,
    status: s.status,
    project: r.project_id === null ? null : (projectNames.get(r.project_id) ?? null),
    reason_code: r.reason_code,
    statement: r.statement,
    evidence: JSON.parse(r.evidence) as Record<string, unknown>,
    window_days: r.window_days,
    hold_reason: r.hold_reason,
    decided_at: new Date(r.created_at).toISOString(),
    confirmation: s.confirmation && { outcome: s.confirmation.outcome, text: s.confirmation.text, at: new Date(s.confirmation.at).toISOString() },
  };
}

export interface SanctionInput {
  worker_id: number;
  level: Level;
  project?: string;
  reason_code: string;
  statement: string;
  evidence?: Record<string, unknown>;
  window_days?: number;
  second_reason?: string;
  quality_threshold?: number;
}

/**
 * Issues a sanction. Throws worker_not_found, project_not_found, sanction_not_graduated,
 * statement_required, quality_evidence_insufficient, written_reason_required. Suspension and
 * deactivation (and anything after protected activity) come back pending_confirmation.
 */
export async function issueSanction(database: Database, principal: Principal, input: SanctionInput, now: number) {
  const { db } = database;
  const h = ledgerDb(db);
  const worker = await db.selectFrom('users').select(['id']).where('id', '=', input.worker_id).executeTakeFirst();
  if (!worker) throw new AppError('worker_not_found');
  if (input.worker_id === principal.id) throw new AppError('forbidden', 'Nobody sanctions themselves');
  if (input.statement.trim().length < 20) throw new AppError('statement_required');
  const project = input.project === undefined ? undefined : await findProjectByName(db, input.project);
  if (input.project !== undefined && !project) throw new AppError('project_not_found');
  if ((input.level === 'project_restriction' || input.level === 'warning' || input.reason_code === QUALITY_REASON) && !project) throw new AppError('validation_failed', `A ${input.level === 'warning' ? 'warning' : input.level === 'project_restriction' ? 'project restriction' : 'quality sanction'} names its project`);

  const states = await sanctionsOf(h, input.worker_id, now);
  const highest = Math.max(-1, ...states.filter((s) => s.status === 'effective' || s.status === 'ended' || s.status === 'pending_confirmation').map((s) => LEVELS.indexOf(s.row.level)));
  if (LEVELS.indexOf(input.level) > highest + 1) throw new AppError('sanction_not_graduated', undefined, { next_allowed: LEVELS[Math.min(LEVELS.length - 1, highest + 1)] });

  const evidence: Record<string, unknown> = { ...(input.evidence ?? {}) };
  if (input.reason_code === QUALITY_REASON && project) {
    const q = await db.selectFrom('worker_quality').select(['gold_n', 'gold_correct']).where('project_id', '=', project.id).where('worker_id', '=', input.worker_id).executeTakeFirst();
    const estimate = accuracyEstimate(q?.gold_correct ?? 0, q?.gold_n ?? 0, project.quality.prior);
    const threshold = input.quality_threshold ?? DEFAULT_QUALITY_THRESHOLD;
    if (estimate.n < QUALITY_MIN_GOLD || estimate.high >= threshold) throw new AppError('quality_evidence_insufficient', undefined, { n: estimate.n, high: estimate.high, threshold, min_gold: QUALITY_MIN_GOLD });
    evidence.quality = { n: estimate.n, mean: estimate.mean, low: estimate.low, high: estimate.high, threshold };
  }
  let windowDays = input.window_days ?? null;
  if (input.level === 'warning' && project) {
    // The missed gold items, with the right answers and why, and a window to improve (rule 8).
    const missed = await db
      .selectFrom('assignments')
      .innerJoin('tasks', 'tasks.id', 'assignments.task_id')
      .select(['tasks.id', 'assignments.response', 'tasks.expected_response', 'tasks.gold_explanation', 'assignments.gold_score'])
      .where('assignments.worker_id', '=', input.worker_id)
      .where('assignments.project_id', '=', project.id)
      .where('assignments.is_gold', '=', 1)
      .where('assignments.status', '=', 'submitted')
      .where('assignments.gold_score', '<', 1)
      .orderBy('assignments.id', 'desc')
      .limit(50)
      .execute();
    evidence.missed_gold = missed.map((m) => ({
      task_id: String(m.id),
      your_answer: m.response === null ? null : JSON.parse(m.response),
      right_answer: m.expected_response === null ? null : JSON.parse(m.expected_response),
      explanation: m.gold_explanation,
      score: m.gold_score,
    }));
    windowDays = windowDays ?? DEFAULT_WARNING_WINDOW_DAYS;
  }
  const protectedRecently = await hasProtectedActivity(h, input.worker_id, now);
  if (protectedRecently && (input.second_reason ?? '').trim().length < 20) throw new AppError('written_reason_required');
  const humanOnly = input.level === 'suspension' || input.level === 'deactivation';
  const row = await h
    .insertInto('sanctions')
    .values({
      worker_id: input.worker_id,
      level: input.level,
      project_id: project?.id ?? null,
      reason_code: input.reason_code,
      statement: input.statement,
      evidence: JSON.stringify(evidence),
      decider_id: principal.id,
      needs_confirmation: humanOnly || protectedRecently ? 1 : 0,
      hold_reason: protectedRecently ? 'protected_activity' : humanOnly ? 'human_confirmation' : null,
      second_reason: input.second_reason ?? null,
      window_days: windowDays,
      created_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const state = (await sanctionsOf(h, input.worker_id, now)).find((s) => s.row.id === row.id) as SanctionState;
  return { sanction: presentSanction(state, new Map(project ? [[project.id, project.name]] : [])) };
}

/**
 * A second person confirms (or declines) a sanction that waits. The decider never confirms their own
 * (second_person_required), nor does the sanctioned worker. Throws sanction_not_found, sanction_not_pending.
 */
export async function confirmSanction(database: Database, principal: Principal, id: number, input: { outcome: 'confirmed' | 'declined'; text: string }, now: number) {
  const h = ledgerDb(database.db);
  const row = await h.selectFrom('sanctions').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError('sanction_not_found');
  if (row.needs_confirmation !== 1) throw new AppError('sanction_not_pending');
  if (row.decider_id === principal.id || row.worker_id === principal.id) throw new AppError('second_person_required');
  const inserted = await h
    .insertInto('sanction_confirmations')
    .values({ sanction_id: row.id, confirmer_id: principal.id, outcome: input.outcome, text: input.text, created_at: now })
    .onConflict((oc) => oc.column('sanction_id').doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) throw new AppError('sanction_not_pending');
  const state = (await sanctionsOf(h, row.worker_id, now)).find((s) => s.row.id === row.id) as SanctionState;
  const names = row.project_id === null ? new Map<number, string>() : new Map((await database.db.selectFrom('projects').select(['id', 'name']).where('id', '=', row.project_id).execute()).map((p) => [p.id, p.name]));
  return { sanction: presentSanction(state, names) };
}

/** What the worker's effective sanctions bar: all work (suspension, deactivation) or some projects. */
export async function accessOf(db: Kysely<DB>, workerId: number, now: number): Promise<{ barred: 'suspension' | 'deactivation' | null; restrictedProjects: Set<number> }> {
  const states = (await sanctionsOf(ledgerDb(db), workerId, now)).filter((s) => s.status === 'effective');
  const barred = states.find((s) => s.row.level === 'deactivation') ? 'deactivation' : states.find((s) => s.row.level === 'suspension') ? 'suspension' : null;
  return { barred, restrictedProjects: new Set(states.filter((s) => s.row.level === 'project_restriction' && s.row.project_id !== null).map((s) => s.row.project_id as number)) };
}

/** Sanctions waiting for a second person (not the caller's own). */
export async function pendingSanctions(db: Kysely<DB>, principal: Principal, now: number) {
  const h = ledgerDb(db);
  const rows = await h
    .selectFrom('sanctions')
    .leftJoin('sanction_confirmations', 'sanction_confirmations.sanction_id', 'sanctions.id')
    .select('sanctions.worker_id')
    .where('sanctions.needs_confirmation', '=', 1)
    .where('sanction_confirmations.id', 'is', null)
    .where('sanctions.decider_id', '!=', principal.id)
    .execute();
  const out = [];
  for (const workerId of [...new Set(rows.map((r) => r.worker_id))]) {
    for (const s of await sanctionsOf(h, workerId, now)) if (s.status === 'pending_confirmation' && s.row.decider_id !== principal.id) out.push({ worker_id: String(workerId), ...presentSanction(s, new Map()) });
  }
  return out;
}
