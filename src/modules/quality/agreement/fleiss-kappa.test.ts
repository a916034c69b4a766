import { describe, expect, it } from 'vitest';
import { fleissKappa, fleissKappaFromCounts, percentAgreement } from './index.ts';

// Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters. Psychological
// Bulletin 76(5), 378-382, Table 1: 30 patients, 6 psychiatrists, 5 diagnoses (1 depression,
// 2 personality disorder, 3 schizophrenia, 4 neurosis, 5 other). Published kappa = 0.430; R's
// irr::kappam.fleiss(diagnoses) gives 0.4302445 on the same data (the `diagnoses` data set).
const diagnoses = [
  [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5], [2, 2, 2, 4, 4, 4],
  [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4], [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5],
  [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4], [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5],
  [3, 3, 3, 3, 3, 5], [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
  [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4], [1, 4, 4, 4, 4, 5],
  [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4], [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
];

// https://en.wikipedia.org/wiki/Fleiss%27_kappa, "Worked example": 10 subjects, 14 raters,
// 5 categories, given as counts. Published P-bar = 0.378, P-bar_e = 0.213, kappa = 0.210.
const wikipediaCounts = [
  [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
  [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
];

describe('fleissKappa', () => {
  it("reproduces Fleiss's 1971 psychiatric diagnoses example (kappa = 0.430)", () => {
    expect(fleissKappa(diagnoses)).toBeCloseTo(0.4302445, 7);
  });

  it("reproduces Wikipedia's worked example from counts (kappa = 0.210)", () => {
    expect(fleissKappaFromCounts(wikipediaCounts)).toBeCloseTo(0.21, 3);
  });

  it('is 1 when all raters agree on everything', () => {
    expect(fleissKappa([['a', 'a'], ['b', 'b']])).toBe(1);
  });
});

describe('percentAgreement', () => {
  it("equals Fleiss' P-bar on Wikipedia's worked example (0.378)", () => {
    const units = wikipediaCounts.map((row) => row.flatMap((count, category) => new Array<number>(count).fill(category)));
    expect(percentAgreement(units)).toBeCloseTo(0.378, 3);
  });

  it('is the plain share of agreeing units for two raters, skipping units with one value', () => {
    expect(percentAgreement([['a', 'a'], ['a', 'b'], ['b', 'b'], ['c', null]])).toBeCloseTo(2 / 3, 12);
  });

  it('is NaN when no unit has two values', () => {
    expect(percentAgreement([['a'], []])).toBeNaN();
  });
});
