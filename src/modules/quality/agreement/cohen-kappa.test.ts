import { describe, expect, it } from 'vitest';
import { cohenKappa, cohenKappaFromTable } from './index.ts';

/** Expands a 2x2 yes/no table into two raters' paired code lists. */
function pairs(yesYes: number, yesNo: number, noYes: number, noNo: number): [string[], string[]] {
  const a: string[] = [];
  const b: string[] = [];
  const push = (n: number, x: string, y: string) => {
    for (let i = 0; i < n; i++) {
      a.push(x);
      b.push(y);
    }
  };
  push(yesYes, 'yes', 'yes');
  push(yesNo, 'yes', 'no');
  push(noYes, 'no', 'yes');
  push(noNo, 'no', 'no');
  return [a, b];
}

describe('cohenKappa', () => {
  it("reproduces Wikipedia's worked example (50 grant proposals, kappa = 0.4)", () => {
    // https://en.wikipedia.org/wiki/Cohen%27s_kappa, "Simple example": p_o = 0.7, p_e = 0.5.
    const [a, b] = pairs(20, 5, 10, 15);
    expect(cohenKappa(a, b)).toBeCloseTo(0.4, 10);
  });

  it("reproduces Wikipedia's equal-agreement pair (0.1304 and 0.2593)", () => {
    // Same article, "Same percentages but different numbers": both tables have p_o = 0.60.
    expect(cohenKappa(...pairs(45, 15, 25, 15))).toBeCloseTo(0.1304, 4);
    expect(cohenKappa(...pairs(25, 35, 5, 35))).toBeCloseTo(0.2593, 4);
  });

  it('reproduces the SAS PROC FREQ example used by statsmodels (kappa = 0.4842)', () => {
    // statsmodels stats/tests/test_inter_rater.py, table10, checked there against SAS output.
    expect(cohenKappaFromTable([[0, 4, 1], [0, 8, 0], [0, 1, 5]])).toBeCloseTo(0.4842, 4);
  });

  it('drops units either rater left missing', () => {
    expect(cohenKappa(['a', 'b', null, 'a'], ['a', 'b', 'a', undefined])).toBe(1);
  });

  it('throws when the code lists differ in length', () => {
    expect(() => cohenKappa(['a'], ['a', 'b'])).toThrow(RangeError);
  });
});
