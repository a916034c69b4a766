import { describe, expect, it } from 'vitest';
import { krippendorffAlpha } from './index.ts';

// Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability. Annenberg School for
// Communication, University of Pennsylvania. Section C: "Nominal data, any number of observers,
// missing data" — 4 observers, 12 units, values 1..5, "*" = missing. Published results:
// nominal 0.743, ordinal 0.815, interval 0.849, ratio 0.797.
const _ = null;
const byObserver = [
  [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _], // observer A
  [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3], // observer B
  [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _], // observer C
  [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _], // observer D
];
const byUnit = byObserver[0].map((_v, unit) => byObserver.map((observer) => observer[unit]));

describe('krippendorffAlpha', () => {
  it("reproduces Krippendorff's worked example at every level of measurement", () => {
    expect(krippendorffAlpha(byUnit, 'nominal')).toBeCloseTo(0.743, 3);
    expect(krippendorffAlpha(byUnit, 'ordinal')).toBeCloseTo(0.815, 3);
    expect(krippendorffAlpha(byUnit, 'interval')).toBeCloseTo(0.849, 3);
    expect(krippendorffAlpha(byUnit, 'ratio')).toBeCloseTo(0.797, 3);
  });

  it("reproduces Krippendorff's two-observer binary example (alpha = 0.095)", () => {
    // Krippendorff 2011, section A: observers A and B on 10 units, binary values.
    const a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0];
    const b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0];
    expect(krippendorffAlpha(a.map((value, unit) => [value, b[unit]]))).toBeCloseTo(0.095, 3);
  });

  it('gives the same ordinal alpha for category names with an explicit order', () => {
    const names = ['none', 'low', 'mid', 'high', 'max'];
    const named = byUnit.map((row) => row.map((v) => (v === null ? null : names[v - 1])));
    expect(krippendorffAlpha(named, 'ordinal', { order: names })).toBeCloseTo(0.815, 3);
  });

  it('ignores units with a single value, and is 1 for perfect agreement', () => {
    expect(krippendorffAlpha([['a', 'a'], ['b', 'b', 'b'], ['c']])).toBe(1);
  });

  it('is NaN when nothing is pairable', () => {
    expect(krippendorffAlpha([['a'], [null, 'b']])).toBeNaN();
  });

  it('refuses non-numeric values at the interval level', () => {
    expect(() => krippendorffAlpha([['a', 'b']], 'interval')).toThrow(TypeError);
  });
});
