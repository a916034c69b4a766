import { describe, expect, it } from 'vitest';
import { createBtFitter, fitBradleyTerry, RATING_PER_LOGIT } from './bradley-terry.ts';
import { createRandom, shuffleInPlace } from './random.ts';
import { tallyVotes, type Vote } from './tally.ts';
import { simulateTournament } from './test-helpers.ts';

const TRUE = { alpha: 1180, beta: 1090, gamma: 1010, delta: 960, epsilon: 880, zeta: 880 };

const ratingOf = (fit: ReturnType<typeof fitBradleyTerry>, model: string) => fit.ratings[fit.models.indexOf(model)];

describe('Bradley-Terry', () => {
  it('recovers the order and ratings of a synthetic tournament with known strengths', () => {
    const fit = fitBradleyTerry(simulateTournament(TRUE, 30_000, 7));
    expect(fit.fit.converged).toBe(true);
    const order = [...fit.models].sort((a, b) => ratingOf(fit, b) - ratingOf(fit, a));
    expect(order.slice(0, 4)).toEqual(['alpha', 'beta', 'gamma', 'delta']);
    // 30,000 votes among 6 models: about 10,000 battles each, a standard error near 4 points.
    for (const [model, rating] of Object.entries(TRUE)) expect(Math.abs(ratingOf(fit, model) - rating)).toBeLessThan(15);
  });

  it('recovers the ratings when some votes are ties, counted as half a win each way', () => {
    const fit = fitBradleyTerry(simulateTournament(TRUE, 30_000, 8, 0.3));
    for (const [model, rating] of Object.entries(TRUE)) expect(Math.abs(ratingOf(fit, model) - rating)).toBeLessThan(15);
  });

  it('anchors the mean rating at 1000', () => {
    const fit = fitBradleyTerry(simulateTournament(TRUE, 2_000, 3));
    expect(fit.ratings.reduce((s, r) => s + r, 0) / fit.ratings.length).toBeCloseTo(1000, 9);
  });

  it('matches the closed form for two players: a difference of 400·log10(p / (1 - p))', () => {
    for (const [wins, total] of [
      [70, 100],
      [3, 4],
      [550, 1000],
      [1, 10],
    ]) {
      const votes: Vote[] = [];
      for (let k = 0; k < total; k++) votes.push({ a: 'x', b: 'y', score: k < wins ? 1 : 0 });
      const p = wins / total;
      const expected = 400 * Math.log10(p / (1 - p));
      // With a vanishing ridge the fit is the closed form; the default ridge (a very weak prior)
      // moves it by a fraction of a point even at 4 votes.
      const exact = fitBradleyTerry(votes, { ridge: 1e-12, tolerance: 1e-12 });
      expect(ratingOf(exact, 'x') - ratingOf(exact, 'y')).toBeCloseTo(expected, 6);
      const fit = fitBradleyTerry(votes);
      expect(Math.abs(ratingOf(fit, 'x') - ratingOf(fit, 'y') - expected)).toBeLessThan(0.5);
      expect(ratingOf(fit, 'x') + ratingOf(fit, 'y')).toBeCloseTo(2000, 9);
    }
  });

  it('counts a tie as half a win each way', () => {
    // 6 wins, 2 losses, 4 ties: score 8 of 12, so p = 2/3 and the gap is 400·log10(2).
    const votes: Vote[] = [...Array(6).fill({ a: 'x', b: 'y', score: 1 }), ...Array(2).fill({ a: 'y', b: 'x', score: 1 }), ...Array(4).fill({ a: 'x', b: 'y', score: 0.5 })];
    const fit = fitBradleyTerry(votes);
    expect(Math.abs(ratingOf(fit, 'x') - ratingOf(fit, 'y') - 400 * Math.log10(2))).toBeLessThan(0.1);
  });

  it('gives the same ratings whatever the order of the votes', () => {
    const votes = simulateTournament(TRUE, 5_000, 11, 0.1);
    const a = fitBradleyTerry(votes);
    const b = fitBradleyTerry(shuffleInPlace([...votes], createRandom(99)));
    const c = fitBradleyTerry([...votes].reverse().map((v) => ({ a: v.b, b: v.a, score: 1 - v.score })));
    expect(b.models).toEqual(a.models);
    for (let m = 0; m < a.models.length; m++) {
      expect(b.ratings[m]).toBeCloseTo(a.ratings[m], 6);
      expect(c.ratings[m]).toBeCloseTo(a.ratings[m], 6);
    }
  });

  it('keeps a model that won every battle finite, and ahead', () => {
    const votes: Vote[] = [...Array(10).fill({ a: 'champ', b: 'x', score: 1 }), ...simulateTournament({ x: 1000, y: 1000 }, 50, 1)];
    const fit = fitBradleyTerry(votes);
    expect(fit.fit.converged).toBe(true);
    expect(Number.isFinite(ratingOf(fit, 'champ'))).toBe(true);
    expect(ratingOf(fit, 'champ')).toBeGreaterThan(ratingOf(fit, 'x') + 400);
  });

  it('converges in a few Newton steps from a warm start on the same data', () => {
    const tally = tallyVotes(simulateTournament(TRUE, 5_000, 5));
    const fitter = createBtFitter(tally);
    const cold = fitter.fit();
    const warm = fitter.fit(tally, cold);
    expect(warm.iterations).toBeLessThanOrEqual(2);
    for (let m = 0; m < tally.models.length; m++) expect(warm.theta[m]).toBeCloseTo(cold.theta[m], 9);
  });

  it('with length control, recovers a length bias and removes it from the ratings', () => {
    const random = createRandom(21);
    const strength: Record<string, number> = { long: 0, short: 0, mid: 0.3 };
    const typical: Record<string, number> = { long: 900, short: 300, mid: 500 };
    const trueBeta = 1.2;
    const votes: Vote[] = [];
    const models = Object.keys(strength);
    for (let v = 0; v < 40_000; v++) {
      const a = models[Math.floor(random() * 3)];
      const b = models[(models.indexOf(a) + 1 + Math.floor(random() * 2)) % 3];
      const lengthA = Math.round(typical[a] * (0.6 + 0.8 * random()));
      const lengthB = Math.round(typical[b] * (0.6 + 0.8 * random()));
      const x = (lengthA - lengthB) / (lengthA + lengthB);
      const p = 1 / (1 + Math.exp(-(strength[a] - strength[b] + trueBeta * x)));
      votes.push({ a, b, score: random() < p ? 1 : 0, lengthA, lengthB });
    }
    const plain = fitBradleyTerry(votes);
    const controlled = fitBradleyTerry(votes, { lengthControl: true });
    // Without control the long-winded model looks better than the equally good short one.
    expect(ratingOf(plain, 'long') - ratingOf(plain, 'short')).toBeGreaterThan(100);
    expect(controlled.lengthCoefficient).toBeGreaterThan(1.0);
    expect(controlled.lengthCoefficient).toBeLessThan(1.4);
    expect(Math.abs(ratingOf(controlled, 'long') - ratingOf(controlled, 'short'))).toBeLessThan(25);
    expect(ratingOf(controlled, 'mid') - ratingOf(controlled, 'short')).toBeCloseTo(0.3 * RATING_PER_LOGIT, -1.5);
  });

  it('fits 50 models from 100,000 votes on a 50 x 50 problem', () => {
    const ratings = Object.fromEntries(Array.from({ length: 50 }, (_, k) => [`m${String(k).padStart(2, '0')}`, 700 + k * 12]));
    const votes = simulateTournament(ratings, 100_000, 4, 0.1);
    const tally = tallyVotes(votes);
    expect(tally.cells).toBe(1225);
    const fit = fitBradleyTerry(votes);
    expect(fit.fit.converged).toBe(true);
    expect(ratingOf(fit, 'm49')).toBeGreaterThan(ratingOf(fit, 'm00') + 400);
  });
});
