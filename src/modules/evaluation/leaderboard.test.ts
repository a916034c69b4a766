import { describe, expect, it } from 'vitest';
import { buildLeaderboard } from './leaderboard.ts';
import { SAMPLE_MODELS, simulateVotes } from './sample-dataset.ts';

const KNOWN_ORDER = SAMPLE_MODELS.map((m) => m.model);

describe('leaderboard', () => {
  it('recovers the known order of the sample models from simulated votes', () => {
    const board = buildLeaderboard(simulateVotes({ count: 3_000, seed: 1 }), { bootstrap: 200, seed: 1 });
    expect(board.method).toBe('bt');
    expect(board.votes).toBe(3_000);
    expect(board.models.map((m) => m.model)).toEqual(KNOWN_ORDER);
    expect(board.models.map((m) => m.rank)).toEqual([1, 2, 3, 4, 5]);
    for (const m of board.models) {
      expect(m.ci_low).toBeLessThan(m.rating);
      expect(m.ci_high).toBeGreaterThan(m.rating);
      expect(m.rank_range[0]).toBe(m.rank);
    }
    expect(board.models.reduce((s, m) => s + m.battles, 0)).toBe(6_000);
  });

  it('reports win rates per model and per pair, ties as half', () => {
    const board = buildLeaderboard(
      [
        { a: 'x', b: 'y', score: 1 },
        { a: 'x', b: 'y', score: 0.5 },
        { a: 'y', b: 'z', score: 1 },
      ],
      { bootstrap: 0 },
    );
    const x = board.models.find((m) => m.model === 'x');
    expect(x).toMatchObject({ battles: 2, win_rate: 0.75, ci_low: null, ci_high: null });
    expect(board.win_matrix.x).toEqual({ y: 0.75, z: null });
    expect(board.win_matrix.y.x).toBe(0.25);
    expect(board.win_matrix.y.z).toBe(1);
  });

  it('shares ranks where intervals overlap', () => {
    const votes = [
      ...simulateVotes({ count: 60, seed: 2 }).map((v) => ({ ...v, a: v.a === 'lumen-large' ? 'twin' : v.a, b: v.b === 'lumen-large' ? 'twin' : v.b })),
      ...simulateVotes({ count: 60, seed: 3 }),
    ];
    const board = buildLeaderboard(votes, { bootstrap: 300 });
    const top = board.models.filter((m) => m.model === 'twin' || m.model === 'lumen-large');
    expect(top.map((m) => m.rank)).toEqual([1, 1]);
  });

  it('offers online Elo, with intervals from resampled orders', () => {
    const board = buildLeaderboard(simulateVotes({ count: 4_000, seed: 5 }), { method: 'elo', bootstrap: 50 });
    expect(board.method).toBe('elo');
    expect(board.models[0].model).toBe('lumen-large');
    expect(board.models[4].model).toBe('sprout-nano');
    expect(board.models.reduce((s, m) => s + m.rating, 0) / 5).toBeCloseTo(1000, 1);
  });

  it('reports a length coefficient under length control, and refuses it for Elo', () => {
    const board = buildLeaderboard(simulateVotes({ count: 2_000, seed: 6 }), { lengthControl: true, bootstrap: 50 });
    expect(typeof board.length_coefficient).toBe('number');
    expect(board.length_coefficient_ci?.[0]).toBeLessThan(board.length_coefficient_ci?.[1] as number);
    expect(() => buildLeaderboard([], { method: 'elo', lengthControl: true })).toThrow(RangeError);
  });

  it('keeps a model named like an Object property in the win matrix', () => {
    const board = buildLeaderboard([{ a: '__proto__', b: 'constructor', score: 1 }], { bootstrap: 0 });
    expect(Object.keys(board.win_matrix)).toEqual(['__proto__', 'constructor']);
    expect(JSON.parse(JSON.stringify(board.win_matrix)).__proto__).toEqual({ constructor: 1 });
  });

  it('answers an empty board for no votes', () => {
    expect(buildLeaderboard([], {})).toEqual({ method: 'bt', votes: 0, models: [], win_matrix: {} });
  });
});
