/*
 * Text offsets for span annotation. Answers count CODE POINTS, end exclusive (API.md), while the DOM
 * counts UTF-16 units and people see grapheme clusters (an emoji family, a letter with its combining
 * accent, a flag). Everything here converts between the three so a span never splits a character.
 */

/** The text as code points (Array.from iterates by code point). */
export function codePoints(text: string): string[] {
  return Array.from(text);
}

/** Code points in text.slice(0, utf16). An offset in the middle of a surrogate pair rounds down. */
export function utf16ToCodePoint(text: string, utf16: number): number {
  let offset = Math.max(0, Math.min(utf16, text.length));
  const before = text.charCodeAt(offset - 1);
  const at = text.charCodeAt(offset);
  if (offset > 0 && before >= 0xd800 && before <= 0xdbff && at >= 0xdc00 && at <= 0xdfff) offset--;
  let n = 0;
  for (let i = 0; i < offset; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < offset) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** The UTF-16 offset of code point `cp` (clamped to the text). */
export function codePointToUtf16(text: string, cp: number): number {
  let units = 0;
  let n = 0;
  for (const ch of text) {
    if (n >= cp) break;
    units += ch.length;
    n++;
  }
  return units;
}

type Segmenter = { segment(text: string): Iterable<{ segment: string; index: number; isWordLike?: boolean }> };
function segmenter(granularity: 'grapheme' | 'word'): Segmenter | undefined {
  const Ctor = (Intl as unknown as { Segmenter?: new (locale?: string, options?: { granularity: string }) => Segmenter }).Segmenter;
  return Ctor ? new Ctor(undefined, { granularity }) : undefined;
}

/**
 * Code-point offsets where user-perceived characters start, plus the text's length: [0, ..., n].
 * Uses Intl.Segmenter; without it, combining marks, variation selectors and ZWJ sequences still
 * stay with the character before them.
 */
export function graphemeBoundaries(text: string): number[] {
  const out: number[] = [];
  const seg = segmenter('grapheme');
  if (seg) {
    let cp = 0;
    for (const s of seg.segment(text)) {
      out.push(cp);
      cp += codePoints(s.segment).length;
    }
    out.push(cp);
    return out;
  }
  const cps = codePoints(text);
  for (let i = 0; i < cps.length; i++) {
    const joins = i > 0 && (/\p{M}|\u200d|[\ufe00-\ufe0f]/u.test(cps[i]) || cps[i - 1] === '\u200d');
    if (!joins) out.push(i);
  }
  out.push(cps.length);
  return out;
}

/** Code-point offsets where words start and end (for jumping word by word), sorted, with 0 and n. */
export function wordBoundaries(text: string): number[] {
  const seg = segmenter('word');
  const n = codePoints(text).length;
  const set = new Set<number>([0, n]);
  if (seg) {
    for (const s of seg.segment(text)) {
      if (!s.isWordLike) continue;
      const start = utf16ToCodePoint(text, s.index);
      set.add(start);
      set.add(start + codePoints(s.segment).length);
    }
  } else {
    const cps = codePoints(text);
    for (let i = 1; i < n; i++) if (/\s/u.test(cps[i]) !== /\s/u.test(cps[i - 1])) set.add(i);
  }
  return [...set].sort((a, b) => a - b);
}

/** The largest boundary <= cp. */
export function snapDown(boundaries: readonly number[], cp: number): number {
  let best = boundaries[0] ?? 0;
  for (const b of boundaries) if (b <= cp) best = b;
  return best;
}

/** The smallest boundary >= cp. */
export function snapUp(boundaries: readonly number[], cp: number): number {
  for (const b of boundaries) if (b >= cp) return b;
  return boundaries[boundaries.length - 1] ?? 0;
}

/** The next (dir 1) or previous (dir -1) boundary from cp. */
export function stepBoundary(boundaries: readonly number[], cp: number, dir: 1 | -1): number {
  if (dir > 0) {
    for (const b of boundaries) if (b > cp) return b;
    return boundaries[boundaries.length - 1] ?? cp;
  }
  let best = boundaries[0] ?? 0;
  for (const b of boundaries) if (b < cp) best = b;
  return best;
}

/** [start, end) without leading or trailing white space (whole code points). */
export function trimRange(cps: readonly string[], start: number, end: number): [number, number] {
  let a = start;
  let b = end;
  while (a < b && /\s/u.test(cps[a])) a++;
  while (b > a && /\s/u.test(cps[b - 1])) b--;
  return [a, b];
}

export interface Span {
  start: number;
  end: number;
  label: string;
}

export interface TextSegment {
  start: number;
  end: number;
  /** Indexes into the span list of the spans covering this piece, outermost (longest) first. */
  spans: number[];
  selected: boolean;
}

/** Cuts [0, length) at every span and selection edge (and extra cuts), so each piece has one set of covering spans. */
export function segmentText(length: number, spans: readonly Span[], selection?: { start: number; end: number }, extraCuts: readonly number[] = []): TextSegment[] {
  const cuts = new Set<number>([0, length]);
  for (const c of extraCuts) if (c > 0 && c < length) cuts.add(c);
  for (const s of spans) {
    cuts.add(Math.max(0, Math.min(length, s.start)));
    cuts.add(Math.max(0, Math.min(length, s.end)));
  }
  if (selection && selection.end > selection.start) {
    cuts.add(selection.start);
    cuts.add(selection.end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const out: TextSegment[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const start = points[i];
    const end = points[i + 1];
    const covering = spans
      .map((s, index) => ({ s, index }))
      .filter(({ s }) => s.start <= start && s.end >= end)
      .sort((x, y) => y.s.end - y.s.start - (x.s.end - x.s.start))
      .map(({ index }) => index);
    out.push({ start, end, spans: covering, selected: !!selection && selection.start <= start && selection.end >= end && selection.end > selection.start });
  }
  return out;
}

/** True when [start, end) overlaps any span (touching ends do not overlap). */
export function overlapsAny(spans: readonly Span[], start: number, end: number): boolean {
  return spans.some((s) => s.start < end && start < s.end);
}

/** The spans containing code point offset cp (start <= cp < end), shortest first. */
export function spansAt(spans: readonly Span[], cp: number): number[] {
  return spans
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => s.start <= cp && cp < s.end)
    .sort((a, b) => a.s.end - a.s.start - (b.s.end - b.s.start))
    .map(({ i }) => i);
}

/** True when the text's first strong character is right-to-left (Arabic, Hebrew...). */
export function isRtlText(text: string): boolean {
  const m = /[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}]|[\p{L}]/u.exec(text);
  return !!m && /[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}]/u.test(m[0]);
}
