import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applySignal, closeTime, type TimeState } from '../assignment/time-accounting.ts';
import { countedMs, payAtEnd, pieceAmount, type RateCard, segmentsForSpan } from './assignment-pay.ts';
import { isPaidCategory } from './categories.ts';
import { chainHash, GENESIS_HASH } from './hash.ts';
import { HOUR_MS, payForTime } from './money.ts';
import { type CloseInput, computeWeekClose, type EntryKind, payloadText } from './week-close.ts';
import { addDays, weekByKey, weekKeyOf } from './week.ts';

/*
 * Property tests over generated event streams, through the same pure steps the services run:
 * heartbeats into time (time-accounting), time into workweek segments, claims paid under the rate
 * card version in effect, expiries and skips paid at the floor, submissions paid on approval,
 * rejections withholding the piece, appeals restoring it, then every week closed and chained.
 */

const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 5, 0, 0);

interface GenAssignment {
  project: number;
  claimAt: number;
  signals: { gap: number; visible: boolean; input: boolean }[];
  end: 'submit' | 'expire' | 'skip';
  rejected: boolean;
  appealed: boolean;
}

const signal = fc.record({ gap: fc.integer({ min: 1000, max: 600_000 }), visible: fc.boolean(), input: fc.boolean() });
const assignment = (projects: number) =>
  fc.record({
    project: fc.integer({ min: 0, max: projects - 1 }),
    claimAt: fc.integer({ min: 0, max: 20 * DAY }),
    signals: fc.array(signal, { maxLength: 12 }),
    end: fc.constantFrom<'submit' | 'expire' | 'skip'>('submit', 'submit', 'submit', 'expire', 'skip'),
    rejected: fc.boolean(),
    appealed: fc.boolean(),
  });
const rateChange = fc.record({
  at: fc.integer({ min: 0, max: 20 * DAY }),
  kind: fc.constantFrom<RateCard['kind']>('piece', 'piece', 'hourly', 'piece_hourly_min'),
  piece: fc.integer({ min: 1, max: 300 }),
  hourly: fc.integer({ min: 500, max: 3000 }),
});
const scenario = fc
  .record({
    tz: fc.constantFrom('UTC', 'America/New_York', 'Asia/Tokyo', 'Europe/Berlin'),
    employee: fc.boolean(),
    jurisdiction: fc.option(fc.integer({ min: 700, max: 2000 }), { nil: null }),
    projects: fc.integer({ min: 1, max: 3 }),
  })
  .chain((s) =>
    fc.record({
      tz: fc.constant(s.tz),
      employee: fc.constant(s.employee),
      jurisdiction: fc.constant(s.jurisdiction),
      cards: fc.array(fc.array(rateChange, { maxLength: 3 }), { minLength: s.projects, maxLength: s.projects }),
      firstCards: fc.array(rateChange, { minLength: s.projects, maxLength: s.projects }),
      assignments: fc.array(assignment(s.projects), { minLength: 1, maxLength: 25 }),
    }),
  );

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;
interface Entry {
  projectId: number | null;
  kind: EntryKind;
  currency: string;
  amountMinor: number;
  week: string;
}
interface Segment {
  assignment: number;
  projectId: number;
  category: string;
  paid: boolean;
  ms: number;
  week: string;
  promise: number;
}

const PLATFORM = { id: 1, hourlyMinor: 725, currency: 'USD' };

function cardsOf(s: Scenario): RateCard[][] {
  return s.firstCards.map((first, p) => {
    const versions: RateCard[] = [];
    const make = (c: typeof first, from: number): RateCard => ({
      id: p * 100 + versions.length + 1,
      projectId: p,
      version: versions.length + 1,
      kind: c.kind,
      currency: 'USD',
      pieceRateMinor: c.kind === 'hourly' ? 0 : c.piece,
      hourlyMinor: c.kind === 'piece' ? 0 : c.hourly,
      paidCategories: [],
      effectiveFrom: from,
    });
    versions.push(make(first, 0));
    for (const c of [...s.cards[p]].sort((a, b) => a.at - b.at)) versions.push(make(c, START + c.at));
    return versions;
  });
}

const cardAt = (versions: RateCard[], at: number) => [...versions].reverse().find((c) => c.effectiveFrom <= at) as RateCard;

/** Runs the events; returns segments, entries and per-assignment spans. `order` permutes processing. */
function run(s: Scenario, order: number[]) {
  const cards = cardsOf(s);
  const floorBase = Math.max(PLATFORM.hourlyMinor, s.jurisdiction ?? 0);
  const segments: Segment[] = [];
  const entries: Entry[] = [];
  const spans: { claimedAt: number; endedAt: number; total: number }[] = [];
  for (const i of order) {
    const g: GenAssignment = s.assignments[i];
    const claimedAt = START + g.claimAt;
    let t: TimeState = { activeMs: 0, shortIdleMs: 0, longIdleMs: 0, idleStreakMs: 0, lastSignalAt: claimedAt, idleGraceMs: 300_000 };
    let at = claimedAt;
    for (const sg of g.signals) {
      at += sg.gap;
      t = applySignal(t, at, { visible: sg.visible, inputActive: sg.input });
    }
    const endAt = at + (g.end === 'expire' ? 600_000 : 5_000);
    t = closeTime(t, endAt, g.end === 'expire' ? 'idle' : 'submit');
    const status = g.end === 'submit' ? 'submitted' : g.end === 'expire' ? 'expired' : 'skipped';
    spans.push({ claimedAt, endedAt: endAt, total: t.activeMs + t.shortIdleMs + t.longIdleMs });
    const card = cardAt(cards[g.project], claimedAt);
    const promise = card.kind === 'piece' ? 0 : card.hourlyMinor;
    for (const seg of segmentsForSpan({ claimedAt, endedAt: endAt, activeMs: t.activeMs, shortIdleMs: t.shortIdleMs, longIdleMs: t.longIdleMs }, s.tz, 1)) {
      segments.push({ assignment: i, projectId: g.project, category: seg.category, paid: isPaidCategory(seg.category, card.paidCategories), ms: seg.ms, week: seg.weekKey, promise });
    }
    const endWeek = weekKeyOf(endAt, s.tz, 1);
    const pay = payAtEnd(status, card, countedMs({ activeMs: t.activeMs, shortIdleMs: t.shortIdleMs }, card), Math.max(floorBase, promise));
    if (pay) entries.push({ projectId: g.project, kind: 'paid_time', currency: 'USD', amountMinor: pay.amountMinor, week: endWeek });
    if (status === 'submitted') {
      const piece = pieceAmount(card, { pay_minor: card.pieceRateMinor, currency: 'USD' });
      if (!g.rejected && piece > 0) entries.push({ projectId: g.project, kind: 'piece', currency: 'USD', amountMinor: piece, week: endWeek });
      if (g.rejected && g.appealed && piece > 0) {
        entries.push({ projectId: g.project, kind: 'appeal_restoration', currency: 'USD', amountMinor: piece, week: weekKeyOf(endAt + 3 * DAY, s.tz, 1) });
      }
    }
  }
  return { segments, entries, spans };
}

function closeAll(s: Scenario, order: number[]) {
  const { segments, entries, spans } = run(s, order);
  const weeks = [...new Set([...segments.map((x) => x.week), ...entries.map((x) => x.week)])].sort();
  const closes: { key: string; hash: string; payload: ReturnType<typeof computeWeekClose>['payload'] }[] = [];
  let prev = GENESIS_HASH;
  for (const key of weeks) {
    const week = weekByKey(key, s.tz);
    const own = entries.filter((e) => e.week === key);
    const balance = new Map<string, number>();
    for (const e of entries.filter((x) => x.week <= key)) balance.set(e.currency, (balance.get(e.currency) ?? 0) + e.amountMinor);
    const input: CloseInput = {
      workerId: 1,
      week,
      timezone: s.tz,
      engagement: s.employee ? 'employee' : 'contractor',
      jurisdiction: s.jurisdiction === null ? null : 'XX',
      currency: 'USD',
      asOf: week.endAt + DAY,
      segments: segments.filter((x) => x.week === key).map((x) => ({ projectId: x.projectId, category: x.category, paid: x.paid, ms: x.ms, promise: x.promise ? { hourlyMinor: x.promise, currency: 'USD' } : null })),
      entries: own.map((e) => ({ projectId: e.projectId, kind: e.kind, currency: e.currency, amountMinor: e.amountMinor })),
      platformFloor: PLATFORM,
      jurisdictionMinimum: s.jurisdiction === null ? null : { id: 2, hourlyMinor: s.jurisdiction, currency: 'USD' },
      rates: [],
      balanceBefore: [...balance].map(([currency, amountMinor]) => ({ currency, amountMinor })),
      pastWeeks: [],
    };
    const result = computeWeekClose(input);
    for (const e of result.entries) entries.push({ projectId: e.projectId, kind: e.kind, currency: e.currency, amountMinor: e.amountMinor, week: key });
    prev = chainHash(prev, payloadText(result.payload));
    closes.push({ key, hash: prev, payload: result.payload });
  }
  return { closes, entries, segments, spans };
}

describe('generated event streams through the ledger (property tests)', () => {
  it('keeps every closed week at or above floor x paid hours, conserves time, balances the ledger and recomputes to the same hashes', () => {
    fc.assert(
      fc.property(scenario, fc.func(fc.integer()), (s, shuffleKey) => {
        const order = s.assignments.map((_, i) => i);
        const first = closeAll(s, order);
        const floorBase = Math.max(PLATFORM.hourlyMinor, s.jurisdiction ?? 0);

        for (const c of first.closes) {
          const p = c.payload;
          // Rule 1: net + top-up >= floor x paid hours, per promised rate and overall.
          expect(p.net_minor + p.topup_minor).toBeGreaterThanOrEqual(p.required_minor);
          expect(p.net_minor + p.topup_minor).toBeGreaterThanOrEqual(payForTime(floorBase, p.time.paid_ms));
          for (const pr of p.floor.projects) for (const line of pr.lines) expect(line.required_minor).toBe(payForTime(Math.max(floorBase, line.promise_minor), line.paid_ms));
          expect(p.floor.projects.reduce((a, x) => a + x.topup_minor, 0)).toBe(p.topup_minor);
          if (p.overtime) expect(p.time.paid_ms).toBeGreaterThan(40 * HOUR_MS);
        }

        // Time conservation per assignment: active + short idle + long idle = end - claim, and the segments say the same.
        first.spans.forEach((span, i) => {
          expect(span.total).toBe(span.endedAt - span.claimedAt);
          expect(first.segments.filter((x) => x.assignment === i).reduce((a, x) => a + x.ms, 0)).toBe(span.endedAt - span.claimedAt);
        });

        // Ledger sum = statement total = payouts + carried balance.
        const sum = first.entries.reduce((a, e) => a + e.amountMinor, 0);
        const earned = first.entries.filter((e) => e.kind !== 'payout').reduce((a, e) => a + e.amountMinor, 0);
        const paidOut = -first.entries.filter((e) => e.kind === 'payout').reduce((a, e) => a + e.amountMinor, 0);
        const last = first.closes[first.closes.length - 1];
        const carried = last.payload.carried.reduce((a, c) => a + c.amount_minor, 0);
        expect(sum).toBe(carried);
        expect(earned).toBe(paidOut + carried);
        expect(paidOut).toBe(first.closes.reduce((a, c) => a + c.payload.payouts.reduce((b, x) => b + x.amount_minor, 0), 0));

        // Recomputing from the same raw events, taken in any order, gives the same chain.
        const shuffled = [...order].sort((a, b) => shuffleKey(a) - shuffleKey(b) || a - b);
        const again = closeAll(s, shuffled);
        expect(again.closes.map((c) => c.hash)).toEqual(first.closes.map((c) => c.hash));
      }),
      { numRuns: 300 },
    );
  });

  it('raises the floor of a closed week by an adjustment in the next one when a minimum becomes known later', () => {
    const tz = 'UTC';
    const week1 = weekByKey('2026-01-05', tz);
    const base: CloseInput = {
      workerId: 1,
      week: week1,
      timezone: tz,
      engagement: 'contractor',
      jurisdiction: 'US-CA',
      currency: 'USD',
      asOf: week1.endAt,
      segments: [{ projectId: 7, category: 'task_active', paid: true, ms: 10 * HOUR_MS, promise: null }],
      entries: [{ projectId: 7, kind: 'piece', currency: 'USD', amountMinor: 5000 }],
      platformFloor: PLATFORM,
      jurisdictionMinimum: null,
      rates: [],
      balanceBefore: [{ currency: 'USD', amountMinor: 5000 }],
      pastWeeks: [],
    };
    const first = computeWeekClose(base);
    expect(first.payload.topup_minor).toBe(7250 - 5000);
    const week2 = weekByKey(addDays('2026-01-05', 7), tz);
    const second = computeWeekClose({
      ...base,
      week: week2,
      asOf: week2.endAt,
      segments: [],
      entries: [],
      balanceBefore: [],
      pastWeeks: [{ key: '2026-01-05', lines: [{ paidMs: 10 * HOUR_MS, promiseMinor: 0 }], paidMinor: 7250, platformFloor: PLATFORM, jurisdictionMinimum: { id: 9, hourlyMinor: 1650, currency: 'USD' } }],
    });
    expect(second.payload.adjustments).toEqual([{ week: '2026-01-05', required_minor: 16500, paid_minor: 7250, amount_minor: 9250 }]);
    expect(second.entries.find((e) => e.kind === 'adjustment')?.amountMinor).toBe(9250);
    expect(second.payload.payouts).toEqual([{ currency: 'USD', amount_minor: 9250 }]);
  });

  it('pays an employee the 778.111 half-time premium on top of the floor-checked straight time', () => {
    const week = weekByKey('2026-01-05', 'UTC');
    const result = computeWeekClose({
      workerId: 1,
      week,
      timezone: 'UTC',
      engagement: 'employee',
      jurisdiction: 'US',
      currency: 'USD',
      asOf: week.endAt,
      segments: [{ projectId: 1, category: 'task_active', paid: true, ms: 50 * HOUR_MS, promise: null }],
      entries: [{ projectId: 1, kind: 'piece', currency: 'USD', amountMinor: 52_300 }],
      platformFloor: PLATFORM,
      jurisdictionMinimum: { id: 1, hourlyMinor: 725, currency: 'USD' },
      rates: [],
      balanceBefore: [{ currency: 'USD', amountMinor: 52_300 }],
      pastWeeks: [],
    });
    expect(result.payload.topup_minor).toBe(0);
    expect(result.payload.overtime).toEqual({ threshold_ms: 40 * HOUR_MS, overtime_ms: 10 * HOUR_MS, regular_rate_minor: 1046, premium_minor: 5230 });
    expect(result.payload.payouts).toEqual([{ currency: 'USD', amount_minor: 57_530 }]);
  });

  it('converts through a recorded exchange rate, and refuses to guess one', () => {
    const week = weekByKey('2026-01-05', 'Europe/Berlin');
    const input: CloseInput = {
      workerId: 1,
      week,
      timezone: 'Europe/Berlin',
      engagement: 'contractor',
      jurisdiction: 'DE',
      currency: 'EUR',
      asOf: week.endAt,
      segments: [{ projectId: 1, category: 'task_active', paid: true, ms: HOUR_MS, promise: null }],
      entries: [{ projectId: 1, kind: 'piece', currency: 'USD', amountMinor: 1000 }],
      platformFloor: PLATFORM,
      jurisdictionMinimum: { id: 1, hourlyMinor: 1282, currency: 'EUR' },
      rates: [],
      balanceBefore: [{ currency: 'USD', amountMinor: 1000 }],
      pastWeeks: [],
    };
    expect(() => computeWeekClose(input)).toThrow(/USD -> EUR/);
    const result = computeWeekClose({ ...input, rates: [{ base: 'USD', quote: 'EUR', num: 92, den: 100 }] });
    // $10.00 is EUR 9.20 (rounded down); the German minimum is EUR 12.82 for the hour.
    expect([result.payload.net_minor, result.payload.required_minor, result.payload.topup_minor]).toEqual([920, 1282, 362]);
    expect(result.payload.payouts).toEqual([
      { currency: 'EUR', amount_minor: 362 },
      { currency: 'USD', amount_minor: 1000 },
    ]);
  });
});
