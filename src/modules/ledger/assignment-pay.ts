import { isPaidCategory } from './categories.ts';
import { allocate, payForTime } from './money.ts';
import { splitByWeeks } from './week.ts';

/** An immutable version of a project's pay (FAIRWORK rule 9). */
export interface RateCard {
  id: number;
  projectId: number;
  version: number;
  kind: 'piece' | 'hourly' | 'piece_hourly_min';
  currency: string;
  pieceRateMinor: number;
  /** Hourly pay (kind hourly) or the promised hourly minimum (piece_hourly_min); 0 for piece. */
  hourlyMinor: number;
  paidCategories: string[];
  effectiveFrom: number;
}

/** What the worker saw before accepting, as stored on the assignment. */
export interface Shown {
  seconds?: number;
  pay_minor?: number;
  hourly_minor?: number;
  currency?: string;
}

export interface EndedSpan {
  claimedAt: number;
  endedAt: number;
  activeMs: number;
  shortIdleMs: number;
  longIdleMs: number;
}

export interface SpanSegment {
  category: 'task_active' | 'short_idle' | 'long_idle';
  weekKey: string;
  startedAt: number;
  endedAt: number;
  ms: number;
}

/**
 * An assignment's time as segments, cut at the worker's workweek boundaries. Each category's total
 * is shared out over the weeks in proportion to the wall time in each (largest remainder), so the
 * segments of an assignment always add up to exactly its active + short idle + long idle.
 * Zero-length categories give no segment.
 */
export function segmentsForSpan(span: EndedSpan, tz: string, weekStartDay: number): SpanSegment[] {
  const pieces = splitByWeeks(span.claimedAt, Math.max(span.claimedAt, span.endedAt), tz, weekStartDay);
  const durations = pieces.map((p) => p.endAt - p.startAt);
  const out: SpanSegment[] = [];
  for (const [category, total] of [
    ['task_active', span.activeMs],
    ['short_idle', span.shortIdleMs],
    ['long_idle', span.longIdleMs],
  ] as const) {
    if (total <= 0) continue;
    const shares = allocate(total, durations);
    pieces.forEach((p, i) => {
      if (shares[i] > 0) out.push({ category, weekKey: p.key, startedAt: p.startAt, endedAt: p.endAt, ms: shares[i] });
    });
  }
  return out;
}

/** Counted time of an assignment under a card: active and short idle (long idle is never paid). */
export function countedMs(span: Pick<EndedSpan, 'activeMs' | 'shortIdleMs'>, card: Pick<RateCard, 'paidCategories'>): number {
  return (isPaidCategory('task_active', card.paidCategories) ? span.activeMs : 0) + (isPaidCategory('short_idle', card.paidCategories) ? span.shortIdleMs : 0);
}

/**
 * The piece pay of approved work: the card's piece rate, never below what the worker was shown
 * in the same currency (rule 2: the assignment stores exactly what was shown; rule 4: no cut the
 * worker did not cause). 0 under an hourly card, which pays by time instead.
 */
export function pieceAmount(card: RateCard, shown: Shown): number {
  if (card.kind === 'hourly') return 0;
  const seen = shown.currency === card.currency && Number.isSafeInteger(shown.pay_minor) ? (shown.pay_minor as number) : 0;
  return Math.max(card.pieceRateMinor, seen);
}

export interface EndPay {
  kind: 'paid_time';
  amountMinor: number;
  rateMinor: number;
  ms: number;
  why: 'hourly_card' | 'not_submitted';
}

/**
 * Money owed the moment an assignment ends. An hourly card pays its counted time at the card's rate
 * whatever the outcome. Under a piece card a submitted answer is paid on approval (nothing now), while
 * an expired, skipped or released one pays its counted time at the floor (rule 4).
 */
export function payAtEnd(status: string, card: RateCard, counted: number, floorHourlyMinor: number): EndPay | null {
  if (card.kind === 'hourly') {
    const rate = Math.max(card.hourlyMinor, floorHourlyMinor);
    const amount = payForTime(rate, counted);
    return amount > 0 ? { kind: 'paid_time', amountMinor: amount, rateMinor: rate, ms: counted, why: 'hourly_card' } : null;
  }
  if (status === 'submitted') return null;
  const rate = Math.max(floorHourlyMinor, card.hourlyMinor);
  const amount = payForTime(rate, counted);
  return amount > 0 ? { kind: 'paid_time', amountMinor: amount, rateMinor: rate, ms: counted, why: 'not_submitted' } : null;
}
