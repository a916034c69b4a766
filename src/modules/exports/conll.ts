import { drained, type Encoder } from './encoder.ts';
import type { PresentedTask, ProblemSink } from './export-task.ts';
import type { FileOut } from './output.ts';
import { type EntitySpan, nerSpans, nerText } from './spans.ts';

/** A token with its code-point offsets in the text, end exclusive. */
export interface Token {
  text: string;
  start: number;
  end: number;
}

const graphemes = new Intl.Segmenter('und', { granularity: 'grapheme' });
const SPACE = /^\s+$/u;
// A word continues through letters, digits and combining marks; a grapheme cluster keeps a base
// letter with its marks, an emoji with its modifiers and joiners, so neither is ever cut in two.
const WORDLIKE = /^[\p{L}\p{N}\p{M}]/u;

/**
 * Splits text on whitespace and punctuation: runs of letters, digits and marks are words; every
 * other visible grapheme (punctuation, symbols, emoji) is a token of its own. Offsets count code
 * points, so they agree with the task's spans whatever the script. `cuts` are offsets where a token
 * must end (entity boundaries that fall inside a word, e.g. a prefix or a clitic).
 */
export function tokenize(text: string, cuts: ReadonlySet<number> = new Set()): Token[] {
  const tokens: Token[] = [];
  let offset = 0;
  let word: Token | undefined;
  for (const { segment } of graphemes.segment(text)) {
    let length = 0;
    for (const _ of segment) length++;
    const start = offset;
    offset += length;
    if (SPACE.test(segment)) {
      word = undefined;
      continue;
    }
    if (WORDLIKE.test(segment)) {
      if (word && !cuts.has(start)) {
        word.text += segment;
        word.end = offset;
      } else {
        word = { text: segment, start, end: offset };
        tokens.push(word);
      }
      continue;
    }
    word = undefined;
    tokens.push({ text: segment, start, end: offset });
  }
  return tokens;
}

// Sentence-final punctuation in the scripts the workbench serves (Latin, CJK, Arabic, Urdu, Devanagari...).
const SENTENCE_END = new Set(['.', '!', '?', '…', '。', '！', '？', '؟', '۔', '।', '॥']);

/**
 * IOB2 tags for tokens: a token that overlaps a span is B- on the span's first token and I- after.
 * Overlapping spans cannot be expressed in IOB2: the earliest (then longest) wins and the others are
 * reported as `overlapping_span`.
 */
export function iob2Tags(tokens: readonly Token[], spans: readonly EntitySpan[], taskId = '', problem?: ProblemSink): string[] {
  const tags = tokens.map(() => 'O');
  let covered = -1;
  for (const span of spans) {
    if (span.start < covered) {
      problem?.(taskId, 'overlapping_span', `span ${span.start}-${span.end} (${span.label}) overlaps another; IOB2 keeps the first`);
      continue;
    }
    let first = true;
    for (let i = 0; i < tokens.length; i++) {
      if (tokens[i].end <= span.start || tokens[i].start >= span.end) continue;
      tags[i] = `${first ? 'B' : 'I'}-${span.label}`;
      first = false;
    }
    covered = span.end;
  }
  return tags;
}

/**
 * One task as CoNLL lines: `token<TAB>tag`, a blank line after every sentence. Sentences end after
 * sentence-final punctuation outside an entity, and at the end of the task's text.
 */
export function conllDocument(text: string, spans: readonly EntitySpan[], taskId = '', problem?: ProblemSink): string {
  const cuts = new Set<number>();
  for (const s of spans) cuts.add(s.start).add(s.end);
  const tokens = tokenize(text, cuts);
  const tags = iob2Tags(tokens, spans, taskId, problem);
  let out = '';
  let open = false;
  for (let i = 0; i < tokens.length; i++) {
    out += `${tokens[i].text}\t${tags[i]}\n`;
    open = true;
    if (tags[i] === 'O' && SENTENCE_END.has(tokens[i].text) && !SENTENCE_END.has(tokens[i + 1]?.text ?? '')) {
      out += '\n';
      open = false;
    }
  }
  if (open) out += '\n';
  return out;
}

/** `conll`: every task's text as token/tag lines, sentences separated by blank lines. */
export function conllEncoder(file: FileOut, problem: ProblemSink): Encoder {
  return {
    add(item) {
      const task: PresentedTask = item.task;
      const spans = nerSpans(task, problem);
      if (!spans) return 0;
      const doc = conllDocument(nerText(task), spans, task.task_id, problem);
      if (!doc) return 0;
      const wait = file.write(doc);
      return wait ? drained(wait).then(() => 1) : 1;
    },
    async finish() {},
  };
}
