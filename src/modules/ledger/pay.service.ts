import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import { type DB, prepared } from '../../db/index.ts';
import type { PaySettings, Project } from '../projects/index.ts';
import { findProjectById } from '../projects/index.ts';
import { type CompletedTask, type CountingAnswer, onTaskCompleted } from '../tasks/index.ts';
import { countedMs, payAtEnd, pieceAmount, type RateCard, segmentsForSpan, type Shown } from './assignment-pay.ts';
import { ALWAYS_PAID, isPaidCategory } from './categories.ts';
import {
  type AccountRow,
  cardAt,
  type CardRow,
  findAccount,
  findAccounts,
  fxRates,
  hasSegmentsFor,
  insertCard,
  insertEntry,
  insertNewEntryNotingWeek,
  jurisdictionMinimum,
  latestCard,
  lockAccount,
  type NewEntry,
  noteOpenWeek,
  platformFloor,
  profileAsOf,
  recordSegments,
} from './ledger.repository.ts';
import { type LedgerDB, ledgerDb } from './ledger.tables.ts';
import { convertWith, MissingRateError } from './week-close.ts';
import { addDays, localDate, weekByKey, weekKeyOf, weekOf } from './week.ts';

type H = Kysely<LedgerDB>;

/** An assignment row as it stands after the transaction that ended it (status, end, time). */
export type EndedAssignment = Selectable<LedgerDB['assignments']>;

/**
 * Ledger rows the caller read in the same transaction, so the ledger need not read them again:
 * the project's newest rate card (null: it has none yet) and the worker's account.
 */
export interface KnownLedgerRows {
  latestCard?: CardRow | null;
  account?: AccountRow;
}

/**
 * The worker's ledger account as a JSON column (`ledger_account`) of a statement over an assignment
 * aliased `a`, for a dialect with rowToJson. Add it to what the submit knows with withKnownAccount.
 */
export function knownAccountColumn() {
  return sql<unknown>`(SELECT row_to_json(l) FROM ledger_accounts l WHERE l.worker_id = a.worker_id)`.as('ledger_account');
}

/** KnownLedgerRows with the account read by knownAccountColumn added. */
export function withKnownAccount(known: KnownLedgerRows, row: { ledger_account: unknown }): KnownLedgerRows {
  return row.ledger_account !== null ? { ...known, account: row.ledger_account as AccountRow } : known;
}

/** Rate cards by id, per database: a card is never changed once written (append-only), so a copy stays true. */
const cardsById = new WeakMap<object, Map<number, CardRow>>();
const CARDS_KEPT = 1_000;

/**
 * The id of the project's newest rate card, as a column of a statement over a task aliased `t`: pass it
 * to knownLatestCard.
 */
export function latestCardIdColumn() {
  return sql<number | null>`(SELECT c.id FROM rate_cards c WHERE c.project_id = t.project_id ORDER BY c.version DESC LIMIT 1)`.as('latest_card_id');
}

/**
 * KnownLedgerRows holding the project's newest card, given its id as a statement of this transaction read
 * it (latestCardIdColumn): a copy this process read before, else the card read now. `owner` is the
 * database's root handle. Empty (the pay code reads it itself) if the newest card is not that id.
 */
export async function knownLatestCard(owner: object, h: H, projectId: number, latestCardId: number | null): Promise<KnownLedgerRows> {
  if (latestCardId === null) return { latestCard: null };
  let known = cardsById.get(owner);
  const copy = known?.get(latestCardId);
  if (copy) return { latestCard: copy };
  const card = await latestCard(h, projectId);
  if (!card || card.id !== latestCardId) return {};
  if (!known) cardsById.set(owner, (known = new Map()));
  if (known.size >= CARDS_KEPT) known.clear();
  known.set(card.id, card);
  return { latestCard: card };
}

/** A week closes this long after it ends, so late heartbeats and leases still land in it. */
export const CLOSE_GRACE_MS = 6 * 3_600_000;

/** A lower rate applies only to work claimed this long after it was set (FAIRWORK rule 9). */
export const RATE_DECREASE_NOTICE_MS = 7 * 86_400_000;


/** The week an event at `at` is booked in: its own workweek, or the first open one if that is closed. */
export function eventWeekKey(account: Pick<AccountRow, 'timezone' | 'week_start_day' | 'closed_through'>, at: number): string {
  return openWeek(account, weekKeyOf(at, account.timezone, account.week_start_day));
}

/** A week key moved past the last closed week: late time and money land in the first open week. */
export function openWeek(account: Pick<AccountRow, 'closed_through'>, key: string): string {
  if (account.closed_through !== null && key <= account.closed_through) return addDays(account.closed_through, 7);
  return key;
}

/** Rate card terms a project's pay settings stand for. */
export function termsFromPay(pay: PaySettings): Pick<RateCard, 'kind' | 'currency' | 'pieceRateMinor' | 'hourlyMinor'> {
  const piece = Math.max(0, Math.trunc(pay.piece_rate_minor ?? 0));
  const hourly = Math.max(0, Math.trunc(pay.promised_hourly_minor ?? 0));
  return { kind: hourly > 0 ? (piece > 0 ? 'piece_hourly_min' : 'hourly') : 'piece', currency: pay.currency ?? 'USD', pieceRateMinor: piece, hourlyMinor: hourly };
}

function sameTerms(a: Pick<RateCard, 'kind' | 'currency' | 'pieceRateMinor' | 'hourlyMinor'>, b: Pick<RateCard, 'kind' | 'currency' | 'pieceRateMinor' | 'hourlyMinor'>): boolean {
  return a.kind === b.kind && a.currency === b.currency && a.pieceRateMinor === b.pieceRateMinor && a.hourlyMinor === b.hourlyMinor;
}

/** Whether going from `from` to `to` lowers any rate (or changes currency): then only after notice. */
export function isDecrease(from: Pick<RateCard, 'currency' | 'pieceRateMinor' | 'hourlyMinor'>, to: Pick<RateCard, 'currency' | 'pieceRateMinor' | 'hourlyMinor'>): boolean {
  return from.currency !== to.currency || to.pieceRateMinor < from.pieceRateMinor || to.hourlyMinor < from.hourlyMinor;
}

/**
 * Appends a rate card version. An increase applies to work claimed from `now`; a decrease (or a
 * currency change) only from `now + notice`, so work already offered keeps the old terms. The first
 * version of a project applies to all its work. Returns the card written (or the one a concurrent
 * writer of the same version wrote).
 */
export async function appendCard(
  h: H,
  projectId: number,
  terms: Pick<RateCard, 'kind' | 'currency' | 'pieceRateMinor' | 'hourlyMinor' | 'paidCategories'>,
  opts: { now: number; noticeMs?: number; reason: string; createdBy: number | null },
): Promise<CardRow> {
  const latest = await latestCard(h, projectId);
  const inEffect = latest ? ((await cardAt(h, projectId, opts.now)) ?? latest) : undefined;
  const notice = Math.max(RATE_DECREASE_NOTICE_MS, opts.noticeMs ?? 0);
  const effectiveFrom = !inEffect ? 0 : isDecrease(inEffect, terms) ? opts.now + notice : opts.now;
  const inserted = await insertCard(h, {
    projectId,
    version: (latest?.version ?? 0) + 1,
    kind: terms.kind,
    currency: terms.currency,
    pieceRateMinor: terms.pieceRateMinor,
    hourlyMinor: terms.hourlyMinor,
    paidCategories: terms.paidCategories,
    effectiveFrom,
    reason: opts.reason,
    createdBy: opts.createdBy,
    createdAt: opts.now,
  });
  return inserted ?? ((await latestCard(h, projectId)) as CardRow);
}

/**
 * The project's newest rate card, first appending a version when the project's pay settings changed
 * since it was written (a requester may change pay with setParams; the card keeps the history).
 */
export async function syncCard(h: H, project: Project, now: number, known?: KnownLedgerRows): Promise<CardRow> {
  const latest = known?.latestCard !== undefined ? (known.latestCard ?? undefined) : await latestCard(h, project.id);
  const terms = termsFromPay(project.pay);
  if (latest && (sameTerms(latest, terms) || project.updatedAt <= latest.createdAt)) return latest;
  return appendCard(h, project.id, { ...terms, paidCategories: latest?.paidCategories ?? [...ALWAYS_PAID] }, { now, reason: latest ? 'project_pay_changed' : 'initial', createdBy: null });
}

/** The card work claimed at `claimedAt` is paid under (rule 9), syncing the project's card first. */
export async function cardForWork(h: H, project: Project, claimedAt: number, now: number): Promise<CardRow> {
  return cardInEffect(h, await syncCard(h, project, now), claimedAt);
}

/** The card in effect at `claimedAt`, given the project's newest: that one itself unless it came later. */
async function cardInEffect(h: H, latest: CardRow, claimedAt: number): Promise<CardRow> {
  if (latest.effectiveFrom <= claimedAt) return latest;
  return (await cardAt(h, latest.projectId, claimedAt)) ?? latest;
}

/**
 * The hourly floor for this worker's work at `at`, in `currency`: max(platform floor, jurisdiction
 * minimum, promise). Floors in another currency without a recorded rate are left out here; the week
 * close, which guarantees the floor, defers until the rate exists.
 */
export async function floorHourlyAt(h: H, account: AccountRow, currency: string, promiseMinor: number, at: number): Promise<number> {
  const profile = await profileAsOf(h, account.worker_id, at);
  const day = localDate(at, account.timezone);
  const floors = [await platformFloor(h, day, at), await jurisdictionMinimum(h, profile?.jurisdiction ?? null, day, at)];
  const rates = floors.some((f) => f && f.currency !== currency) ? await fxRates(h, day, at) : [];
  let floor = promiseMinor;
  for (const f of floors) {
    if (!f) continue;
    try {
      floor = Math.max(floor, convertWith(rates, f.hourlyMinor, f.currency, currency, 'up'));
    } catch (error) {
      if (!(error instanceof MissingRateError)) throw error;
    }
  }
  return floor;
}

/**
 * Books the piece pay of approved work once (a second call adds nothing). The amount is the card the
 * work was accepted under, never below what the worker was shown. Returns the amount booked now.
 */
export async function bookPieceIn(
  h: H,
  account: AccountRow,
  assignment: { id: number; worker_id: number; project_id: number; task_id: number; claimed_at: number; shown: string },
  project: Project,
  now: number,
  by: { decisionId?: number | null; userId?: number | null; rule?: string },
  /** The card the work was accepted under, when the caller has already looked it up. */
  known?: CardRow,
  /**
   * The work ended in this transaction, so its piece cannot be booked yet, and a WITH may write: the entry
   * and its week's note go out with the transaction's next statement (insertNewEntryNotingWeek).
   */
  endedNowWithCte = false,
): Promise<number> {
  const card = known ?? (await cardForWork(h, project, assignment.claimed_at, now));
  const amount = pieceAmount(card, JSON.parse(assignment.shown) as Shown);
  if (amount <= 0) return 0;
  const weekKey = eventWeekKey(account, now);
  const entry: NewEntry = {
    workerId: assignment.worker_id,
    projectId: assignment.project_id,
    assignmentId: assignment.id,
    kind: 'piece',
    amountMinor: amount,
    currency: card.currency,
    weekKey,
    rateCardId: card.id,
    decisionId: by.decisionId ?? null,
    memo: { task_id: assignment.task_id },
    dedupeKey: `piece:${assignment.id}`,
    createdBy: by.userId ?? null,
    createdByRule: by.rule ?? null,
    createdAt: now,
  };
  if (endedNowWithCte) {
    await insertNewEntryNotingWeek(h, account, entry);
    return amount;
  }
  // The dedupe key makes a second booking of the same work a no-op.
  if (!(await insertEntry(h, entry))) return 0;
  await noteOpenWeek(h, account, weekKey);
  return amount;
}

/**
 * The project's newest card as a transaction last synced it: a completion that follows an ended
 * assignment in the same transaction (a submit) need not read it again. A card appended meanwhile
 * could not apply to work claimed before it, which is all the completion pays.
 */
const syncedIn = new WeakMap<Transaction<DB>, { projectId: number; card: CardRow }>();

/** Whether a week ending at `endAt` may be closed at `now` (its end plus the grace has passed). */
function closable(endAt: number, now: number): boolean {
  return endAt + CLOSE_GRACE_MS <= now;
}

/**
 * Whether a close may be running on this account now: its first open week is due. A close decides
 * the next open week from what is committed, so a write of time or money must then hold the account.
 */
function mayBeClosing(account: AccountRow, now: number): boolean {
  return account.next_open_week !== null && closable(weekByKey(account.next_open_week, account.timezone).endAt, now);
}

/**
 * Ledger hook for an assignment that just ended (submitted, expired, skipped, released), inside the
 * transaction that ended it: its time as segments in the worker's workweeks, pay for its counted time
 * when it was not submitted (at the floor) or the card is hourly, and the piece pay at once when the
 * project does not review. Idempotent: an assignment already recorded is left alone. */
export async function recordAssignmentEnded(
  trx: Transaction<DB>,
  assignmentId: number,
  now: number,
  known: { assignment?: EndedAssignment; project?: Project; ledger?: KnownLedgerRows; writableCte?: boolean } = {},
): Promise<void> {
  const h = ledgerDb(trx);
  const a = known.assignment ?? (await h.selectFrom('assignments').selectAll().where('id', '=', assignmentId).executeTakeFirst());
  if (!a || a.status === 'active' || a.ended_at === null) return;
  // The account is locked only when a close may run on it now: this time reaches into a week a close
  // may already take (ended more than the grace ago), or the account's first open week is one. A close
  // decides the next open week from what is committed, so this write must not interleave with it. Otherwise
  // nothing is locked, which keeps submits from waiting on each other's accounts.
  let account = known.ledger?.account ?? (await findAccount(h, a.worker_id));
  if (!account || closable(weekOf(a.claimed_at, account.timezone, account.week_start_day).endAt, now) || mayBeClosing(account, now)) {
    account = await lockAccount(h, a.worker_id, now);
  }
  // An assignment the caller has just ended (and passes in) cannot have been recorded yet.
  if (!known.assignment && (await hasSegmentsFor(h, { assignmentId }))) return;
  const project = known.project ?? (await findProjectById(trx, a.project_id));
  if (!project) return;
  const latest = await syncCard(h, project, now, known.ledger);
  syncedIn.set(trx, { projectId: project.id, card: latest });
  const card = await cardInEffect(h, latest, a.claimed_at);
  const span = { claimedAt: a.claimed_at, endedAt: a.ended_at, activeMs: a.active_ms, shortIdleMs: a.short_idle_ms, longIdleMs: a.long_idle_ms };
  const segments = segmentsForSpan(span, account.timezone, account.week_start_day).map((s) => ({
    workerId: a.worker_id,
    projectId: a.project_id,
    assignmentId: a.id,
    activityId: null,
    category: s.category,
    startedAt: s.startedAt,
    endedAt: s.endedAt,
    ms: s.ms,
    paid: isPaidCategory(s.category, card.paidCategories),
    rateCardId: card.id,
    weekKey: openWeek(account, s.weekKey),
    createdAt: now,
  }));
  await recordSegments(h, account, segments, known.writableCte ?? false);

  const counted = countedMs(span, card);
  const needsFloor = card.kind === 'hourly' || a.status !== 'submitted';
  const floor = needsFloor && counted > 0 ? await floorHourlyAt(h, account, card.currency, card.hourlyMinor, now) : 0;
  const pay = payAtEnd(a.status, card, counted, floor);
  if (pay) {
    const weekKey = eventWeekKey(account, now);
    await insertEntry(h, {
      workerId: a.worker_id,
      projectId: a.project_id,
      assignmentId: a.id,
      kind: 'paid_time',
      amountMinor: pay.amountMinor,
      currency: card.currency,
      weekKey,
      rateCardId: card.id,
      memo: { ms: pay.ms, rate_minor: pay.rateMinor, why: pay.why, status: a.status },
      dedupeKey: `time:${a.id}`,
      createdByRule: pay.why === 'hourly_card' ? 'hourly_card' : 'unfinished_work_at_floor',
      createdAt: now,
    });
    await noteOpenWeek(h, account, weekKey);
  }
  // Work the caller has just ended (known.assignment) has no piece booked yet.
  if (a.status === 'submitted' && project.reviewPolicy.mode === 'none') await bookPieceIn(h, account, a, project, now, { rule: 'approved_without_review' }, card, !!known.assignment && !!known.writableCte);
}

/**
 * Whether an answer's piece pay is booked, as a column (`piece_booked`) of a statement over an
 * assignment aliased `a`: for a reader of a task's answers that hands them to ledgerTaskCompleted.
 */
export function pieceBookedColumn() {
  return sql<number | boolean>`EXISTS (SELECT 1 FROM ledger_entries e WHERE e.dedupe_key = 'piece:' || a.id)`.as('piece_booked');
}

const unpaidAnswers = prepared((h: H, taskId: number) =>
  h
    .selectFrom('assignments as a')
    .selectAll('a')
    .where('a.task_id', '=', taskId)
    .where('a.status', '=', 'submitted')
    .where((eb) => eb.or([eb('a.review_status', 'is', null), eb('a.review_status', '=', 'accepted')]))
    // Answers already paid (a project without review pays at submit) need nothing more.
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('ledger_entries as e').select('e.id').where('e.dedupe_key', '=', sql<string>`'piece:' || a.id`))))
    .orderBy('a.worker_id')
    .orderBy('a.id'),
);

/**
 * Completion hook: a task that completes approves every answer that still counts (not rejected or
 * sent back), so their piece pay is booked now, in the completing transaction.
 */
export async function ledgerTaskCompleted(trx: Transaction<DB>, task: CompletedTask, project: Project, now: number, answers?: readonly CountingAnswer[]): Promise<void> {
  const h = ledgerDb(trx);
  const rows = answers
    ? answers.filter((a) => !a.piece_booked).sort((x, y) => x.worker_id - y.worker_id || x.id - y.id)
    : (await unpaidAnswers(h, task.id)).rows;
  if (rows.length === 0) return;
  const synced = syncedIn.get(trx);
  const latest = synced?.projectId === project.id ? synced.card : await syncCard(h, project, now);
  // Work paid nothing per piece (an hourly card, a zero rate) needs no account read.
  const due: Array<{ answer: (typeof rows)[number]; card: CardRow }> = [];
  for (const answer of rows) {
    const card = await cardInEffect(h, latest, answer.claimed_at);
    if (pieceAmount(card, JSON.parse(answer.shown) as Shown) > 0) due.push({ answer, card });
  }
  if (due.length === 0) return;
  // The entries go into the week of `now`, which no close takes before it ended plus the grace, so an
  // account is locked only while a close may be running on it (mayBeClosing), in worker order (rows
  // come sorted). This transaction may already hold its own worker's account, out of that order: the
  // callers run it with transactWithRetry, which runs it again if PostgreSQL breaks a deadlock.
  const accounts = await findAccounts(h, [...new Set(due.map((d) => d.answer.worker_id))]);
  for (const { answer, card } of due) {
    let account = accounts.get(answer.worker_id);
    if (!account || mayBeClosing(account, now)) accounts.set(answer.worker_id, (account = await lockAccount(h, answer.worker_id, now)));
    await bookPieceIn(h, account, answer, project, now, { rule: 'task_completed' }, card);
  }
}

onTaskCompleted(ledgerTaskCompleted);

/** Current card of a project as a plain Kysely<DB> caller sees it (for presenters and claims). */
export async function currentCardFor(db: Kysely<DB> | Transaction<DB>, project: Project, now: number): Promise<CardRow> {
  return syncCard(ledgerDb(db), project, now);
}
