import { describe, expect, it } from 'vitest';
import { iou, scoreGold } from './gold-scoring.ts';

describe('gold scoring', () => {
  it('matches single categories exactly and multi-label sets as sets', () => {
    expect(scoreGold('categorization', {}, { category: 'dog' }, { category: 'dog' })).toEqual({ correct: true, score: 1 });
    expect(scoreGold('categorization', {}, { category: 'dog' }, { category: 'cat' })).toEqual({ correct: false, score: 0 });
    expect(scoreGold('categorization', {}, { categories: ['a', 'b'] }, { categories: ['b', 'a'] }).correct).toBe(true);
    expect(scoreGold('categorization', {}, { categories: ['a', 'b'] }, { categories: ['a'] })).toEqual({ correct: false, score: 0.5 });
  });

  it('computes IoU of boxes', () => {
    const a = { label: 'car', left: 0, top: 0, width: 10, height: 10 };
    expect(iou(a, a)).toBe(1);
    expect(iou(a, { ...a, left: 5 })).toBeCloseTo(50 / 150);
    expect(iou(a, { ...a, left: 20 })).toBe(0);
  });

  it('accepts boxes at IoU >= 0.5 with the right label, and refuses extra or missing boxes', () => {
    const want = { annotations: [{ type: 'box', label: 'car', left: 10, top: 10, width: 100, height: 50 }] };
    const close = { annotations: [{ type: 'box', label: 'car', left: 14, top: 12, width: 100, height: 50 }] };
    const wrongLabel = { annotations: [{ type: 'box', label: 'person', left: 10, top: 10, width: 100, height: 50 }] };
    const far = { annotations: [{ type: 'box', label: 'car', left: 80, top: 10, width: 100, height: 50 }] };
    expect(scoreGold('imageannotation', {}, want, close).correct).toBe(true);
    expect(scoreGold('imageannotation', {}, want, wrongLabel).correct).toBe(false);
    expect(scoreGold('imageannotation', {}, want, far).correct).toBe(false);
    expect(scoreGold('imageannotation', {}, want, { annotations: [...close.annotations, ...far.annotations] })).toEqual({ correct: false, score: 2 / 3 });
  });

  it('scores spans by F1 over exact (start, end, label)', () => {
    const want = { spans: [{ start: 0, end: 3, label: 'PER', text: 'Ada' }, { start: 10, end: 16, label: 'LOC', text: 'London' }] };
    expect(scoreGold('namedentityrecognition', {}, want, want)).toEqual({ correct: true, score: 1 });
    const half = { spans: [{ start: 0, end: 3, label: 'PER', text: 'Ada' }] };
    expect(scoreGold('namedentityrecognition', {}, want, half).score).toBeCloseTo(2 / 3);
    expect(scoreGold('namedentityrecognition', { gold_f1: 0.6 }, want, half).correct).toBe(true);
  });

  it('scores rankings by pairwise agreement and leaves free writing unscored', () => {
    expect(scoreGold('ranking', {}, { ranking: [['a'], ['b'], ['c']] }, { ranking: [['a'], ['c'], ['b']] }).score).toBeCloseTo(2 / 3);
    expect(scoreGold('sft', {}, { completion: [] }, { completion: [] })).toEqual({ correct: null, score: null });
  });
});
