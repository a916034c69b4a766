import { describe, expect, it } from 'vitest';
import { aggregateBoxes, iou } from './index.ts';

const box = (x: number, y: number, width: number, height: number, label = 'car') => ({ x, y, width, height, label });

describe('iou', () => {
  it('is 1 for identical boxes, 0 for disjoint ones and 1/7 for two half-overlapping squares', () => {
    expect(iou(box(0, 0, 10, 10), box(0, 0, 10, 10))).toBe(1);
    expect(iou(box(0, 0, 10, 10), box(20, 20, 5, 5))).toBe(0);
    expect(iou(box(0, 0, 10, 10), box(5, 5, 10, 10))).toBeCloseTo(25 / 175, 12);
  });
});

describe('aggregateBoxes', () => {
  it('clusters matching boxes, takes median edges and the majority label', () => {
    const result = aggregateBoxes([
      { worker: 'a', item: 'img', boxes: [box(10, 10, 100, 50), box(300, 300, 20, 20, 'cat')] },
      { worker: 'b', item: 'img', boxes: [box(12, 8, 100, 52)] },
      { worker: 'c', item: 'img', boxes: [box(8, 12, 104, 50, 'truck')] },
    ]);
    // Median edges: left (10, 12, 8) -> 10, right (110, 112, 112) -> 112, top 10, bottom 60.
    // The lone cat box has one vote of three and is dropped.
    expect(result.get('img')).toEqual([{ x: 10, y: 10, width: 102, height: 50, label: 'car', support: 3, share: 1, labelShare: 2 / 3 }]);
  });

  it('never puts two boxes from one answer in the same cluster', () => {
    const result = aggregateBoxes([
      { worker: 'a', item: 'img', boxes: [box(0, 0, 10, 10), box(1, 1, 10, 10)] },
      { worker: 'b', item: 'img', boxes: [box(0, 0, 10, 10), box(1, 1, 10, 10)] },
    ]);
    expect(result.get('img')!.map((b) => b.support)).toEqual([2, 2]);
  });

  it('does not match boxes below the IoU threshold', () => {
    const result = aggregateBoxes([
      { worker: 'a', item: 'img', boxes: [box(0, 0, 10, 10)] },
      { worker: 'b', item: 'img', boxes: [box(5, 5, 10, 10)] },
    ]);
    expect(result.get('img')).toEqual([]);
  });
});
