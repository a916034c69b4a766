import { type Insertable, type Kysely, sql } from 'kysely';
import type { Database } from '../../db/index.ts';
import { chainHash, GENESIS_HASH } from './hash.ts';
import { CLOSE_GRACE_MS } from './pay.service.ts';
import { type AccountRow, cardsById, fxRates, insertEntries, jurisdictionMinimum, lastFloorChange, type NewEntry, platformFloor, type ProfileRow } from './ledger.repository.ts';
import { type LedgerDB, ledgerDb, type WeekClosesTable } from './ledger.tables.ts';
import { type CloseInput, type ClosePayload, type CloseSegment, computeWeekClose, type EntryKind, type FxRate, type HourlyFloor, MissingRateError, type PastWeek, payloadText } from './week-close.ts';
import { addDays, weekByKey } from './week.ts';

type H = Kysely<LedgerDB>;

export { CLOSE_GRACE_MS };
/** Past weeks checked for a floor that became known after they closed (a year). */
const ADJUSTMENT_LOOKBACK_WEEKS = 53;
/** Worker-weeks closed per transaction: the chain head is held for the batch. */
const CLOSE_BATCH = 500;
/** Workers per IN list when gathering. */
const CHUNK = 500;

export interface CloseJobResult {
  closed: number;
  /** Worker-weeks that could not close yet, with a stable code (fx_rate_missing). */
  deferred: { worker_id: number; week: string; code: string; message: string }[];
}

/** What a close excludes when it is recomputed: its own entries, and closes after it. */
export interface Exclusion {
  closeId: number;
  seq: number;
}

/**
 * Dated tables read once per batch: the same (day, asOf) gives the same rows. Keeps a batch of
 * closes from asking the database the same question thousands of times.
 */
class FloorCache {
  private readonly platform = new Map<string, Promise<HourlyFloor | null>>();
  private readonly minimum = new Map<string, Promise<HourlyFloor | null>>();
  private readonly rates = new Map<string, Promise<FxRate[]>>();
  private changed: Promise<number> | undefined;
  constructor(
    private readonly h: H,
    readonly asOf: number,
  ) {}
  platformFloor(day: string) {
    let p = this.platform.get(day);
    if (!p) this.platform.set(day, (p = platformFloor(this.h, day, this.asOf)));
    return p;
  }
  jurisdictionMinimum(jurisdiction: string | null, day: string) {
    const key = `${jurisdiction}|${day}`;
    let p = this.minimum.get(key);
    if (!p) this.minimum.set(key, (p = jurisdictionMinimum(this.h, jurisdiction, day, this.asOf)));
    return p;
  }
  fxRates(day: string) {
    let p = this.rates.get(day);
    if (!p) this.rates.set(day, (p = fxRates(this.h, day, this.asOf)));
    return p;
  }
  lastChange() {
    this.changed ??= lastFloorChange(this.h, this.asOf);
    return this.changed;
  }
}

function groupBy<T, K>(list: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const item of list) {
    const k = key(item);
    const bucket = out.get(k);
    if (bucket) bucket.push(item);
    else out.set(k, [item]);
  }
  return out;
}

function chunks<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/**
 * Gathers the raw events of several workers' week `key` and the dated tables as they were known at
 * `asOf`, in a few grouped queries. Used by the close and, with each close's own time, id and place
 * in the chain, by the recomputation: both read exactly the same rows. Workers without a profile are
 * left out of the result.
 */
export async function gatherCloseInputs(h: H, workerIds: number[], key: string, asOf: number, exclude: Map<number, Exclusion> | null, cache = new FloorCache(h, asOf)): Promise<Map<number, CloseInput>> {
  const out = new Map<number, CloseInput>();
  const lastDay = addDays(key, 6);
  for (const ids of chunks(workerIds, CHUNK)) {
    const profiles = new Map<number, ProfileRow>();
    for (const p of await h.selectFrom('worker_pay_profiles').selectAll().where('worker_id', 'in', ids).where('created_at', '<=', asOf).orderBy('id').execute()) profiles.set(p.worker_id, p);

    const segRows = await h
      .selectFrom('time_segments')
      .select(['worker_id', 'project_id', 'rate_card_id', 'category', 'paid', (eb) => eb.fn.sum<number>('ms').as('ms')])
      .where('worker_id', 'in', ids)
      .where('week_key', '=', key)
      .groupBy(['worker_id', 'project_id', 'rate_card_id', 'category', 'paid'])
      .execute();
    // Confirmed fraud (a spam rejection a second person confirmed by then) takes its time out of paid hours.
    const fraud = await h
      .selectFrom('decisions')
      .innerJoin('decision_confirmations', 'decision_confirmations.decision_id', 'decisions.id')
      .select(['decisions.worker_id', 'decisions.assignment_id'])
      .where('decisions.worker_id', 'in', ids)
      .where('decisions.reason_code', '=', 'spam_or_random')
      .where('decisions.kind', 'in', ['review_reject', 'audit_reject'])
      .where('decision_confirmations.outcome', '=', 'confirmed')
      .where('decision_confirmations.created_at', '<=', asOf)
      .execute();
    const fraudIds = fraud.map((f) => f.assignment_id).filter((id): id is number => id !== null);
    const fraudRows = fraudIds.length
      ? await h
          .selectFrom('time_segments')
          .select(['worker_id', 'project_id', 'rate_card_id', 'category', (eb) => eb.fn.sum<number>('ms').as('ms')])
          .where('week_key', '=', key)
          .where('paid', '=', 1)
          .where('assignment_id', 'in', fraudIds)
          .groupBy(['worker_id', 'project_id', 'rate_card_id', 'category'])
          .execute()
      : [];
    const cards = await cardsById(h, [...new Set(segRows.map((r) => r.rate_card_id).filter((id): id is number => id !== null))]);

    const entryRows = await h
      .selectFrom('ledger_entries')
      .select(['worker_id', 'project_id', 'kind', 'currency', (eb) => eb.fn.sum<number>('amount_minor').as('amount')])
      .where('worker_id', 'in', ids)
      .where('week_key', '=', key)
      .where('close_id', 'is', null)
      .groupBy(['worker_id', 'project_id', 'kind', 'currency'])
      .execute();
    // The balance before the close: what the worker's previous close carried, plus this week's entries.
    // Exact, because no entry lands in a week at or before a closed one (the account lock moves late
    // events forward) and no week between the previous close and this one has events (else it would
    // close first); a recomputation reads the same previous close, itself recomputed and hashed.
    const lastKeys = await h
      .selectFrom('week_closes')
      .select(['worker_id', (eb) => eb.fn.max('week_key').as('k')])
      .where('worker_id', 'in', ids)
      .where('week_key', '<', key)
      .groupBy('worker_id')
      .execute();
    const lastKeyOf = new Map(lastKeys.map((r) => [r.worker_id, r.k as string]));
    const previous = lastKeys.length
      ? (
          await h
            .selectFrom('week_closes')
            .select(['worker_id', 'week_key', 'payload'])
            .where('worker_id', 'in', lastKeys.map((r) => r.worker_id))
            .where('week_key', 'in', [...new Set(lastKeyOf.values())])
            .execute()
        ).filter((p) => lastKeyOf.get(p.worker_id) === p.week_key)
      : [];
    const carried = new Map<number, { currency: string; amount_minor: number }[]>();
    for (const p of previous) carried.set(p.worker_id, (JSON.parse(p.payload) as ClosePayload).carried);

    // Past weeks closed before a floor, minimum or rate was recorded: candidates for an adjustment.
    const changedAt = await cache.lastChange();
    const past = changedAt <= 0 ? [] : await h
      .selectFrom('week_closes')
      .select(['id', 'seq', 'worker_id', 'week_key', 'payload'])
      .where('worker_id', 'in', ids)
      .where('week_key', '<', key)
      .where('week_key', '>=', addDays(key, -7 * ADJUSTMENT_LOOKBACK_WEEKS))
      .where('closed_at', '<', changedAt)
      .orderBy('week_key')
      .execute();
    const adjusted = new Map<string, number>();
    if (past.length) {
      const adjustments = await h
        .selectFrom('ledger_entries')
        .innerJoin('week_closes', 'week_closes.id', 'ledger_entries.close_id')
        .select(['ledger_entries.worker_id', 'ledger_entries.amount_minor', 'ledger_entries.memo', 'week_closes.seq'])
        .where('ledger_entries.worker_id', 'in', [...new Set(past.map((p) => p.worker_id))])
        .where('ledger_entries.kind', '=', 'adjustment')
        .execute();
      for (const a of adjustments) {
        const limit = exclude?.get(a.worker_id)?.seq;
        if (limit !== undefined && a.seq >= limit) continue;
        const forWeek = (JSON.parse(a.memo) as { for_week?: string }).for_week;
        if (forWeek) adjusted.set(`${a.worker_id}|${forWeek}`, (adjusted.get(`${a.worker_id}|${forWeek}`) ?? 0) + a.amount_minor);
      }
    }

    const segsOf = groupBy(segRows, (r) => r.worker_id);
    const entriesOf = groupBy(entryRows, (r) => r.worker_id);
    const pastOf = groupBy(past, (r) => r.worker_id);
    for (const workerId of ids) {
      const profile = profiles.get(workerId);
      if (!profile) continue;
      const segments: CloseSegment[] = [];
      for (const r of segsOf.get(workerId) ?? []) {
        let ms = Number(r.ms);
        if (r.paid === 1) {
          const f = fraudRows.find((x) => x.worker_id === workerId && x.project_id === r.project_id && x.rate_card_id === r.rate_card_id && x.category === r.category);
          if (f) {
            segments.push({ projectId: r.project_id, category: r.category, paid: false, ms: Number(f.ms), promise: null });
            ms -= Number(f.ms);
          }
        }
        const card = r.rate_card_id === null ? undefined : cards.get(r.rate_card_id);
        const promise = card && card.kind !== 'piece' ? { hourlyMinor: card.hourlyMinor, currency: card.currency } : null;
        if (ms > 0) segments.push({ projectId: r.project_id, category: r.category, paid: r.paid === 1, ms, promise });
      }
      const pastWeeks: PastWeek[] = [];
      const seqLimit = exclude?.get(workerId)?.seq;
      for (const p of pastOf.get(workerId) ?? []) {
        if (seqLimit !== undefined && p.seq >= seqLimit) continue;
        const payload = JSON.parse(p.payload) as ClosePayload;
        // Adjustments are paid in the week's own settlement currency; a week settled in another is left as closed.
        if (payload.currency !== profile.currency) continue;
        const pDay = addDays(p.week_key, 6);
        pastWeeks.push({
          key: p.week_key,
          lines: payload.floor.projects.flatMap((pr) => pr.lines.map((l) => ({ paidMs: l.paid_ms, promiseMinor: l.promise_minor }))),
          paidMinor: payload.net_minor + payload.topup_minor + (adjusted.get(`${workerId}|${p.week_key}`) ?? 0),
          platformFloor: await cache.platformFloor(pDay),
          jurisdictionMinimum: await cache.jurisdictionMinimum(payload.jurisdiction, pDay),
        });
      }
      out.set(workerId, {
        workerId,
        week: weekByKey(key, profile.timezone),
        timezone: profile.timezone,
        engagement: profile.engagement,
        jurisdiction: profile.jurisdiction,
        currency: profile.currency,
        asOf,
        segments,
        entries: (entriesOf.get(workerId) ?? []).map((r) => ({ projectId: r.project_id, kind: r.kind as EntryKind, currency: r.currency, amountMinor: Number(r.amount) })),
        platformFloor: await cache.platformFloor(lastDay),
        jurisdictionMinimum: await cache.jurisdictionMinimum(profile.jurisdiction, lastDay),
        rates: await cache.fxRates(lastDay),
        balanceBefore: [
          ...(carried.get(workerId) ?? []).map((c) => ({ currency: c.currency, amountMinor: c.amount_minor })),
          ...(entriesOf.get(workerId) ?? []).map((r) => ({ currency: r.currency, amountMinor: Number(r.amount) })),
        ],
        pastWeeks,
      });
    }
  }
  return out;
}

/** One worker-week's close input (see gatherCloseInputs); null without a pay profile. */
export async function gatherCloseInput(h: H, workerId: number, key: string, asOf: number, exclude: Exclusion | null): Promise<CloseInput | null> {
  const inputs = await gatherCloseInputs(h, [workerId], key, asOf, exclude ? new Map([[workerId, exclude]]) : null);
  return inputs.get(workerId) ?? null;
}

/** Per worker, the first week key after `key` in which they have time or money (missing: none). */
async function nextWeeksWithEvents(h: H, workerIds: number[], key: string): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  for (const ids of chunks(workerIds, CHUNK)) {
    // Correlated MINs: one index seek per worker and table on both databases.
    const result = await sql<{ worker_id: number; s: string | null; e: string | null }>`SELECT a.worker_id,
        (SELECT MIN(week_key) FROM time_segments t WHERE t.worker_id = a.worker_id AND t.week_key > ${key}) AS s,
        (SELECT MIN(week_key) FROM ledger_entries l WHERE l.worker_id = a.worker_id AND l.week_key > ${key}) AS e
      FROM ledger_accounts a WHERE a.worker_id IN (${sql.join(ids)})`.execute(h);
    for (const r of result.rows) {
      const next = [r.s, r.e].filter((k): k is string => k !== null).sort()[0];
      if (next) out.set(Number(r.worker_id), next);
    }
  }
  return out;
}

/** Whether the account's first open week has ended (plus grace) by `now`. */
function isDue(account: Pick<AccountRow, 'next_open_week' | 'timezone'>, now: number, graceMs: number): boolean {
  if (account.next_open_week === null) return false;
  return weekByKey(account.next_open_week, account.timezone).endAt + graceMs <= now;
}

/**
 * Closes the first open week of each due account, in the caller's transaction, holding the chain
 * head; accounts are locked. Returns the new head. Accounts whose currencies cannot be converted are
 * reported in `deferred` and left open; nothing is written for them.
 */
async function closeRoundIn(h: H, head: { seq: number; hash: string }, accounts: AccountRow[], now: number, result: CloseJobResult, deferred: Set<number>, cache: FloorCache): Promise<{ head: { seq: number; hash: string }; closed: AccountRow[] }> {
  const byKey = new Map<string, AccountRow[]>();
  for (const a of accounts) {
    const key = a.next_open_week as string;
    byKey.set(key, [...(byKey.get(key) ?? []), a]);
  }
  const closed: AccountRow[] = [];
  for (const [key, group] of [...byKey].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const inputs = await gatherCloseInputs(h, group.map((a) => a.worker_id), key, now, null, cache);
    const done: AccountRow[] = [];
    const pending: { close: Omit<Insertable<WeekClosesTable>, 'id'>; entries: ReturnType<typeof computeWeekClose>['entries'] }[] = [];
    for (const account of group) {
      const input = inputs.get(account.worker_id);
      if (!input) continue;
      let computed: ReturnType<typeof computeWeekClose>;
      try {
        computed = computeWeekClose(input);
      } catch (error) {
        if (!(error instanceof MissingRateError)) throw error;
        deferred.add(account.worker_id);
        result.deferred.push({ worker_id: account.worker_id, week: key, code: 'fx_rate_missing', message: error.message });
        continue;
      }
      const { payload, entries } = computed;
      const text = payloadText(payload);
      const seq = head.seq + 1;
      const hash = chainHash(head.hash, text);
      pending.push({
        close: {
          seq,
          worker_id: account.worker_id,
          week_key: key,
          week_start_at: input.week.startAt,
          week_end_at: input.week.endAt,
          currency: payload.currency,
          paid_ms: payload.time.paid_ms,
          net_minor: payload.net_minor,
          required_minor: payload.required_minor,
          topup_minor: payload.topup_minor,
          overtime_minor: payload.overtime?.premium_minor ?? 0,
          adjustment_minor: payload.adjustments.reduce((a, x) => a + x.amount_minor, 0),
          payload: text,
          prev_hash: head.hash,
          hash,
          closed_at: now,
        },
        entries,
      });
      head = { seq, hash };
      done.push(account);
      result.closed++;
    }
    // Written in multi-row statements; entries find their close by its sequence number.
    for (const part of chunks(pending, 100)) {
      const ids = await h.insertInto('week_closes').values(part.map((p) => p.close)).returning(['id', 'seq']).execute();
      const idOf = new Map(ids.map((r) => [Number(r.seq), r.id]));
      const rows: NewEntry[] = part.flatMap((p) =>
        p.entries.map((e, i) => ({
          workerId: p.close.worker_id,
          projectId: e.projectId,
          kind: e.kind,
          amountMinor: e.amountMinor,
          currency: e.currency,
          weekKey: key,
          closeId: idOf.get(p.close.seq) as number,
          memo: e.memo,
          dedupeKey: `close:${idOf.get(p.close.seq)}:${i}`,
          createdByRule: 'week_close',
          createdAt: now,
        })),
      );
      for (const slice of chunks(rows, 400)) await insertEntries(h, slice);
    }
    const next = await nextWeeksWithEvents(h, done.map((a) => a.worker_id), key);
    const byNext = groupBy(done, (a) => next.get(a.worker_id) ?? null);
    for (const [nextKey, accountsWithNext] of byNext) {
      for (const part of chunks(accountsWithNext, CHUNK)) {
        await h.updateTable('ledger_accounts').set({ closed_through: key, next_open_week: nextKey }).where('worker_id', 'in', part.map((a) => a.worker_id)).execute();
      }
      for (const account of accountsWithNext) {
        account.closed_through = key;
        account.next_open_week = nextKey;
        closed.push(account);
      }
    }
  }
  return { head, closed };
}

/**
 * The week close job: closes every worker-week that ended more than `graceMs` ago, oldest first per
 * worker, chaining each close's hash to the previous one. Safe on several nodes: the chain head is
 * locked, so closes are serialised and none is written twice. Accounts are locked in worker order.
 * A completion that pays several answerers may hold its own worker's account out of that order; if
 * PostgreSQL breaks a deadlock by aborting a batch here, the job's next run closes it (all or nothing).
 * A week whose currencies cannot be converted stays open and is reported; the others close.
 */
export async function closeDueWeeks(database: Database, now: number, opts: { graceMs?: number } = {}): Promise<CloseJobResult> {
  const graceMs = opts.graceMs ?? CLOSE_GRACE_MS;
  const h = ledgerDb(database.db);
  // Any week that can be due starts on or before this date, whatever the zone (offsets are within +-14 h).
  const cutoff = new Date(now - graceMs - 7 * 86_400_000 + 15 * 3_600_000).toISOString().slice(0, 10);
  const result: CloseJobResult = { closed: 0, deferred: [] };
  const deferred = new Set<number>();
  let after = 0;
  for (;;) {
    const candidates = await h
      .selectFrom('ledger_accounts')
      .select('worker_id')
      .where('next_open_week', '<=', cutoff)
      .where('worker_id', '>', after)
      .orderBy('worker_id')
      .limit(CLOSE_BATCH * 4)
      .execute();
    if (candidates.length === 0) return result;
    after = candidates[candidates.length - 1].worker_id;
    for (const batch of chunks(candidates.map((c) => c.worker_id), CLOSE_BATCH)) {
      await database.db.transaction().execute(async (trx) => {
        const t = ledgerDb(trx);
        // The chain head, locked for the batch (a no-op update locks on both databases).
        let head = await t.updateTable('ledger_chain').set((eb) => ({ seq: eb.ref('seq') })).where('id', '=', 1).returning(['seq', 'hash']).executeTakeFirstOrThrow();
        // The batch's accounts, locked in worker order (PostgreSQL FOR UPDATE; SQLite's writer lock covers them).
        const locked = await sql<AccountRow>`SELECT * FROM ledger_accounts WHERE worker_id IN (${sql.join(batch)}) ORDER BY worker_id ${sql.raw(database.dialect.forUpdate)}`.execute(t);
        const accounts = locked.rows.map((r) => ({ ...r, worker_id: Number(r.worker_id) }));
        // Rounds: a worker with several weeks due closes them in order, one per round.
        let due = accounts.filter((a) => !deferred.has(a.worker_id) && isDue(a, now, graceMs));
        while (due.length) {
          const round = await closeRoundIn(t, head, due, now, result, deferred, new FloorCache(t, now));
          head = round.head;
          due = round.closed.filter((a) => !deferred.has(a.worker_id) && isDue(a, now, graceMs));
        }
        await t.updateTable('ledger_chain').set({ seq: head.seq, hash: head.hash }).where('id', '=', 1).execute();
      });
    }
  }
}

export interface ChainCheck {
  checked: number;
  head: { seq: number; hash: string };
  /** Closes whose link or recomputed payload differs from what is stored. */
  mismatches: { seq: number; worker_id: number; week: string; problem: 'link' | 'payload' | 'hash'; stored: string; recomputed: string }[];
}

/**
 * Recomputes every closed week from the raw events and the dated tables as known when it closed,
 * and checks each link of the chain: the same rows must give the same payload and the same hash.
 * Reads in pages; closes of one job run (same week, same time) are recomputed together.
 * `workerId` limits the payload check to one worker (links are always checked).
 */
export async function verifyChain(database: Database, opts: { workerId?: number } = {}): Promise<ChainCheck> {
  const h = ledgerDb(database.db);
  const out: ChainCheck = { checked: 0, head: { seq: 0, hash: GENESIS_HASH }, mismatches: [] };
  let prev = GENESIS_HASH;
  let after = 0;
  for (;;) {
    const rows = await h.selectFrom('week_closes').selectAll().where('seq', '>', after).orderBy('seq').limit(2000).execute();
    if (rows.length === 0) break;
    const toCheck: typeof rows = [];
    for (const c of rows) {
      after = c.seq;
      if (c.prev_hash !== prev) out.mismatches.push({ seq: c.seq, worker_id: c.worker_id, week: c.week_key, problem: 'link', stored: c.prev_hash, recomputed: prev });
      const rehash = chainHash(c.prev_hash, c.payload);
      if (rehash !== c.hash) out.mismatches.push({ seq: c.seq, worker_id: c.worker_id, week: c.week_key, problem: 'hash', stored: c.hash, recomputed: rehash });
      prev = c.hash;
      out.head = { seq: c.seq, hash: c.hash };
      if (opts.workerId === undefined || c.worker_id === opts.workerId) toCheck.push(c);
    }
    const groups = new Map<string, typeof rows>();
    for (const c of toCheck) groups.set(`${c.week_key}|${c.closed_at}`, [...(groups.get(`${c.week_key}|${c.closed_at}`) ?? []), c]);
    for (const group of groups.values()) {
      const { week_key: key, closed_at: asOf } = group[0];
      const inputs = await gatherCloseInputs(h, group.map((c) => c.worker_id), key, asOf, new Map(group.map((c) => [c.worker_id, { closeId: c.id, seq: c.seq }])));
      for (const c of group) {
        out.checked++;
        const input = inputs.get(c.worker_id);
        const text = input ? payloadText(computeWeekClose(input).payload) : '';
        if (text !== c.payload) out.mismatches.push({ seq: c.seq, worker_id: c.worker_id, week: c.week_key, problem: 'payload', stored: c.payload, recomputed: text });
      }
    }
  }
  return out;
}

/** The head of the week hash chain: the last close's sequence number and hash. */
export async function chainHead(database: Database): Promise<{ seq: number; hash: string }> {
  const row = await ledgerDb(database.db).selectFrom('ledger_chain').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirstOrThrow();
  return { seq: Number(row.seq), hash: row.hash };
}
