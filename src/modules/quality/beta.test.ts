import { describe, expect, it } from 'vitest';
import { accuracyEstimate, betaCdf, betaQuantile } from './beta.ts';

describe('Beta distribution', () => {
  it('matches closed forms: Beta(1,1) is uniform, Beta(2,1) has cdf x^2', () => {
    expect(betaCdf(0.3, 1, 1)).toBeCloseTo(0.3, 12);
    expect(betaCdf(0.5, 2, 1)).toBeCloseTo(0.25, 12);
    expect(betaQuantile(0.25, 2, 1)).toBeCloseTo(0.5, 9);
  });

  it('matches tabulated quantiles (scipy.stats.beta.ppf)', () => {
    // scipy.stats.beta.ppf(0.05, 10, 3) = 0.561894565, ppf(0.95, 10, 3) = 0.928129744
    expect(betaQuantile(0.05, 10, 3)).toBeCloseTo(0.561894565, 8);
    expect(betaQuantile(0.95, 10, 3)).toBeCloseTo(0.928129744, 8);
  });

  it('gives a worker a mean and a 90% interval that narrows with evidence', () => {
    const few = accuracyEstimate(4, 5, { alpha: 1, beta: 1 });
    const many = accuracyEstimate(80, 100, { alpha: 1, beta: 1 });
    expect(few.mean).toBeCloseTo(5 / 7);
    expect(many.high - many.low).toBeLessThan(few.high - few.low);
    expect(many.low).toBeLessThan(many.mean);
    expect(many.high).toBeGreaterThan(many.mean);
  });
});
