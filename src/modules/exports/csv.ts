import type { Encoder } from './encoder.ts';
import { answerOf, answersCountOf, confidenceOf, type PresentedTask, type ProblemSink } from './export-task.ts';
import type { FileOut } from './output.ts';

/** RFC 4180 field: quoted when it holds a comma, a quote or a line break, quotes doubled. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** A metadata value as a cell: strings as they are, other values as JSON, missing as empty. */
function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  return JSON.stringify(value);
}

/** The header row: id, unique_id, answer, confidence, n_answers, then `metadata.<key>` per key. */
export function csvHeader(metadataKeys: readonly string[]): string {
  return `${['id', 'unique_id', 'answer', 'confidence', 'n_answers', ...metadataKeys.map((k) => `metadata.${k}`)].map(csvField).join(',')}\r\n`;
}

/**
 * A task's answer as one cell: the category; several categories joined with `;` (as the CSV
 * importer splits tags); ratings as a JSON object of criterion to value. Undefined when it has none.
 */
export function csvAnswer(task: PresentedTask): string | undefined {
  const answer = answerOf(task);
  if (!answer) return undefined;
  if (typeof answer.category === 'string') return answer.category;
  if (Array.isArray(answer.categories)) return answer.categories.map(String).join(';');
  if (answer.ratings && typeof answer.ratings === 'object') return JSON.stringify(answer.ratings);
  return undefined;
}

/** One CSV row (CRLF-terminated, RFC 4180) for a categorization or rating task. */
export function csvRow(task: PresentedTask, metadataKeys: readonly string[], problem?: ProblemSink): string | undefined {
  const answer = csvAnswer(task);
  if (answer === undefined) {
    problem?.(task.task_id, 'no_answer', 'the task has no aggregated answer');
    return undefined;
  }
  const confidence = confidenceOf(task);
  const n = answersCountOf(task);
  const metadata = (task.metadata ?? {}) as Record<string, unknown>;
  const cells = [task.task_id, task.unique_id ?? '', answer, confidence === null ? '' : String(confidence), n === null ? '' : String(n), ...metadataKeys.map((k) => cell(metadata[k]))];
  return `${cells.map(csvField).join(',')}\r\n`;
}

/** Every top-level metadata key of the given metadata objects, into `keys`. */
export function collectMetadataKeys(metadata: unknown, keys: Set<string>): void {
  if (metadata && typeof metadata === 'object' && !Array.isArray(metadata)) for (const k of Object.keys(metadata)) keys.add(k);
}

/** `csv`: the header (metadata columns known up front), then one row per task with an answer. */
export function csvEncoder(file: FileOut, metadataKeys: readonly string[], problem: ProblemSink): Encoder {
  let headed = false;
  return {
    add(item) {
      if (!headed) {
        file.write(csvHeader(metadataKeys));
        headed = true;
      }
      const row = csvRow(item.task, metadataKeys, problem);
      if (row === undefined) return 0;
      const wait = file.write(row);
      return wait ? wait.then(() => 1) : 1;
    },
    async finish() {
      if (!headed) await file.write(csvHeader(metadataKeys));
    },
  };
}
