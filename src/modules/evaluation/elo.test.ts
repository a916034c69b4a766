import { describe, expect, it } from 'vitest';
import { encodeVotes, onlineElo } from './elo.ts';
import { simulateTournament } from './test-helpers.ts';

describe('online Elo', () => {
  it('moves both ratings by K times the surprise: K = 4, equal ratings, a win is +2 / -2', () => {
    const ratings = onlineElo(encodeVotes([{ a: 'x', b: 'y', score: 1 }]));
    expect([...ratings]).toEqual([1002, 998]);
  });

  it('replays votes in order, so order matters', () => {
    const votes = [
      { a: 'x', b: 'y', score: 1 },
      { a: 'x', b: 'y', score: 0 },
    ];
    const forward = onlineElo(encodeVotes(votes));
    const backward = onlineElo(encodeVotes([...votes].reverse()));
    // x wins first then loses at a disadvantage: it ends slightly below 1000; the reverse is above.
    expect(forward[0]).toBeLessThan(1000);
    expect(backward[0]).toBeGreaterThan(1000);
  });

  it('keeps the mean at 1000 and recovers a clear order', () => {
    const votes = encodeVotes(simulateTournament({ top: 1200, mid: 1000, low: 800 }, 6_000, 3));
    const ratings = onlineElo(votes);
    expect(ratings.reduce((s, r) => s + r, 0) / 3).toBeCloseTo(1000, 9);
    const [low, mid, top] = ['low', 'mid', 'top'].map((m) => ratings[votes.models.indexOf(m)]);
    expect(top).toBeGreaterThan(mid);
    expect(mid).toBeGreaterThan(low);
  });

  it('drops a vote of a model against itself', () => {
    expect(encodeVotes([{ a: 'x', b: 'x', score: 1 }]).a.length).toBe(0);
  });
});
