import { type Encoder, jsonLinesEncoder } from './encoder.ts';
import type { PresentedTask, ProblemSink } from './export-task.ts';
import type { FileOut } from './output.ts';
import { nerSpans, nerText } from './spans.ts';

/**
 * `spacy_jsonl`: `{"text", "entities": [[start, end, label]]}`. Offsets are code points, end
 * exclusive: what Python's str indexes, so `doc.char_span(start, end)` finds the entity as is.
 */
export function spacyRecord(task: PresentedTask, problem?: ProblemSink): { text: string; entities: [number, number, string][] } | undefined {
  const spans = nerSpans(task, problem);
  if (!spans) return undefined;
  return { text: nerText(task), entities: spans.map((s) => [s.start, s.end, s.label]) };
}

export function spacyEncoder(file: FileOut, problem: ProblemSink): Encoder {
  return jsonLinesEncoder(file, (item) => {
    const record = spacyRecord(item.task, problem);
    return record ? [record] : [];
  });
}
