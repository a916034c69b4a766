import { canonicalJson } from './hash.ts';
import { allocate, convert, hourlyRate, payForTime, type Rate } from './money.ts';
import { overtimeFor } from './overtime.ts';
import type { Week } from './week.ts';

/**
 * The week close as a pure function (FAIRWORK rule 1): from one worker-week's raw events, what the
 * worker earned, what the floor requires, the top-up and who pays it, overtime for employees,
 * adjustments for past weeks whose floor became known later, and the payout. The service feeds it
 * rows as they were known at the close; recomputing later feeds the same rows and must give the
 * same payload, byte for byte, hence the same hash.
 */

export const ENTRY_KINDS = ['piece', 'paid_time', 'bonus', 'floor_topup', 'overtime_premium', 'adjustment', 'appeal_restoration', 'reversal', 'payout'] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

export interface Money {
  currency: string;
  amountMinor: number;
}

/** An hourly floor from a dated table, with the row it came from. */
export interface HourlyFloor {
  id: number;
  hourlyMinor: number;
  currency: string;
}

export interface FxRate extends Rate {
  base: string;
  quote: string;
}

export interface PastWeek {
  key: string;
  /** Paid time of that week by promised rate (settlement currency), from its payload. */
  lines: { paidMs: number; promiseMinor: number }[];
  /** Net + top-up of that week, plus every adjustment made for it since. */
  paidMinor: number;
  /** The floors for that week as known now. */
  platformFloor: HourlyFloor | null;
  jurisdictionMinimum: HourlyFloor | null;
}

export interface CloseSegment {
  projectId: number | null;
  category: string;
  paid: boolean;
  ms: number;
  /** The hourly rate the card the work was accepted under promises (0 for a plain piece card). */
  promise: { hourlyMinor: number; currency: string } | null;
}

export interface CloseInput {
  workerId: number;
  week: Week;
  timezone: string;
  engagement: 'contractor' | 'employee';
  jurisdiction: string | null;
  /** Settlement currency: top-up, overtime and adjustments are paid in it. */
  currency: string;
  asOf: number;
  segments: CloseSegment[];
  /** The week's own entries (not written by a close). */
  entries: { projectId: number | null; kind: EntryKind; currency: string; amountMinor: number }[];
  platformFloor: HourlyFloor | null;
  jurisdictionMinimum: HourlyFloor | null;
  rates: FxRate[];
  /** Every entry up to and including this week (week_key <= this week), summed per currency. */
  balanceBefore: Money[];
  pastWeeks: PastWeek[];
}

export interface CloseEntry {
  projectId: number | null;
  kind: 'floor_topup' | 'overtime_premium' | 'adjustment' | 'payout';
  currency: string;
  amountMinor: number;
  memo: Record<string, unknown>;
}

export interface FloorLine {
  promise_minor: number;
  floor_minor: number;
  paid_ms: number;
  required_minor: number;
}

export interface ProjectFloor {
  project_id: number | null;
  /** Paid time per promised rate: one line per distinct promise in the week (rate card versions). */
  lines: FloorLine[];
  paid_ms: number;
  required_minor: number;
  net_minor: number;
  shortfall_minor: number;
  topup_minor: number;
}

export interface ClosePayload {
  v: 1;
  worker_id: number;
  week: string;
  start_at: number;
  end_at: number;
  timezone: string;
  engagement: string;
  jurisdiction: string | null;
  currency: string;
  as_of: number;
  time: { by_category: Record<string, number>; paid_ms: number; unpaid_ms: number; recorded_ms: number };
  floor: { platform_minor: number; platform_id: number | null; jurisdiction_minor: number; jurisdiction_id: number | null; projects: ProjectFloor[] };
  earnings: { kind: string; currency: string; amount_minor: number }[];
  net_minor: number;
  deductions_minor: number;
  required_minor: number;
  topup_minor: number;
  overtime: { threshold_ms: number; overtime_ms: number; regular_rate_minor: number; premium_minor: number } | null;
  adjustments: { week: string; required_minor: number; paid_minor: number; amount_minor: number }[];
  payouts: { currency: string; amount_minor: number }[];
  carried: { currency: string; amount_minor: number }[];
}

/** A conversion the close needs has no exchange rate: the week cannot close until one is recorded. */
export class MissingRateError extends Error {
  constructor(
    readonly base: string,
    readonly quote: string,
  ) {
    super(`no exchange rate ${base} -> ${quote}`);
  }
}

/** Converts into `to` with the recorded rate (or the inverse of the opposite one). Throws MissingRateError. */
export function convertWith(rates: readonly FxRate[], amountMinor: number, from: string, to: string, rounding: 'up' | 'down'): number {
  if (from === to || amountMinor === 0) return amountMinor;
  const direct = rates.find((r) => r.base === from && r.quote === to);
  if (direct) return convert(amountMinor, direct, rounding);
  const inverse = rates.find((r) => r.base === to && r.quote === from);
  if (inverse) return convert(amountMinor, { num: inverse.den, den: inverse.num }, rounding);
  throw new MissingRateError(from, to);
}

/** Kinds only a close writes; they never count as the week's earnings. (A close's adjustments are told apart by close_id.) */
export function isCloseKind(kind: string): boolean {
  return kind === 'floor_topup' || kind === 'overtime_premium' || kind === 'payout';
}

const byProject = (a: { project_id: number | null }, b: { project_id: number | null }) => (a.project_id ?? -1) - (b.project_id ?? -1);

/** The floor per project in the settlement currency: max(platform floor, jurisdiction minimum, promise). */
function floorsFor(input: Pick<CloseInput, 'currency' | 'rates'>, platform: HourlyFloor | null, jurisdiction: HourlyFloor | null) {
  // Floors are requirements: converted up, so rounding never lowers what the worker is owed.
  const platformMinor = platform ? convertWith(input.rates, platform.hourlyMinor, platform.currency, input.currency, 'up') : 0;
  const jurisdictionMinor = jurisdiction ? convertWith(input.rates, jurisdiction.hourlyMinor, jurisdiction.currency, input.currency, 'up') : 0;
  return { platformMinor, jurisdictionMinor, base: Math.max(platformMinor, jurisdictionMinor) };
}

/**
 * Closes one worker-week. Rule 1: for each project, required = floor x paid hours (rounded up);
 * top-up = max(0, sum required - net), split over the projects in proportion to their shortfall
 * (required - that project's net, when positive). Employees get the 29 CFR 778.111 overtime premium
 * on top. Throws MissingRateError when a currency cannot be converted.
 */
export function computeWeekClose(input: CloseInput): { payload: ClosePayload; entries: CloseEntry[] } {
  const S = input.currency;
  const { platformMinor, jurisdictionMinor, base } = floorsFor(input, input.platformFloor, input.jurisdictionMinimum);

  const byCategory: Record<string, number> = {};
  // Paid time per project and promised rate (converted up into the settlement currency).
  const paidMs = new Map<number | null, Map<number, number>>();
  let paidTotal = 0;
  let recorded = 0;
  for (const s of input.segments) {
    byCategory[s.category] = (byCategory[s.category] ?? 0) + s.ms;
    recorded += s.ms;
    if (!s.paid) continue;
    paidTotal += s.ms;
    const promise = s.promise ? convertWith(input.rates, s.promise.hourlyMinor, s.promise.currency, S, 'up') : 0;
    const lines = paidMs.get(s.projectId) ?? new Map<number, number>();
    lines.set(promise, (lines.get(promise) ?? 0) + s.ms);
    paidMs.set(s.projectId, lines);
  }

  // Earnings per (project, currency, kind), converted down: a rounding never shrinks a top-up.
  const grouped = new Map<string, { projectId: number | null; kind: string; currency: string; amountMinor: number }>();
  for (const e of input.entries) {
    if (isCloseKind(e.kind)) continue;
    const key = `${e.projectId ?? ''}|${e.currency}|${e.kind}`;
    const g = grouped.get(key) ?? { projectId: e.projectId, kind: e.kind, currency: e.currency, amountMinor: 0 };
    g.amountMinor += e.amountMinor;
    grouped.set(key, g);
  }
  const netByProject = new Map<number | null, number>();
  const earningsByKind = new Map<string, number>();
  let net = 0;
  let deductions = 0;
  for (const g of grouped.values()) {
    const amount = convertWith(input.rates, g.amountMinor, g.currency, S, 'down');
    const k = `${g.kind}|${g.currency}`;
    earningsByKind.set(k, (earningsByKind.get(k) ?? 0) + g.amountMinor);
    // A deduction only ever takes back pay above the floor of the work it concerns (it is capped so
    // when written) and comes out of the balance: it never lowers the week's floor test.
    if (g.kind === 'reversal') {
      deductions += amount;
      continue;
    }
    net += amount;
    netByProject.set(g.projectId, (netByProject.get(g.projectId) ?? 0) + amount);
  }

  const projectIds = [...new Set([...paidMs.keys(), ...netByProject.keys()])].sort((a, b) => (a ?? -1) - (b ?? -1));
  const projects: ProjectFloor[] = projectIds.map((id) => {
    const lines: FloorLine[] = [...(paidMs.get(id) ?? new Map<number, number>())]
      .sort(([a], [b]) => a - b)
      .map(([promise, ms]) => {
        const floor = Math.max(base, promise);
        return { promise_minor: promise, floor_minor: floor, paid_ms: ms, required_minor: payForTime(floor, ms) };
      });
    const ms = lines.reduce((a, l) => a + l.paid_ms, 0);
    const required = lines.reduce((a, l) => a + l.required_minor, 0);
    const projectNet = netByProject.get(id) ?? 0;
    return { project_id: id, lines, paid_ms: ms, required_minor: required, net_minor: projectNet, shortfall_minor: Math.max(0, required - projectNet), topup_minor: 0 };
  });
  const required = projects.reduce((a, p) => a + p.required_minor, 0);
  const topup = Math.max(0, required - net);
  if (topup > 0) {
    const useShortfall = projects.some((p) => p.shortfall_minor > 0);
    const weights = projects.map((p) => (useShortfall ? p.shortfall_minor : p.paid_ms));
    if (projects.length === 0) projects.push({ project_id: null, lines: [], paid_ms: 0, required_minor: 0, net_minor: 0, shortfall_minor: 0, topup_minor: 0 });
    const shares = allocate(topup, weights.length ? weights : [1]);
    projects.forEach((p, i) => {
      p.topup_minor = shares[i];
    });
  }

  const entries: CloseEntry[] = [];
  for (const p of projects) {
    if (p.topup_minor > 0) entries.push({ projectId: p.project_id, kind: 'floor_topup', currency: S, amountMinor: p.topup_minor, memo: { week: input.week.key, required_minor: p.required_minor, net_minor: p.net_minor } });
  }

  const ot = input.engagement === 'employee' ? overtimeFor(net + topup, paidTotal) : null;
  if (ot) entries.push({ projectId: null, kind: 'overtime_premium', currency: S, amountMinor: ot.premiumMinor, memo: { week: input.week.key, overtime_ms: ot.overtimeMs, regular_rate_minor: ot.regularRateMinor } });

  const adjustments: ClosePayload['adjustments'] = [];
  for (const past of [...input.pastWeeks].sort((a, b) => (a.key < b.key ? -1 : 1))) {
    const floors = floorsFor(input, past.platformFloor, past.jurisdictionMinimum);
    const requiredNow = past.lines.reduce((a, l) => a + payForTime(Math.max(floors.base, l.promiseMinor), l.paidMs), 0);
    // Only ever upwards: a closed week is never clawed back.
    const owed = requiredNow - past.paidMinor;
    if (owed <= 0) continue;
    adjustments.push({ week: past.key, required_minor: requiredNow, paid_minor: past.paidMinor, amount_minor: owed });
    entries.push({ projectId: null, kind: 'adjustment', currency: S, amountMinor: owed, memo: { week: input.week.key, for_week: past.key, required_minor: requiredNow, paid_minor: past.paidMinor } });
  }

  const balance = new Map<string, number>();
  for (const b of input.balanceBefore) balance.set(b.currency, (balance.get(b.currency) ?? 0) + b.amountMinor);
  for (const e of entries) balance.set(e.currency, (balance.get(e.currency) ?? 0) + e.amountMinor);
  const payouts: ClosePayload['payouts'] = [];
  const carried: ClosePayload['carried'] = [];
  for (const currency of [...balance.keys()].sort()) {
    const amount = balance.get(currency) as number;
    if (amount > 0) {
      // Earned pay is always paid out in the same pay run (rule 1, rule 8).
      payouts.push({ currency, amount_minor: amount });
      entries.push({ projectId: null, kind: 'payout', currency, amountMinor: -amount, memo: { week: input.week.key } });
    } else if (amount < 0) carried.push({ currency, amount_minor: amount });
  }

  const payload: ClosePayload = {
    v: 1,
    worker_id: input.workerId,
    week: input.week.key,
    start_at: input.week.startAt,
    end_at: input.week.endAt,
    timezone: input.timezone,
    engagement: input.engagement,
    jurisdiction: input.jurisdiction,
    currency: S,
    as_of: input.asOf,
    time: { by_category: byCategory, paid_ms: paidTotal, unpaid_ms: recorded - paidTotal, recorded_ms: recorded },
    floor: {
      platform_minor: platformMinor,
      platform_id: input.platformFloor?.id ?? null,
      jurisdiction_minor: jurisdictionMinor,
      jurisdiction_id: input.jurisdictionMinimum?.id ?? null,
      projects: projects.sort(byProject),
    },
    earnings: [...earningsByKind].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, amount]) => ({ kind: k.split('|')[0], currency: k.split('|')[1], amount_minor: amount })),
    net_minor: net,
    deductions_minor: deductions,
    required_minor: required,
    topup_minor: topup,
    overtime: ot && { threshold_ms: ot.thresholdMs, overtime_ms: ot.overtimeMs, regular_rate_minor: ot.regularRateMinor, premium_minor: ot.premiumMinor },
    adjustments,
    payouts,
    carried,
  };
  return { payload, entries };
}

/** The text that is hashed for a close. */
export function payloadText(payload: ClosePayload): string {
  return canonicalJson(payload);
}

/** Effective hourly rate of a payload's earnings per paid hour (minor units), null without paid time. */
export function effectiveHourly(payload: Pick<ClosePayload, 'net_minor' | 'time'>): number | null {
  return hourlyRate(payload.net_minor, payload.time.paid_ms);
}
