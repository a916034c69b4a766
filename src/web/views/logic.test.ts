import { describe, expect, it } from 'vitest';
import { moveItem, orderFromGroups, rankingGroups, rubricTotals, shuffled, uuid } from './logic.ts';

describe('workbench arithmetic', () => {
  it('totals a rubric over the criteria that apply, with a percentage from each scale', () => {
    const criteria = [
      { id: 'a', description: '', weight: 2, scale: { min: 0, max: 4 } },
      { id: 'b', description: '', weight: 1, scale: { min: 1, max: 5 } },
      { id: 'c', description: '', weight: 3, scale: { min: 0, max: 2 } },
    ];
    expect(rubricTotals(criteria, { a: { score: 4 }, b: { score: 1 }, c: { not_applicable: true } })).toEqual({ total_score: 9, percentage: (100 * 8) / 12 > 0 ? Math.round(((100 * 8) / 12) * 1e6) / 1e6 : 0 });
    expect(rubricTotals(criteria, { a: { score: 4 }, b: { score: 5 }, c: { score: 2 } }).percentage).toBe(100);
    expect(rubricTotals(criteria, { a: { score: 0 }, b: { score: 1 }, c: { score: 0 } }).percentage).toBe(0);
    expect(rubricTotals(criteria, { a: { not_applicable: true } })).toEqual({ total_score: 0 });
  });

  it('turns an order with ties into ordered groups and back', () => {
    const groups = rankingGroups(['x', 'y', 'z', 'w'], new Set(['z']));
    expect(groups).toEqual([['x'], ['y', 'z'], ['w']]);
    const back = orderFromGroups(groups);
    expect(back.order).toEqual(['x', 'y', 'z', 'w']);
    expect([...back.tied]).toEqual(['z']);
  });

  it('moves an item', () => {
    expect(moveItem(['a', 'b', 'c'], 0, 2)).toEqual(['b', 'c', 'a']);
    expect(moveItem(['a', 'b', 'c'], 2, 0)).toEqual(['c', 'a', 'b']);
  });

  it('shuffles into every order over many tries', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) seen.add(shuffled(['a', 'b']).join());
    expect(seen).toEqual(new Set(['a,b', 'b,a']));
  });

  it('makes version 4 UUIDs', () => {
    expect(uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
