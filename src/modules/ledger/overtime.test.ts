import { describe, expect, it } from 'vitest';
import { HOUR_MS } from './money.ts';
import { overtimeFor } from './overtime.ts';

describe('overtime for employee engagements (29 CFR 778.111)', () => {
  it('reproduces the regulation example: 50 hours, $523 piece-rate earnings', () => {
    // 778.111(a): "$523 ... divided by 50 hours gives a regular rate of $10.46 ... the employee is
    // entitled to additional compensation of $52.30 (10 hours at $5.23)".
    const ot = overtimeFor(52_300, 50 * HOUR_MS);
    expect(ot).toEqual({ thresholdMs: 40 * HOUR_MS, overtimeMs: 10 * HOUR_MS, regularRateMinor: 1046, premiumMinor: 5230 });
    // Total for the week: $523 + $52.30.
    expect(52_300 + (ot?.premiumMinor ?? 0)).toBe(57_530);
  });

  it('owes nothing at or under 40 hours', () => {
    expect(overtimeFor(52_300, 40 * HOUR_MS)).toBeNull();
    expect(overtimeFor(0, 45 * HOUR_MS)).toBeNull();
  });

  it('rounds the premium up, never down', () => {
    // 1001 cents over 41 h: half-time for 1 h of a 1001/41 rate = 12.207... cents.
    expect(overtimeFor(1001, 41 * HOUR_MS)?.premiumMinor).toBe(13);
  });
});
