import type { Kysely } from 'kysely';
import type { Database, DB } from '../../db/index.ts';
import { AppError } from '../../server/errors.ts';
import type { Principal } from '../accounts/index.ts';
import { findProjectByName } from '../projects/index.ts';
import { type EntryRow, findEntryByKey, insertEntry, lockAccount, noteOpenWeek } from './ledger.repository.ts';
import { ledgerDb } from './ledger.tables.ts';
import { formatMinor } from './money.ts';
import { eventWeekKey } from './pay.service.ts';
import { addDays } from './week.ts';
import type { ClosePayload } from './week-close.ts';

export function presentEntry(e: EntryRow, projectNames: Map<number, string>) {
  return {
    id: String(e.id),
    kind: e.kind,
    amount_minor: e.amount_minor,
    amount: formatMinor(e.amount_minor, e.currency),
    currency: e.currency,
    week: e.week_key,
    project: e.project_id === null ? null : (projectNames.get(e.project_id) ?? null),
    assignment_id: e.assignment_id === null ? null : String(e.assignment_id),
    decision_id: e.decision_id === null ? null : String(e.decision_id),
    appeal_id: e.appeal_id === null ? null : String(e.appeal_id),
    reverses_id: e.reverses_id === null ? null : String(e.reverses_id),
    by: e.created_by !== null ? { kind: 'person', user_id: String(e.created_by) } : { kind: 'rule', rule: e.created_by_rule },
    memo: JSON.parse(e.memo) as Record<string, unknown>,
    created_at: new Date(e.created_at).toISOString(),
  };
}

export async function projectNamesOf(db: Kysely<DB>, ids: (number | null)[]): Promise<Map<number, string>> {
  const wanted = [...new Set(ids.filter((id): id is number => id !== null))];
  if (wanted.length === 0) return new Map();
  const rows = await db.selectFrom('projects').select(['id', 'name']).where('id', 'in', wanted).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** A worker's ledger entries in the weeks that start within [from - 6 days, to], oldest first. */
export async function listEntries(db: Kysely<DB>, workerId: number, range: { from: string; to: string }) {
  const rows = await ledgerDb(db)
    .selectFrom('ledger_entries')
    .selectAll()
    .where('worker_id', '=', workerId)
    .where('week_key', '>=', addDays(range.from, -6))
    .where('week_key', '<=', range.to)
    .orderBy('id')
    .execute();
  const names = await projectNamesOf(db, rows.map((r) => r.project_id));
  return rows.map((r) => presentEntry(r, names));
}

export function presentWeek(c: { week_key: string; hash: string; prev_hash: string; seq: number; closed_at: number; payload: string }) {
  const p = JSON.parse(c.payload) as ClosePayload;
  return {
    week: c.week_key,
    start_at: new Date(p.start_at).toISOString(),
    end_at: new Date(p.end_at).toISOString(),
    timezone: p.timezone,
    currency: p.currency,
    paid_ms: p.time.paid_ms,
    unpaid_ms: p.time.unpaid_ms,
    by_category_ms: p.time.by_category,
    net_minor: p.net_minor,
    deductions_minor: p.deductions_minor,
    required_minor: p.required_minor,
    topup_minor: p.topup_minor,
    overtime: p.overtime,
    adjustments: p.adjustments,
    payouts: p.payouts,
    carried: p.carried,
    floor: p.floor,
    closed_at: new Date(c.closed_at).toISOString(),
    seq: c.seq,
    hash: c.hash,
    prev_hash: c.prev_hash,
  };
}

/** A worker's closed weeks starting within [from - 6 days, to], oldest first, with the hashed figures. */
export async function listWeeks(db: Kysely<DB>, workerId: number, range: { from: string; to: string }) {
  const rows = await ledgerDb(db)
    .selectFrom('week_closes')
    .selectAll()
    .where('worker_id', '=', workerId)
    .where('week_key', '>=', addDays(range.from, -6))
    .where('week_key', '<=', range.to)
    .orderBy('week_key')
    .execute();
  return rows.map(presentWeek);
}

export interface AdjustInput {
  worker_id: number;
  kind: 'bonus' | 'adjustment' | 'deduction';
  amount_minor: number;
  currency: string;
  project?: string;
  reason: string;
  idempotency_key: string;
}

/**
 * A correction by a person, as a new row (rule: append-only): a bonus, an adjustment in the worker's
 * favour, or a deduction (a negative row, which comes out of the balance and never lowers a week's
 * floor test). Idempotent by key: a repeat returns the first entry.
 */
export async function adjust(database: Database, principal: Principal, input: AdjustInput, now: number) {
  const { db } = database;
  const worker = await db.selectFrom('users').select('id').where('id', '=', input.worker_id).executeTakeFirst();
  if (!worker) throw new AppError('worker_not_found');
  let projectId: number | null = null;
  if (input.project !== undefined) {
    const project = await findProjectByName(db, input.project);
    if (!project) throw new AppError('project_not_found');
    projectId = project.id;
  }
  const key = `manual:${input.idempotency_key}`;
  await db.transaction().execute(async (trx) => {
    const h = ledgerDb(trx);
    const account = await lockAccount(h, input.worker_id, now);
    const weekKey = eventWeekKey(account, now);
    const added = await insertEntry(h, {
      workerId: input.worker_id,
      projectId,
      kind: input.kind === 'deduction' ? 'reversal' : input.kind,
      amountMinor: input.kind === 'deduction' ? -input.amount_minor : input.amount_minor,
      currency: input.currency,
      weekKey,
      memo: { reason: input.reason },
      dedupeKey: key,
      createdBy: principal.id,
      createdAt: now,
    });
    if (added) await noteOpenWeek(h, account, weekKey);
  });
  const entry = (await findEntryByKey(ledgerDb(db), key)) as EntryRow;
  return { entry: presentEntry(entry, await projectNamesOf(db, [entry.project_id])) };
}
