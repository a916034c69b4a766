import { describe, expect, it } from 'vitest';
import { codePointSlice } from '../shared/task-types.ts';
import { codePointToUtf16, graphemeBoundaries, isRtlText, overlapsAny, segmentText, snapDown, snapUp, spansAt, stepBoundary, trimRange, utf16ToCodePoint, wordBoundaries } from './text.ts';

const FAMILY = '👩‍👩‍👧'; // 5 code points, 8 UTF-16 units, 1 grapheme
const TEXT = `Ada ${FAMILY} visited القاهرة and the cafe\u0301 🇫🇷.`;

describe('code-point offsets', () => {
  it('converts UTF-16 offsets to code points and back', () => {
    const utf16 = TEXT.indexOf('visited');
    const cp = utf16ToCodePoint(TEXT, utf16);
    expect(cp).toBe(4 + 5 + 1);
    expect(codePointToUtf16(TEXT, cp)).toBe(utf16);
    expect(codePointSlice(TEXT, cp, cp + 7)).toBe('visited');
  });

  it('rounds an offset inside a surrogate pair down to the character start', () => {
    expect(utf16ToCodePoint('😀x', 1)).toBe(0);
    expect(utf16ToCodePoint('😀x', 2)).toBe(1);
  });

  it('keeps emoji sequences, combining accents and flags whole', () => {
    const b = graphemeBoundaries(TEXT);
    const family = 4;
    expect(b).toContain(family);
    expect(b).toContain(family + 5);
    for (let i = 1; i < 5; i++) expect(b).not.toContain(family + i);
    const cps = Array.from(TEXT);
    const accent = cps.indexOf('\u0301');
    expect(b).not.toContain(accent);
    expect(snapDown(b, accent)).toBe(accent - 1);
    expect(snapUp(b, accent)).toBe(accent + 1);
    const flag = cps.indexOf('🇫');
    expect(b).not.toContain(flag + 1);
    expect(stepBoundary(b, flag, 1)).toBe(flag + 2);
    expect(stepBoundary(b, flag + 2, -1)).toBe(flag);
  });

  it('finds word edges, Arabic included', () => {
    const w = wordBoundaries(TEXT);
    const start = utf16ToCodePoint(TEXT, TEXT.indexOf('القاهرة'));
    expect(w).toContain(start);
    expect(w).toContain(start + 7);
  });

  it('trims white space off a selection', () => {
    const cps = Array.from('  Ada  ');
    expect(trimRange(cps, 0, 7)).toEqual([2, 5]);
  });

  it('cuts text into pieces at every span edge, overlapping spans included', () => {
    const spans = [
      { start: 0, end: 10, label: 'A' },
      { start: 4, end: 6, label: 'B' },
    ];
    const pieces = segmentText(12, spans, { start: 8, end: 11 });
    expect(pieces.map((p) => [p.start, p.end])).toEqual([
      [0, 4],
      [4, 6],
      [6, 8],
      [8, 10],
      [10, 11],
      [11, 12],
    ]);
    expect(pieces[1].spans).toEqual([0, 1]);
    expect(pieces[3].selected).toBe(true);
    expect(overlapsAny(spans, 10, 12)).toBe(false);
    expect(overlapsAny(spans, 9, 12)).toBe(true);
    expect(spansAt(spans, 5)).toEqual([1, 0]);
  });

  it('tells right-to-left text by its first strong letter', () => {
    expect(isRtlText('القاهرة Cairo')).toBe(true);
    expect(isRtlText('123 Cairo القاهرة')).toBe(false);
  });
});
