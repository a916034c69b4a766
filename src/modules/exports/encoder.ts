import type { ExportOptions, ExportProject, ExportTask, ProblemSink } from './export-task.ts';
import type { ExportTarget, FileOut } from './output.ts';

/** What a format's encoder is given once, before the first task. */
export interface EncoderContext {
  target: ExportTarget;
  project: ExportProject;
  options: ExportOptions;
  problem: ProblemSink;
  /** Every metadata key of the matching tasks, sorted: only for formats that ask for them (CSV). */
  metadataKeys?: readonly string[];
  /** Export time, ms since the epoch (COCO `info.date_created`, README). */
  now: number;
}

/**
 * Streams one format: tasks arrive one at a time in id order; `add` returns how many records
 * (lines, rows, images) the task became, and may return a promise that the caller awaits
 * (backpressure); `finish` completes the files.
 */
export interface Encoder {
  add(item: ExportTask): number | Promise<number>;
  finish(): Promise<void>;
  /** Removes scratch files after a failure (the service removes the output files). */
  abort?(): void;
}

/** Awaits a write only when it asked to be awaited (the stream's buffer was full). */
export async function drained(result: Promise<void> | undefined): Promise<void> {
  if (result) await result;
}

/**
 * An encoder for line formats: each task becomes zero or more JSON records, one per line
 * (UTF-8, LF-terminated; JSON.stringify never writes NaN).
 */
export function jsonLinesEncoder(file: FileOut, recordsOf: (item: ExportTask) => readonly unknown[]): Encoder {
  return {
    add(item) {
      const records = recordsOf(item);
      let wait: Promise<void> | undefined;
      for (const record of records) wait = file.write(`${JSON.stringify(record)}\n`) ?? wait;
      return wait ? wait.then(() => records.length) : records.length;
    },
    async finish() {
      // The service closes the files it opened.
    },
  };
}

/**
 * A JSON array written element by element: `[`, elements separated by `,\n`, `]`. The document is
 * valid JSON at the end without ever holding more than one element.
 */
export class JsonArrayWriter {
  private first = true;
  constructor(
    private readonly file: FileOut,
    private readonly open = '[\n',
    private readonly close = '\n]',
  ) {}

  push(value: unknown): Promise<void> | undefined {
    const head = this.first ? this.open : ',\n';
    this.first = false;
    return this.file.write(head + JSON.stringify(value));
  }

  /** Ends the array (an empty array when nothing was pushed). */
  end(): Promise<void> | undefined {
    return this.file.write(this.first ? `${this.open.trimEnd()}]` : this.close);
  }
}
