import { describe, expect, it } from 'vitest';
import { createRandom, logFactorial, sampleBinomial, sampleMultinomial } from './random.ts';

describe('seeded sampling', () => {
  it('computes ln k! exactly from the table and by Stirling beyond it', () => {
    let exact = 0;
    for (let k = 1; k <= 2000; k++) {
      exact += Math.log(k);
      if (k === 10 || k === 255 || k === 256 || k === 1000 || k === 2000) expect(logFactorial(k)).toBeCloseTo(exact, 8);
    }
    expect(logFactorial(0)).toBe(0);
  });

  it('draws binomials with the right mean and variance, small and large', () => {
    const random = createRandom(3);
    for (const [n, p] of [
      [10, 0.3],
      [100_000, 1 / 3675],
      [5_000, 0.5],
      [400, 0.9],
    ]) {
      const draws = 20_000;
      let sum = 0;
      let sumSq = 0;
      for (let k = 0; k < draws; k++) {
        const x = sampleBinomial(n, p, random);
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThanOrEqual(n);
        sum += x;
        sumSq += x * x;
      }
      const mean = sum / draws;
      const variance = sumSq / draws - mean * mean;
      const trueVar = n * p * (1 - p);
      expect(Math.abs(mean - n * p)).toBeLessThan(5 * Math.sqrt(trueVar / draws));
      expect(variance / trueVar).toBeGreaterThan(0.93);
      expect(variance / trueVar).toBeLessThan(1.07);
    }
  });

  it('draws binomial probabilities that match the exact pmf', () => {
    const random = createRandom(9);
    const n = 60;
    const p = 0.7;
    const counts = new Array(n + 1).fill(0);
    const draws = 100_000;
    for (let k = 0; k < draws; k++) counts[sampleBinomial(n, p, random)]++;
    // The pmf at k = 42 (the mode): C(60, 42) 0.7^42 0.3^18.
    const pmf = Math.exp(logFactorial(60) - logFactorial(42) - logFactorial(18) + 42 * Math.log(0.7) + 18 * Math.log(0.3));
    expect(Math.abs(counts[42] / draws - pmf)).toBeLessThan(0.004);
  });

  it('draws multinomial counts that add up to the total and follow the weights', () => {
    const random = createRandom(1);
    const weights = Float64Array.from([5, 0, 1, 4]);
    const out = new Float64Array(4);
    const sums = [0, 0, 0, 0];
    for (let r = 0; r < 2_000; r++) {
      sampleMultinomial(1_000, weights, out, random);
      expect(out.reduce((s, x) => s + x, 0)).toBe(1_000);
      expect(out[1]).toBe(0);
      out.forEach((x, k) => (sums[k] += x));
    }
    expect(sums[0] / 2_000).toBeCloseTo(500, -1);
    expect(sums[2] / 2_000).toBeCloseTo(100, -1);
    expect(sums[3] / 2_000).toBeCloseTo(400, -1);
  });
});
