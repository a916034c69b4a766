import type { Selectable } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Principal } from '../accounts/index.ts';
import { applySignal, closeTime, type TimeState } from '../assignment/index.ts';
import { findProjectById, findProjectByName, type Project } from '../projects/index.ts';
import { AppError } from '../../server/errors.ts';
import { segmentsForSpan } from './assignment-pay.ts';
import { type ActivityCategory, isPaidCategory } from './categories.ts';
import { type AccountRow, insertEntry, insertSegments, lockAccount, noteOpenWeek, profileAsOf } from './ledger.repository.ts';
import { type ActivitySessionsTable, coreDb, type LedgerHandle, ledgerDb } from './ledger.tables.ts';
import { payForTime } from './money.ts';
import { cardForWork, eventWeekKey, floorHourlyAt, openWeek } from './pay.service.ts';

/**
 * Time outside a task (FAIRWORK "Time", rule 3): reading instructions, qualification tests, training,
 * review rework (paid at least the floor per counted minute, pass or fail) and search or a voluntary
 * break (recorded, unpaid unless the project's card pays them). Sessions take heartbeats like
 * assignments and are turned into segments and pay when they end.
 */

type SessionRow = Selectable<ActivitySessionsTable>;

/** A session with no heartbeat for this long is closed by the sweeper at its last signal plus this. */
export const ACTIVITY_TIMEOUT_MS = 10 * 60_000;
const DEFAULT_IDLE_GRACE_MS = 300_000;

function present(row: SessionRow, projectName: string | null) {
  return {
    id: String(row.id),
    category: row.category,
    project: projectName,
    status: row.status,
    outcome: row.outcome,
    started_at: new Date(row.started_at).toISOString(),
    ended_at: row.ended_at === null ? null : new Date(row.ended_at).toISOString(),
    time: { active_ms: row.active_ms, short_idle_ms: row.short_idle_ms, long_idle_ms: row.long_idle_ms },
  };
}

function timeOf(row: SessionRow): TimeState {
  return { activeMs: row.active_ms, shortIdleMs: row.short_idle_ms, longIdleMs: row.long_idle_ms, idleStreakMs: row.idle_streak_ms, lastSignalAt: row.last_signal_at, idleGraceMs: row.idle_grace_ms };
}

async function projectName(h: LedgerHandle, id: number | null): Promise<string | null> {
  if (id === null) return null;
  return (await h.selectFrom('projects').select('name').where('id', '=', id).executeTakeFirst())?.name ?? null;
}

/** Ends the worker's open sessions (one activity at a time), then opens a new one. Throws project_not_found. */
export async function startActivity(database: Database, principal: Principal, input: { category: ActivityCategory; project?: string }, now: number) {
  let project: Project | undefined;
  if (input.project !== undefined) {
    project = await findProjectByName(database.db, input.project);
    if (!project || project.status === 'draft' || project.status === 'archived') throw new AppError('project_not_found', `No open project named "${input.project}"`);
  }
  return database.db.transaction().execute(async (trx) => {
    const h = ledgerDb(trx);
    const open = await h.selectFrom('activity_sessions').selectAll().where('worker_id', '=', principal.id).where('status', '=', 'open').execute();
    for (const row of open) await endSessionIn(h, row, Math.min(now, row.last_signal_at + ACTIVITY_TIMEOUT_MS), now, null);
    const row = await h
      .insertInto('activity_sessions')
      .values({
        worker_id: principal.id,
        project_id: project?.id ?? null,
        category: input.category,
        status: 'open',
        outcome: null,
        started_at: now,
        ended_at: null,
        last_signal_at: now,
        idle_grace_ms: project ? project.idleGraceSeconds * 1000 : DEFAULT_IDLE_GRACE_MS,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return present(row, project?.name ?? null);
  });
}

async function lockOwnSession(h: LedgerHandle, principal: Principal, id: number): Promise<SessionRow> {
  // A no-op update locks the row on both databases.
  const row = await h.updateTable('activity_sessions').set((eb) => ({ status: eb.ref('status') })).where('id', '=', id).returningAll().executeTakeFirst();
  if (!row || row.worker_id !== principal.id) throw new AppError('activity_not_found', `No activity session ${id}`);
  return row;
}

/** Records a heartbeat. Throws activity_not_found, activity_not_open (also once the session timed out). */
export async function activityHeartbeat(database: Database, principal: Principal, id: number, signal: { visible: boolean; inputActive: boolean }, now: number) {
  const result = await database.db.transaction().execute(async (trx) => {
    const h = ledgerDb(trx);
    const row = await lockOwnSession(h, principal, id);
    if (row.status !== 'open') throw new AppError('activity_not_open');
    if (row.last_signal_at + ACTIVITY_TIMEOUT_MS < now) {
      await endSessionIn(h, row, row.last_signal_at + ACTIVITY_TIMEOUT_MS, now, null);
      return null;
    }
    const t = applySignal(timeOf(row), now, signal);
    const updated = await h
      .updateTable('activity_sessions')
      .set({ active_ms: t.activeMs, short_idle_ms: t.shortIdleMs, long_idle_ms: t.longIdleMs, idle_streak_ms: t.idleStreakMs, last_signal_at: t.lastSignalAt })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return present(updated, await projectName(h, row.project_id));
  });
  if (!result) throw new AppError('activity_not_open', 'This activity session timed out without heartbeats; start a new one');
  return result;
}

/** Ends a session (a qualification test may say passed or failed: it is paid either way). Ending twice answers the same. */
export async function endActivity(database: Database, principal: Principal, id: number, outcome: 'passed' | 'failed' | null, now: number) {
  return database.db.transaction().execute(async (trx) => {
    const h = ledgerDb(trx);
    const row = await lockOwnSession(h, principal, id);
    if (row.status === 'ended') return present(row, await projectName(h, row.project_id));
    const at = Math.min(now, row.last_signal_at + ACTIVITY_TIMEOUT_MS);
    const ended = await endSessionIn(h, row, at, now, outcome);
    return present(ended, await projectName(h, row.project_id));
  });
}

/** Closes sessions whose heartbeats stopped, at their last signal plus the timeout. Returns how many. */
export async function expireStaleActivities(database: Database, now: number): Promise<number> {
  const h = ledgerDb(database.db);
  const stale = await h.selectFrom('activity_sessions').select('id').where('status', '=', 'open').where('last_signal_at', '<', now - ACTIVITY_TIMEOUT_MS).limit(500).execute();
  for (const { id } of stale) {
    await database.db.transaction().execute(async (trx) => {
      const t = ledgerDb(trx);
      const row = await t.updateTable('activity_sessions').set((eb) => ({ status: eb.ref('status') })).where('id', '=', id).returningAll().executeTakeFirst();
      if (row?.status === 'open') await endSessionIn(t, row, row.last_signal_at + ACTIVITY_TIMEOUT_MS, now, null);
    });
  }
  return stale.length;
}

/** Closes the session's time at `at`, writes its segments and its pay. Needs the session locked. */
async function endSessionIn(h: LedgerHandle, row: SessionRow, at: number, now: number, outcome: 'passed' | 'failed' | null): Promise<SessionRow> {
  const t = closeTime(timeOf(row), Math.max(at, row.last_signal_at), 'idle');
  const ended = await h
    .updateTable('activity_sessions')
    .set({ status: 'ended', outcome, ended_at: t.lastSignalAt, active_ms: t.activeMs, short_idle_ms: t.shortIdleMs, long_idle_ms: t.longIdleMs, idle_streak_ms: t.idleStreakMs, last_signal_at: t.lastSignalAt })
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  const account = await lockAccount(h, row.worker_id, now);
  await recordSession(h, account, ended, now);
  return ended;
}

async function recordSession(h: LedgerHandle, account: AccountRow, s: SessionRow, now: number): Promise<void> {
  const project = s.project_id === null ? undefined : await findProjectById(coreDb(h), s.project_id);
  const card = project ? await cardForWork(h, project, s.started_at, now) : undefined;
  const paidCategories = card?.paidCategories ?? [];
  const span = { claimedAt: s.started_at, endedAt: s.ended_at as number, activeMs: s.active_ms, shortIdleMs: s.short_idle_ms, longIdleMs: s.long_idle_ms };
  // Active and counted idle time is time in the session's category; long idle stays long idle.
  const merged = new Map<string, { category: string; weekKey: string; startedAt: number; endedAt: number; ms: number }>();
  for (const seg of segmentsForSpan(span, account.timezone, account.week_start_day)) {
    const category = seg.category === 'long_idle' ? 'long_idle' : s.category;
    const key = `${category}|${seg.weekKey}`;
    const m = merged.get(key) ?? { category, weekKey: seg.weekKey, startedAt: seg.startedAt, endedAt: seg.endedAt, ms: 0 };
    m.ms += seg.ms;
    merged.set(key, m);
  }
  const segments = [...merged.values()].map((m) => ({
    workerId: s.worker_id,
    projectId: s.project_id,
    assignmentId: null,
    activityId: s.id,
    category: m.category,
    startedAt: m.startedAt,
    endedAt: m.endedAt,
    ms: m.ms,
    paid: isPaidCategory(m.category, paidCategories),
    rateCardId: card?.id ?? null,
    weekKey: openWeek(account, m.weekKey),
    createdAt: now,
  }));
  await insertSegments(h, segments);
  for (const key of new Set(segments.map((x) => x.weekKey))) await noteOpenWeek(h, account, key);

  const counted = s.active_ms + s.short_idle_ms;
  if (!isPaidCategory(s.category, paidCategories) || counted <= 0) return;
  const currency = card?.currency ?? (await profileAsOf(h, s.worker_id, now))?.currency ?? 'USD';
  const promise = card && card.kind !== 'piece' ? card.hourlyMinor : 0;
  const rate = await floorHourlyAt(h, account, currency, promise, now);
  const amount = payForTime(rate, counted);
  if (amount <= 0) return;
  const weekKey = eventWeekKey(account, now);
  await insertEntry(h, {
    workerId: s.worker_id,
    projectId: s.project_id,
    kind: 'paid_time',
    amountMinor: amount,
    currency,
    weekKey,
    rateCardId: card?.id ?? null,
    memo: { activity_id: s.id, category: s.category, ms: counted, rate_minor: rate, outcome: s.outcome },
    dedupeKey: `activity:${s.id}`,
    createdByRule: 'pre_work_paid_at_floor',
    createdAt: now,
  });
  await noteOpenWeek(h, account, weekKey);
}
