import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocate, convert, formatMinor, HOUR_MS, hourlyRate, payForTime, quantile } from './money.ts';

describe('pay arithmetic', () => {
  it('pays time at an hourly rate rounded up to the minor unit', () => {
    expect(payForTime(725, HOUR_MS)).toBe(725);
    expect(payForTime(725, 1)).toBe(1);
    expect(payForTime(725, 0)).toBe(0);
    expect(payForTime(725, 30 * 60_000)).toBe(363);
  });

  it('never pays less than rate x time', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 200 * HOUR_MS }), (rate, ms) => {
        const pay = payForTime(rate, ms);
        expect(BigInt(pay) * BigInt(HOUR_MS)).toBeGreaterThanOrEqual(BigInt(rate) * BigInt(ms));
        expect(BigInt(pay - 1) * BigInt(HOUR_MS)).toBeLessThan(BigInt(rate) * BigInt(ms) || 1n);
      }),
    );
  });

  it('splits a total into parts proportional to weights that add up exactly', () => {
    expect(allocate(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(allocate(0, [5, 0])).toEqual([0, 0]);
    expect(allocate(7, [0, 0])).toEqual([4, 3]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 12 }), (total, weights) => {
        const parts = allocate(total, weights);
        expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
        if (weights.some((w) => w > 0)) weights.forEach((w, i) => w === 0 && expect(parts[i]).toBe(0));
      }),
    );
  });

  it('converts currencies exactly with explicit rounding', () => {
    expect(convert(1000, { num: 92, den: 100 }, 'down')).toBe(920);
    expect(convert(1001, { num: 3, den: 2 }, 'up')).toBe(1502);
    expect(convert(1001, { num: 3, den: 2 }, 'down')).toBe(1501);
    expect(convert(-1001, { num: 3, den: 2 }, 'down')).toBe(-1502);
  });

  it('states rates, quantiles and amounts for people', () => {
    expect(hourlyRate(52300, 50 * HOUR_MS)).toBe(1046);
    expect(hourlyRate(1, 0)).toBeNull();
    expect(quantile([5, 1, 3, 2, 4], 0.5)).toBe(3);
    expect(quantile([1, 2, 3, 4], 0.75)).toBe(3);
    expect(quantile([], 0.5)).toBeUndefined();
    expect(formatMinor(1046, 'USD')).toBe('10.46');
    expect(formatMinor(-5, 'EUR')).toBe('-0.05');
    expect(formatMinor(1163, 'JPY')).toBe('1163');
  });
});
