import { HOUR_MS } from './money.ts';

/** The FLSA overtime threshold: 40 hours in the workweek (29 U.S.C. 207(a)(1)). */
export const OVERTIME_THRESHOLD_MS = 40 * HOUR_MS;

export interface Overtime {
  thresholdMs: number;
  overtimeMs: number;
  /** Straight-time earnings / all hours, in minor units per hour, rounded down (for display). */
  regularRateMinor: number;
  /** Half the regular rate for each overtime hour, rounded up to the minor unit. */
  premiumMinor: number;
}

/**
 * Overtime for a piece-rate (or mixed) workweek of an employee engagement, per 29 CFR 778.111(a):
 * the regular rate is the week's total straight-time earnings divided by all hours worked, and each
 * hour over 40 is owed half that rate on top. Computed exactly as
 * premium = ceil(earnings x overtime / (2 x hours)), so no rounded rate ever enters the premium.
 * Minimum-wage make-up is part of straight-time earnings. Null for 40 hours or fewer.
 */
export function overtimeFor(straightTimeMinor: number, workedMs: number, thresholdMs = OVERTIME_THRESHOLD_MS): Overtime | null {
  if (workedMs <= thresholdMs || straightTimeMinor <= 0) return null;
  const overtimeMs = workedMs - thresholdMs;
  const earnings = BigInt(straightTimeMinor);
  const numerator = earnings * BigInt(overtimeMs);
  const denominator = 2n * BigInt(workedMs);
  const premium = numerator / denominator + (numerator % denominator === 0n ? 0n : 1n);
  return {
    thresholdMs,
    overtimeMs,
    regularRateMinor: Number((earnings * BigInt(HOUR_MS)) / BigInt(workedMs)),
    premiumMinor: Number(premium),
  };
}
