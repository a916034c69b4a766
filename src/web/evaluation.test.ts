import { describe, expect, it } from 'vitest';
import { controlsFromSearch, controlsToSearch, DEFAULT_CONTROLS, labelsInUse, leaderboardQuery, niceTicks, rateShade, ratingExtent } from './evaluation.ts';

describe('leaderboard controls', () => {
  it('reads the defaults from an empty search', () => {
    expect(controlsFromSearch('', [])).toEqual(DEFAULT_CONTROLS);
  });

  it('reads every control back from the search it wrote', () => {
    const c = { method: 'bt', votes: 'reviewed', lengthControl: true, criterion: 'clarity' } as const;
    expect(controlsFromSearch(controlsToSearch(c), ['accuracy', 'clarity'])).toEqual(c);
  });

  it('ignores unknown values and criteria the project does not have', () => {
    expect(controlsFromSearch('?method=glicko&votes=all&criterion=style', ['clarity'])).toEqual(DEFAULT_CONTROLS);
  });

  it('keeps any criterion while the project is not known yet', () => {
    expect(controlsFromSearch('?criterion=style').criterion).toBe('style');
  });

  it('never asks for length control with Elo, which the server refuses', () => {
    expect(controlsFromSearch('?method=elo&length_control=true', []).lengthControl).toBe(false);
    expect(leaderboardQuery({ ...DEFAULT_CONTROLS, method: 'elo', lengthControl: true }).length_control).toBeUndefined();
  });

  it('leaves defaults out of the query and the address', () => {
    expect(leaderboardQuery(DEFAULT_CONTROLS)).toEqual({ method: undefined, votes: undefined, length_control: undefined, criterion: undefined });
    expect(controlsToSearch(DEFAULT_CONTROLS)).toBe('');
    expect(controlsToSearch({ ...DEFAULT_CONTROLS, method: 'elo' })).toBe('?method=elo');
  });
});

describe('axis ticks', () => {
  it('covers the range with round steps', () => {
    const { ticks, domain } = niceTicks(812, 1187, 5);
    expect(ticks).toEqual([800, 900, 1000, 1100, 1200]);
    expect(domain).toEqual([800, 1200]);
  });

  it('widens a single value into a range', () => {
    const { ticks, domain } = niceTicks(1000, 1000, 4);
    expect(domain[0]).toBeLessThan(1000);
    expect(domain[1]).toBeGreaterThan(1000);
    expect(ticks).toContain(1000);
  });

  it('keeps decimal steps free of float noise', () => {
    expect(niceTicks(0.1, 0.5, 4).ticks).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]);
  });

  it('spans every rating and interval end', () => {
    const row = (rating: number, low: number | null, high: number | null) => ({ model: 'm', rating, ci_low: low, ci_high: high, rank: 1, rank_range: [1, 1] as [number, number], battles: 1, win_rate: 0.5 });
    expect(ratingExtent([row(1000, 950, 1060), row(900, null, null), row(1100, 1020, 1210)])).toEqual([900, 1210]);
    expect(ratingExtent([])).toEqual([1000, 1000]);
  });
});

describe('win-rate shading', () => {
  it('is white at an even record and deepens towards either end', () => {
    expect(rateShade(0.5)).toBe('rgb(255 255 255)');
    const green = (s: string) => Number(s.match(/\d+/g)?.[0]);
    expect(green(rateShade(0.9))).toBeLessThan(green(rateShade(0.7)));
    expect(rateShade(1)).not.toBe(rateShade(0));
  });
});

describe('label columns', () => {
  it('keeps only labels that some response got, in the report order', () => {
    const cell = (count: number) => ({ count, rate: 0, ci_low: 0, ci_high: 0 });
    const rows = [
      { model: 'm', topic: 't', language: 'en', control: false, n: 2, refusal: cell(1), labels: { answered_factual: cell(1), deflection: cell(0), refusal_canned: cell(1) } },
    ];
    expect(labelsInUse({ labels: ['answered_factual', 'deflection', 'refusal_canned'], rows })).toEqual(['answered_factual', 'refusal_canned']);
  });
});
