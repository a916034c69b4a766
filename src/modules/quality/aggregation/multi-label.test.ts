import { describe, expect, it } from 'vitest';
import { aggregateMultiLabel } from './index.ts';

describe('aggregateMultiLabel', () => {
  it('keeps each label a majority ticked, deciding every label on its own', () => {
    const result = aggregateMultiLabel([
      { worker: 'a', item: 'photo', labels: ['dog', 'grass'] },
      { worker: 'b', item: 'photo', labels: ['dog'] },
      { worker: 'c', item: 'photo', labels: ['dog', 'grass', 'ball'] },
    ]);
    const photo = result.get('photo')!;
    expect(photo.labels).toEqual(['dog', 'grass']);
    expect(photo.scores).toEqual({ ball: 1 / 3, dog: 1, grass: 2 / 3 });
  });

  it('leaves off a label the workers split on evenly, and keeps items with no labels', () => {
    const result = aggregateMultiLabel([
      { worker: 'a', item: 'x', labels: ['red'] },
      { worker: 'b', item: 'x', labels: [] },
      { worker: 'a', item: 'y', labels: [] },
    ]);
    expect(result.get('x')!.labels).toEqual([]);
    expect(result.get('y')!.labels).toEqual([]);
  });

  it('can aggregate each label with Dawid-Skene', () => {
    const result = aggregateMultiLabel(
      [
        { worker: 'a', item: 'x', labels: ['red'] },
        { worker: 'b', item: 'x', labels: ['red'] },
        { worker: 'c', item: 'x', labels: [] },
      ],
      { method: 'ds' },
    );
    expect(result.get('x')!.labels).toEqual(['red']);
  });
});
