import { type Kysely, type Selectable, sql } from 'kysely';
import { prepared, writeBehind } from '../../db/index.ts';
import type { RateCard } from './assignment-pay.ts';
import type { FxRate, HourlyFloor } from './week-close.ts';
import { isTimeZone } from './week.ts';
import type { LedgerAccountsTable, LedgerDB, LedgerEntriesTable, WorkerPayProfilesTable } from './ledger.tables.ts';

/*
 * SQL of the ledger's core: accounts, profiles, dated floors, rate cards, segments and entries.
 * Every function takes a handle that sees the ledger's tables (ledgerDb()).
 */

type H = Kysely<LedgerDB>;
export type AccountRow = Selectable<LedgerAccountsTable>;
export type ProfileRow = Selectable<WorkerPayProfilesTable>;
export type EntryRow = Selectable<LedgerEntriesTable>;

export const DEFAULT_CURRENCY = 'USD';

/**
 * The worker's ledger account, locked for the rest of the transaction, created on first use with
 * the user's time zone and a Monday workweek (and a first profile version saying so). The lock is a
 * no-op UPDATE, which holds the row on PostgreSQL and the write lock on SQLite: writes of one worker's
 * time and money and that worker's week close are thereby ordered.
 */
export async function lockAccount(trx: H, workerId: number, now: number): Promise<AccountRow> {
  const lock = () => trx.updateTable('ledger_accounts').set((eb) => ({ timezone: eb.ref('timezone') })).where('worker_id', '=', workerId).returningAll().executeTakeFirst();
  const row = await lock();
  if (row) return row;
  const user = await trx.selectFrom('users').select(['timezone']).where('id', '=', workerId).executeTakeFirst();
  const timezone = user && isTimeZone(user.timezone) ? user.timezone : 'UTC';
  const inserted = await trx
    .insertInto('ledger_accounts')
    .values({ worker_id: workerId, timezone, week_start_day: 1, closed_through: null, next_open_week: null, created_at: now })
    .onConflict((oc) => oc.column('worker_id').doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) {
    await trx
      .insertInto('worker_pay_profiles')
      .values({ worker_id: workerId, jurisdiction: null, engagement: 'contractor', currency: DEFAULT_CURRENCY, timezone, week_start_day: 1, created_by: null, created_at: now })
      .execute();
  }
  return (await lock()) as AccountRow;
}

/**
 * Records that `weekKey` has events, so the close job finds the account. Always asks the database
 * (never a value read earlier), unless this transaction has itself noted this week or an earlier one
 * (notedInTransaction): a submit's piece then adds no statement to its time's. The conditional update
 * holds the row only when it changes it, so it waits for a close only when the row it sees already
 * qualifies. A caller whose account's first open week may be closing holds the account itself, as
 * recordAssignmentEnded does, so that a close never leaves this week out of `next_open_week`.
 */
export async function noteOpenWeek(trx: H, account: AccountRow, weekKey: string): Promise<void> {
  if (!notedAlready(trx, account.worker_id, weekKey)) {
    await moveOpenWeek(trx, weekKey, account.worker_id);
    rememberNoted(trx, account.worker_id, weekKey);
  }
  keepOpenWeek(account, weekKey);
}

/**
 * The earliest week each account's next_open_week was noted at in a transaction, by worker. Once this
 * transaction has noted week W, the row holds W or earlier until it commits (only a close moves it
 * later, and none runs beside a note: see noteOpenWeek), so noting W or a later week again changes nothing.
 */
const notedInTransaction = new WeakMap<H, Map<number, string>>();

function notedAlready(trx: H, workerId: number, weekKey: string): boolean {
  const noted = notedInTransaction.get(trx)?.get(workerId);
  return noted !== undefined && noted <= weekKey;
}

function rememberNoted(trx: H, workerId: number, weekKey: string): void {
  // Outside a transaction each statement stands alone: nothing to remember.
  if (!trx.isTransaction) return;
  let noted = notedInTransaction.get(trx);
  if (!noted) notedInTransaction.set(trx, (noted = new Map()));
  const earlier = noted.get(workerId);
  if (earlier === undefined || weekKey < earlier) noted.set(workerId, weekKey);
}

/** The account as noteOpenWeek left it in the database. */
function keepOpenWeek(account: AccountRow, weekKey: string): void {
  if (account.next_open_week === null || account.next_open_week > weekKey) account.next_open_week = weekKey;
}

// The statements every submit runs are prepared once (see prepared()).
const moveOpenWeek = prepared((db: H, weekKey: string, workerId: number) =>
  db
    .updateTable('ledger_accounts')
    .set({ next_open_week: weekKey })
    .where('worker_id', '=', workerId)
    .where((eb) => eb.or([eb('next_open_week', 'is', null), eb('next_open_week', '>', weekKey)])),
);
const accountOf = prepared((db: H, workerId: number) => db.selectFrom('ledger_accounts').selectAll().where('worker_id', '=', workerId));

export async function findAccount(db: H, workerId: number): Promise<AccountRow | undefined> {
  return (await accountOf(db, workerId)).rows[0];
}

/** The accounts of these workers that exist, by worker id. */
export async function findAccounts(db: H, workerIds: number[]): Promise<Map<number, AccountRow>> {
  if (workerIds.length === 0) return new Map();
  const rows = await db.selectFrom('ledger_accounts').selectAll().where('worker_id', 'in', workerIds).execute();
  return new Map(rows.map((r) => [r.worker_id, r]));
}

/** The worker's pay profile as it stood at `asOf` (the latest version recorded by then). */
export async function profileAsOf(db: H, workerId: number, asOf: number): Promise<ProfileRow | undefined> {
  return db.selectFrom('worker_pay_profiles').selectAll().where('worker_id', '=', workerId).where('created_at', '<=', asOf).orderBy('id', 'desc').limit(1).executeTakeFirst();
}

export async function insertProfile(db: H, values: Omit<ProfileRow, 'id'>): Promise<ProfileRow> {
  return db.insertInto('worker_pay_profiles').values(values).returningAll().executeTakeFirstOrThrow();
}

/** The workweek definition the account uses for new events. */
export async function setAccountWorkweek(db: H, workerId: number, timezone: string, weekStartDay: number): Promise<void> {
  await db.updateTable('ledger_accounts').set({ timezone, week_start_day: weekStartDay }).where('worker_id', '=', workerId).execute();
}

/** Parent jurisdictions apply too: US-CA is bound by US federal law as well. */
export function jurisdictionChain(jurisdiction: string): string[] {
  const out = [jurisdiction];
  const dash = jurisdiction.indexOf('-');
  if (dash > 0) out.push(jurisdiction.slice(0, dash));
  return out;
}

/**
 * The statutory minimum in force on local date `day` for a jurisdiction, as known at `asOf`: the
 * highest of the jurisdiction's own and its parent's (same currency), else the most specific.
 */
export async function jurisdictionMinimum(db: H, jurisdiction: string | null, day: string, asOf: number): Promise<HourlyFloor | null> {
  if (!jurisdiction) return null;
  let best: HourlyFloor | null = null;
  for (const j of jurisdictionChain(jurisdiction)) {
    const row = await db
      .selectFrom('jurisdiction_minimums')
      .select(['id', 'hourly_minor', 'currency'])
      .where('jurisdiction', '=', j)
      .where('effective_from', '<=', day)
      .where('created_at', '<=', asOf)
      .orderBy('effective_from', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!row) continue;
    const floor = { id: row.id, hourlyMinor: row.hourly_minor, currency: row.currency };
    if (!best) best = floor;
    else if (floor.currency === best.currency && floor.hourlyMinor > best.hourlyMinor) best = floor;
  }
  return best;
}

/** The platform floor in force on `day`, as known at `asOf`. */
export async function platformFloor(db: H, day: string, asOf: number): Promise<HourlyFloor | null> {
  const row = await db
    .selectFrom('platform_floors')
    .select(['id', 'hourly_minor', 'currency'])
    .where('effective_from', '<=', day)
    .where('created_at', '<=', asOf)
    .orderBy('effective_from', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? { id: row.id, hourlyMinor: row.hourly_minor, currency: row.currency } : null;
}

/** Exchange rates in force on `day` as known at `asOf`: the latest per pair. */
export async function fxRates(db: H, day: string, asOf: number): Promise<FxRate[]> {
  const rows = await db
    .selectFrom('fx_rates')
    .select(['id', 'base', 'quote', 'num', 'den', 'effective_from'])
    .where('effective_from', '<=', day)
    .where('created_at', '<=', asOf)
    .orderBy('effective_from', 'desc')
    .orderBy('id', 'desc')
    .execute();
  const seen = new Set<string>();
  const out: FxRate[] = [];
  for (const r of rows) {
    const pair = `${r.base}|${r.quote}`;
    if (seen.has(pair)) continue;
    seen.add(pair);
    out.push({ base: r.base, quote: r.quote, num: r.num, den: r.den });
  }
  return out;
}

/** When a floor, minimum or exchange rate was last recorded (up to `asOf`); 0 when never. */
export async function lastFloorChange(db: H, asOf: number): Promise<number> {
  const result = await sql<{ at: number | null }>`SELECT MAX(at) AS at FROM (
      SELECT MAX(created_at) AS at FROM jurisdiction_minimums WHERE created_at <= ${asOf}
      UNION ALL SELECT MAX(created_at) FROM platform_floors WHERE created_at <= ${asOf}
      UNION ALL SELECT MAX(created_at) FROM fx_rates WHERE created_at <= ${asOf}) t`.execute(db);
  return Number(result.rows[0]?.at ?? 0);
}

function toCard(row: Selectable<LedgerDB['rate_cards']>): RateCard {
  return {
    id: row.id,
    projectId: row.project_id,
    version: row.version,
    kind: row.kind,
    currency: row.currency,
    pieceRateMinor: row.piece_rate_minor,
    hourlyMinor: row.hourly_minor,
    paidCategories: JSON.parse(row.paid_categories) as string[],
    effectiveFrom: row.effective_from,
  };
}

export interface CardRow extends RateCard {
  reason: string;
  createdAt: number;
  createdBy: number | null;
}

export function toCardRow(row: Selectable<LedgerDB['rate_cards']>): CardRow {
  return { ...toCard(row), reason: row.reason, createdAt: row.created_at, createdBy: row.created_by };
}

const newestCard = prepared((db: H, projectId: number) => db.selectFrom('rate_cards').selectAll().where('project_id', '=', projectId).orderBy('version', 'desc').limit(1));

export async function latestCard(db: H, projectId: number): Promise<CardRow | undefined> {
  const [row] = (await newestCard(db, projectId)).rows;
  return row && toCardRow(row);
}

/** The version in effect at `at`: the newest whose effective_from is not after it. */
export async function cardAt(db: H, projectId: number, at: number): Promise<CardRow | undefined> {
  const row = await db
    .selectFrom('rate_cards')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('effective_from', '<=', at)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && toCardRow(row);
}

export async function cardsById(db: H, ids: number[]): Promise<Map<number, RateCard>> {
  const out = new Map<number, RateCard>();
  if (ids.length === 0) return out;
  for (const row of await db.selectFrom('rate_cards').selectAll().where('id', 'in', ids).execute()) out.set(row.id, toCard(row));
  return out;
}

export async function listCards(db: H, projectId: number): Promise<CardRow[]> {
  return (await db.selectFrom('rate_cards').selectAll().where('project_id', '=', projectId).orderBy('version').execute()).map(toCardRow);
}

/**
 * Appends a version; a concurrent writer of the same version wins and this one is dropped (the
 * caller re-reads). Returns the inserted card or undefined.
 */
export async function insertCard(
  db: H,
  card: Omit<RateCard, 'id'> & { reason: string; createdBy: number | null; createdAt: number },
): Promise<CardRow | undefined> {
  const row = await db
    .insertInto('rate_cards')
    .values({
      project_id: card.projectId,
      version: card.version,
      kind: card.kind,
      currency: card.currency,
      piece_rate_minor: card.pieceRateMinor,
      hourly_minor: card.hourlyMinor,
      paid_categories: JSON.stringify(card.paidCategories),
      effective_from: card.effectiveFrom,
      reason: card.reason,
      created_by: card.createdBy,
      created_at: card.createdAt,
    })
    .onConflict((oc) => oc.columns(['project_id', 'version']).doNothing())
    .returningAll()
    .executeTakeFirst();
  return row && toCardRow(row);
}

export interface NewEntry {
  workerId: number;
  projectId: number | null;
  assignmentId?: number | null;
  kind: EntryRow['kind'];
  amountMinor: number;
  currency: string;
  weekKey: string;
  rateCardId?: number | null;
  decisionId?: number | null;
  appealId?: number | null;
  reversesId?: number | null;
  closeId?: number | null;
  memo?: Record<string, unknown>;
  dedupeKey: string;
  createdBy?: number | null;
  createdByRule?: string | null;
  createdAt: number;
}

function entryValues(e: NewEntry) {
  return {
    worker_id: e.workerId,
    project_id: e.projectId,
    assignment_id: e.assignmentId ?? null,
    kind: e.kind,
    amount_minor: e.amountMinor,
    currency: e.currency,
    week_key: e.weekKey,
    rate_card_id: e.rateCardId ?? null,
    decision_id: e.decisionId ?? null,
    appeal_id: e.appealId ?? null,
    reverses_id: e.reversesId ?? null,
    close_id: e.closeId ?? null,
    memo: JSON.stringify(e.memo ?? {}),
    dedupe_key: e.dedupeKey,
    created_by: e.createdBy ?? null,
    created_by_rule: e.createdByRule ?? null,
    created_at: e.createdAt,
  };
}

const appendEntry = prepared((db: H, values: ReturnType<typeof entryValues>) => db.insertInto('ledger_entries').values(values).onConflict((oc) => oc.column('dedupe_key').doNothing()));

/** Appends an entry unless one with the same dedupe key exists; true when it was added. */
export async function insertEntry(db: H, entry: NewEntry): Promise<boolean> {
  return Number((await appendEntry(db, entryValues(entry))).numAffectedRows ?? 0) > 0;
}

// An entry and noteOpenWeek's update in one statement, where a WITH may write (writableCte); the update
// only when the entry went in, as after insertEntry.
const appendEntryNotingWeek = writeBehind((db: H, values: ReturnType<typeof entryValues>, weekKey: string, workerId: number) =>
  db
    .with('entry', (qb) => qb.insertInto('ledger_entries').values(values).onConflict((oc) => oc.column('dedupe_key').doNothing()).returning('id'))
    .updateTable('ledger_accounts')
    .set({ next_open_week: weekKey })
    .where('worker_id', '=', workerId)
    .where((eb) => eb.or([eb('next_open_week', 'is', null), eb('next_open_week', '>', weekKey)]))
    .where(({ exists, selectFrom }) => exists(selectFrom('entry').select('entry.id'))),
);

/**
 * insertEntry then, if the entry went in, noteOpenWeek, as one statement that goes out with the
 * transaction's next one (writeBehind): one round trip fewer, or two. Only for an entry that cannot
 * exist yet (the piece of work that ended in this transaction), as the caller never learns whether it
 * went in; and only where a WITH may write.
 */
export async function insertNewEntryNotingWeek(db: H, account: AccountRow, entry: NewEntry): Promise<void> {
  if (notedAlready(db, account.worker_id, entry.weekKey)) await appendNewEntry(db, entryValues(entry));
  else {
    // Not remembered: the week is noted only if the entry went in, which this caller never learns.
    await appendEntryNotingWeek(db, entryValues(entry), entry.weekKey, account.worker_id);
  }
  keepOpenWeek(account, entry.weekKey);
}

// The entry alone, when its week is noted already: one table, so it goes out merged with the transaction's
// other writes. (Its text must differ from appendEntry's, whose result is read: the conflict target is left out.)
const appendNewEntry = writeBehind((db: H, values: ReturnType<typeof entryValues>) => db.insertInto('ledger_entries').values(values).onConflict((oc) => oc.doNothing()));

/** Appends entries (a close's), failing on a duplicate key: a close never half-writes. */
export async function insertEntries(db: H, entries: NewEntry[]): Promise<void> {
  if (entries.length) await db.insertInto('ledger_entries').values(entries.map(entryValues)).execute();
}

export async function findEntryByKey(db: H, dedupeKey: string): Promise<EntryRow | undefined> {
  return db.selectFrom('ledger_entries').selectAll().where('dedupe_key', '=', dedupeKey).executeTakeFirst();
}

export interface NewSegment {
  workerId: number;
  projectId: number | null;
  assignmentId: number | null;
  activityId: number | null;
  category: string;
  startedAt: number;
  endedAt: number;
  ms: number;
  paid: boolean;
  rateCardId: number | null;
  weekKey: string;
  createdAt: number;
}

function segmentValues(s: NewSegment) {
  return {
    worker_id: s.workerId,
    project_id: s.projectId,
    assignment_id: s.assignmentId,
    activity_id: s.activityId,
    category: s.category,
    started_at: s.startedAt,
    ended_at: s.endedAt,
    ms: s.ms,
    paid: s.paid ? 1 : 0,
    rate_card_id: s.rateCardId,
    week_key: s.weekKey,
    created_at: s.createdAt,
  };
}

// An assignment's time is nearly always one segment (more only when it spans a week's end).
const appendSegment = prepared((db: H, values: ReturnType<typeof segmentValues>) => db.insertInto('time_segments').values(values));

export async function insertSegments(db: H, segments: NewSegment[]): Promise<void> {
  if (segments.length === 1) await appendSegment(db, segmentValues(segments[0]));
  else if (segments.length > 1) await db.insertInto('time_segments').values(segments.map(segmentValues)).execute();
}

// A segment and noteOpenWeek's update in one statement, where a WITH may write (writableCte).
const appendSegmentNotingWeek = writeBehind((db: H, values: ReturnType<typeof segmentValues>, weekKey: string, workerId: number) =>
  db
    .with('segment', (qb) => qb.insertInto('time_segments').values(values))
    .updateTable('ledger_accounts')
    .set({ next_open_week: weekKey })
    .where('worker_id', '=', workerId)
    .where((eb) => eb.or([eb('next_open_week', 'is', null), eb('next_open_week', '>', weekKey)])),
);

/**
 * Inserts an account's segments and notes their weeks open (noteOpenWeek). With `writableCte` the
 * usual case, one segment, is one statement: one round trip instead of two.
 */
export async function recordSegments(db: H, account: AccountRow, segments: NewSegment[], writableCte: boolean): Promise<void> {
  if (writableCte && segments.length === 1) {
    await appendSegmentNotingWeek(db, segmentValues(segments[0]), segments[0].weekKey, account.worker_id);
    rememberNoted(db, account.worker_id, segments[0].weekKey);
    keepOpenWeek(account, segments[0].weekKey);
    return;
  }
  await insertSegments(db, segments);
  for (const key of new Set(segments.map((s) => s.weekKey))) await noteOpenWeek(db, account, key);
}

export async function hasSegmentsFor(db: H, by: { assignmentId: number } | { activityId: number }): Promise<boolean> {
  const q = db.selectFrom('time_segments').select('id');
  const row = await ('assignmentId' in by ? q.where('assignment_id', '=', by.assignmentId) : q.where('activity_id', '=', by.activityId)).limit(1).executeTakeFirst();
  return row !== undefined;
}

/**
 * The time to record a dated row (minimum, platform floor, exchange rate) with: never at or before
 * the last week close, so what a close "knew" (rows recorded up to its time) stays exactly what it
 * read, whatever the clocks of the nodes say. Takes the chain head lock for the transaction, so no
 * close runs between reading and writing.
 */
export async function stampAfterAllCloses(trx: H, now: number): Promise<number> {
  await trx.updateTable('ledger_chain').set((eb) => ({ seq: eb.ref('seq') })).where('id', '=', 1).execute();
  const last = await trx.selectFrom('week_closes').select('closed_at').orderBy('seq', 'desc').limit(1).executeTakeFirst();
  return Math.max(now, (last?.closed_at ?? -1) + 1);
}

/** Likewise for one worker's rows (profile versions, confirmations); needs the worker's account locked. */
export async function stampAfterWorkerCloses(trx: H, workerId: number, now: number): Promise<number> {
  const last = await trx.selectFrom('week_closes').select((eb) => eb.fn.max('closed_at').as('at')).where('worker_id', '=', workerId).executeTakeFirst();
  return Math.max(now, Number(last?.at ?? -1) + 1);
}
