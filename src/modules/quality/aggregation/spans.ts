/** A labelled span of text, [start, end) in character offsets. */
export interface Span {
  start: number;
  end: number;
  label: string;
}

/** One worker's full set of spans for an item (an empty list means "nothing to mark"). */
export interface SpanAnswer {
  worker: string;
  item: string;
  spans: readonly Span[];
}

/** A span kept by exact-match voting, with its support. */
export interface VotedSpan extends Span {
  votes: number;
  /** votes / answers for the item. */
  share: number;
}

/** A unit of text voted on by token-level majority. */
export interface TextUnit {
  start: number;
  end: number;
}

function groupByItem<T extends { item: string }>(answers: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const answer of answers) {
    let group = groups.get(answer.item);
    if (!group) groups.set(answer.item, (group = []));
    group.push(answer);
  }
  return groups;
}

const keyOf = (s: Span): string => `${s.start}\u0000${s.end}\u0000${s.label}`;

/**
 * Exact-match span voting: a span (same start, end and label) is kept when more than half of the
 * item's answers contain it, or, with `minShare`, when its share of answers is at least `minShare`.
 * A span repeated inside one answer counts once. Every item with an answer appears in the result
 * (possibly with no spans); spans are sorted by start, then end, then label.
 */
export function voteSpansExact(answers: readonly SpanAnswer[], opts: { minShare?: number } = {}): Map<string, VotedSpan[]> {
  const result = new Map<string, VotedSpan[]>();
  for (const [item, group] of groupByItem(answers)) {
    const votes = new Map<string, { span: Span; votes: number }>();
    for (const answer of group) {
      for (const key of new Set(answer.spans.map(keyOf))) {
        const entry = votes.get(key);
        if (entry) entry.votes++;
        else votes.set(key, { span: answer.spans.find((s) => keyOf(s) === key)!, votes: 1 });
      }
    }
    const n = group.length;
    const kept: VotedSpan[] = [];
    for (const { span, votes: count } of votes.values()) {
      const share = count / n;
      // Strict majority by default: with two answers, one vote is not a majority.
      const keep = opts.minShare === undefined ? count * 2 > n : share >= opts.minShare;
      if (keep) kept.push({ start: span.start, end: span.end, label: span.label, votes: count, share });
    }
    kept.sort((a, b) => a.start - b.start || a.end - b.end || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
    result.set(item, kept);
  }
  return result;
}

/**
 * Token-level majority: each unit of text takes the label most answers gave it, where "no span"
 * is a candidate too; a tie with "no span" leaves the unit unlabelled and a tie between labels goes
 * to the smallest label. Consecutive units with the same label merge into one span. Units are
 * `tokens.get(item)` when given (e.g. from a tokenizer; merged across the gaps between tokens),
 * otherwise the elementary segments between every span boundary any worker drew on that item (the
 * same answer as a character-level vote, computed per segment). A unit covered by two spans of one
 * answer takes the first such span's label. Every item with an answer appears in the result.
 */
export function voteSpansByToken(answers: readonly SpanAnswer[], opts: { tokens?: Map<string, readonly TextUnit[]> } = {}): Map<string, Span[]> {
  const result = new Map<string, Span[]>();
  for (const [item, group] of groupByItem(answers)) {
    const given = opts.tokens?.get(item);
    const units = given ? [...given].sort((a, b) => a.start - b.start) : segments(group);
    const spans: Span[] = [];
    let open: Span | undefined;
    for (const unit of units) {
      const counts = new Map<string, number>();
      let none = 0;
      for (const answer of group) {
        const hit = answer.spans.find((s) => s.start <= unit.start && s.end >= unit.end && s.end > s.start);
        if (hit) counts.set(hit.label, (counts.get(hit.label) ?? 0) + 1);
        else none++;
      }
      let label: string | undefined;
      let best = none;
      for (const [candidate, count] of [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        if (count > best) {
          best = count;
          label = candidate;
        }
      }
      // Segments merge only when they touch; tokens merge across the whitespace between them.
      const continues = open && label === open.label && (given !== undefined || open.end === unit.start);
      if (open && continues) open.end = unit.end;
      else {
        if (open) spans.push(open);
        open = label === undefined ? undefined : { start: unit.start, end: unit.end, label };
      }
    }
    if (open) spans.push(open);
    result.set(item, spans);
  }
  return result;
}

/** The elementary segments between consecutive distinct span boundaries of all answers. */
function segments(group: readonly SpanAnswer[]): TextUnit[] {
  const cuts = [...new Set(group.flatMap((a) => a.spans.flatMap((s) => [s.start, s.end])))].sort((a, b) => a - b);
  const units: TextUnit[] = [];
  for (let c = 0; c + 1 < cuts.length; c++) units.push({ start: cuts[c], end: cuts[c + 1] });
  return units;
}
