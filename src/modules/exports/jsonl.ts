import { randomBytes } from 'node:crypto';
import { presentTask } from '../tasks/index.ts';
import { type Encoder, jsonLinesEncoder } from './encoder.ts';
import type { PresentedTask, StoredTask } from './export-task.ts';
import type { FileOut } from './output.ts';

/** `jsonl`: one line per task, exactly the object `GET /v1/task/{id}` returns, LF-terminated. */
export function jsonlLine(task: PresentedTask): string {
  return `${JSON.stringify(task)}\n`;
}

/**
 * The stored columns that hold JSON text, as presentTask parses them. A JSON column not listed is
 * simply parsed by presentTask as usual; a column listed but absent from the row is skipped.
 */
const JSON_COLUMNS = ['attachments', 'metadata', 'tags', 'params', 'response', 'result', 'predictions', 'expected_response'] as const;
type JsonColumn = (typeof JSON_COLUMNS)[number];

/**
 * Writes a stored task's JSONL line without parsing and re-serialising the JSON it already holds
 * (attachments, metadata, params, response, result...), which is most of the cost of presenting a
 * task. presentTask itself still lays the line out: it runs on a copy of the row whose JSON
 * columns are replaced by markers (a string, or a one-key object where presentTask spreads the
 * value), and the stored text is spliced where each marker lands. Markers carry a random nonce, and
 * every other value in the template is a JSON-escaped scalar, so a marker cannot be imitated.
 *
 * Params merged over project presets are left to presentTask (it parses and merges them as usual).
 * Used only while it provably agrees with the plain path: `line` returns undefined for a row it
 * cannot splice (stored text with a line break), and the
 * caller checks one row per page against `JSON.stringify(presentTask(row))`, dropping the splicer
 * for good on any difference (stored JSON not in JSON.stringify's canonical form, or a presentTask
 * that changed in a way splicing cannot follow).
 */
export class JsonlSplicer {
  private readonly nonce = randomBytes(9).toString('hex');
  private readonly pattern = new RegExp(`"\\\\u0000${this.nonce}:(\\w+)"|\\{"\\\\u0000${this.nonce}":"(\\w+)"\\}`, 'g');
  private readonly stringMarker: Record<JsonColumn, string>;
  private readonly objectMarker: string;
  private readonly spliceParams: boolean;

  constructor(private readonly projectParams: Record<string, unknown>) {
    this.stringMarker = Object.fromEntries(JSON_COLUMNS.map((c) => [c, JSON.stringify(`\u0000${this.nonce}:${c}`)])) as Record<JsonColumn, string>;
    this.objectMarker = JSON.stringify({ [`\u0000${this.nonce}`]: 'params' });
    // presentTask merges params over the project's presets; only a merge with nothing can be spliced.
    this.spliceParams = Object.keys(projectParams).length === 0;
  }

  /** The line (LF-terminated) for a stored task, or undefined when this row must take the plain path. */
  line(row: StoredTask): string | undefined {
    const fields = row as unknown as Record<string, unknown>;
    const raw: Partial<Record<JsonColumn, string>> = {};
    for (const column of JSON_COLUMNS) {
      const text = fields[column];
      if (typeof text !== 'string' || (column === 'params' && !this.spliceParams)) continue;
      // JSONL needs one line per task: stored text with a line break would split it.
      if (text.includes('\n') || text.includes('\r')) return undefined;
      raw[column] = text;
    }
    // Markers go into the row itself and come out again before anyone else sees it: a copy of a
    // 30-column row per task would cost more than the splicing saves.
    for (const column in raw) fields[column] = column === 'params' ? this.objectMarker : this.stringMarker[column as JsonColumn];
    let template: string;
    try {
      template = JSON.stringify(presentTask(row, this.projectParams));
    } finally {
      for (const column in raw) fields[column] = raw[column as JsonColumn];
    }
    return `${template.replace(this.pattern, (_m, a: string | undefined, b: string | undefined) => raw[(a ?? b) as JsonColumn] ?? 'null')}\n`;
  }
}

/**
 * The `jsonl` encoder: every task, one line each. Stored rows go through a JsonlSplicer, checked
 * against the plain path on the first row of every 1,000.
 */
export function jsonlEncoder(file: FileOut, projectParams: Record<string, unknown>): Encoder {
  let splicer: JsonlSplicer | undefined = new JsonlSplicer(projectParams);
  let sinceCheck = Number.POSITIVE_INFINITY;
  const plain = jsonLinesEncoder(file, (item) => [item.task]);
  return {
    add(item) {
      let line: string | undefined;
      if (splicer && item.row) {
        line = splicer.line(item.row);
        if (line !== undefined && ++sinceCheck >= 1000) {
          sinceCheck = 0;
          if (line !== jsonlLine(item.task)) {
            splicer = undefined;
            line = undefined;
          }
        }
      }
      if (line === undefined) return plain.add(item);
      const wait = file.write(line);
      return wait ? wait.then(() => 1) : 1;
    },
    finish: () => plain.finish(),
  };
}
