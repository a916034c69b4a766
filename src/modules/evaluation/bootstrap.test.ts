import { describe, expect, it } from 'vitest';
import { bootstrapBradleyTerry, bootstrapElo, quantileSorted, rankRanges } from './bootstrap.ts';
import { createBtFitter, ratingsFromTheta } from './bradley-terry.ts';
import { encodeVotes } from './elo.ts';
import { tallyVotes } from './tally.ts';
import { simulateTournament } from './test-helpers.ts';

const TRUE: Record<string, number> = { a: 1150, b: 1080, c: 1020, d: 980, e: 920, f: 850 };

describe('bootstrap intervals', () => {
  it('cover the true rating at about the nominal 95% rate over 200 simulated tournaments', () => {
    let covered = 0;
    let checks = 0;
    for (let t = 0; t < 200; t++) {
      const tally = tallyVotes(simulateTournament(TRUE, 600, 1000 + t));
      const full = createBtFitter(tally).fit();
      const ci = bootstrapBradleyTerry(tally, full, { rounds: 200, seed: t });
      tally.models.forEach((model, m) => {
        checks++;
        if (ci.low[m] <= TRUE[model] && TRUE[model] <= ci.high[m]) covered++;
      });
    }
    const coverage = covered / checks;
    expect(coverage).toBeGreaterThan(0.88);
    expect(coverage).toBeLessThan(0.99);
  });

  it('brackets the full-data rating and narrows with more votes', () => {
    const width = (votes: number) => {
      const tally = tallyVotes(simulateTournament(TRUE, votes, 5));
      const full = createBtFitter(tally).fit();
      const ratings = ratingsFromTheta(full.theta);
      const ci = bootstrapBradleyTerry(tally, full, { rounds: 300, seed: 1 });
      tally.models.forEach((_, m) => {
        expect(ci.low[m]).toBeLessThan(ratings[m]);
        expect(ci.high[m]).toBeGreaterThan(ratings[m]);
      });
      return ci.high[0] - ci.low[0];
    };
    // Four times the votes: about half the width.
    const ratio = width(8_000) / width(2_000);
    expect(ratio).toBeGreaterThan(0.4);
    expect(ratio).toBeLessThan(0.6);
  });

  it('gives the same intervals for the same seed, and different ones for another', () => {
    const tally = tallyVotes(simulateTournament(TRUE, 1_000, 8));
    const full = createBtFitter(tally).fit();
    const one = bootstrapBradleyTerry(tally, full, { rounds: 100, seed: 4 });
    const again = bootstrapBradleyTerry(tally, full, { rounds: 100, seed: 4 });
    const other = bootstrapBradleyTerry(tally, full, { rounds: 100, seed: 5 });
    expect([...again.low]).toEqual([...one.low]);
    expect([...other.low]).not.toEqual([...one.low]);
  });

  it('gives Elo intervals that contain its ratings spread', () => {
    const votes = encodeVotes(simulateTournament(TRUE, 3_000, 2));
    const ci = bootstrapElo(votes, { rounds: 100, seed: 1 });
    for (let m = 0; m < votes.models.length; m++) expect(ci.high[m]).toBeGreaterThan(ci.low[m]);
    expect(ci.low[votes.models.indexOf('a')]).toBeGreaterThan(ci.high[votes.models.indexOf('f')]);
  });
});

describe('rank ranges', () => {
  it('share a rank where intervals overlap and separate where they do not', () => {
    // A alone on top; B and C overlap; D below both.
    const low = [1200, 1090, 1080, 900];
    const high = [1250, 1120, 1100, 950];
    expect(rankRanges(low, high)).toEqual([
      [1, 1],
      [2, 3],
      [2, 3],
      [4, 4],
    ]);
  });

  it('lets a wide interval span the ranks it overlaps', () => {
    expect(rankRanges([1000, 900, 950], [1100, 1200, 980])).toEqual([
      [1, 2],
      [1, 3],
      [2, 3],
    ]);
  });
});

describe('quantiles', () => {
  it('interpolate between order statistics (type 7)', () => {
    const sorted = [1, 2, 3, 4, 5];
    expect(quantileSorted(sorted, 0)).toBe(1);
    expect(quantileSorted(sorted, 0.5)).toBe(3);
    expect(quantileSorted(sorted, 0.975)).toBeCloseTo(4.9, 12);
  });
});
