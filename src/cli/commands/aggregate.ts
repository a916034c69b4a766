import { createReadStream } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parse } from 'csv-parse';
import { aggregate, DEFAULT_METHOD, isMethod, METHODS, type Answer, type CategoricalResult, type Method } from '../../modules/quality/aggregation/index.ts';

/** Options of `tessera aggregate`, as the command line gives them. */
export interface AggregateCommandOptions {
  /** Answers CSV with a header row naming at least worker, item and label. */
  input: string;
  /** Method name (default DEFAULT_METHOD). */
  method?: string;
  /** Gold CSV (item,label): accuracy is printed to `stderr`. Gold is only for scoring, never fitted on. */
  gold?: string;
  /** Write item,label,confidence here; to `stdout` when omitted. */
  out?: string;
  /** Write worker skills (worker,answers,accuracy[,confusion cells]) here. */
  workers?: string;
  stdout?: { write(chunk: string): unknown };
  stderr?: { write(chunk: string): unknown };
}

/** What one run did, for callers and tests. */
export interface AggregateSummary {
  method: Method;
  answers: number;
  items: number;
  workers: number;
  iterations: number;
  /** Present when gold was given: correct / scored, over gold items that have answers. */
  accuracy?: { correct: number; scored: number; value: number };
}

/** A problem with the user's input: the CLI prints the message on one line and exits with code 2. */
export class AggregateInputError extends Error {
  readonly exitCode = 2;
}

/** RFC 4180 field: quoted when it holds a comma, quote or line break, quotes doubled. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Six decimals are far below any difference that matters and keep the file small. */
function csvNumber(value: number): string {
  return Number.isFinite(value) ? String(Math.round(value * 1e6) / 1e6) : '';
}

/**
 * Streams a CSV with a header row and yields the named columns of each row. Throws
 * AggregateInputError naming the file and line for a missing file, a missing column, a malformed row
 * or an empty required value.
 */
async function* readColumns(path: string, columns: readonly string[]): AsyncGenerator<string[]> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new AggregateInputError(`${path}: not a file`);
  } catch (error) {
    if (error instanceof AggregateInputError) throw error;
    throw new AggregateInputError(`${path}: cannot read file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const parser = createReadStream(path).pipe(
    parse({
      bom: true,
      trim: true,
      skip_empty_lines: true,
      // Per-record line numbers, so an error names the line the user must fix.
      info: true,
      columns: (header: string[]) => {
        const missing = columns.filter((c) => !header.includes(c));
        if (missing.length > 0) {
          throw new AggregateInputError(`${path}: missing column ${missing.join(', ')} (the header row must name ${columns.join(',')})`);
        }
        return header;
      },
    }),
  );
  let line = 1;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      line = info.lines;
      const values = columns.map((c) => record[c] ?? '');
      const empty = columns.find((_, i) => values[i] === '');
      if (empty) throw new AggregateInputError(`${path}: line ${line}: empty ${empty}`);
      yield values;
    }
  } catch (error) {
    if (error instanceof AggregateInputError) throw error;
    // csv-parse errors carry the line they stopped on; fall back to the last good record's line.
    const at = (error as { lines?: number }).lines ?? line + 1;
    throw new AggregateInputError(`${path}: line ${at}: ${(error as Error).message}`);
  }
}

function itemsCsv(result: CategoricalResult): string {
  const lines = ['item,label,confidence'];
  for (const [item, { label, confidence }] of result.items) lines.push(`${csvField(item)},${csvField(label)},${csvNumber(confidence)}`);
  return `${lines.join('\n')}\n`;
}

function workersCsv(result: CategoricalResult, answerCounts: Map<string, number>): string {
  // Confusion columns only for methods that fit one (ds): confusion[true][given] as "true>given".
  const first = result.workers.values().next().value;
  const labels = first?.confusion ? Object.keys(first.confusion) : [];
  const cells = labels.flatMap((t) => labels.map((g) => [t, g] as const));
  const header = ['worker', 'answers', 'accuracy', ...cells.map(([t, g]) => csvField(`${t}>${g}`))].join(',');
  const lines = [header];
  for (const [worker, skill] of result.workers) {
    const confusion = cells.map(([t, g]) => csvNumber(skill.confusion?.[t]?.[g] ?? Number.NaN));
    lines.push([csvField(worker), String(answerCounts.get(worker) ?? 0), csvNumber(skill.accuracy), ...confusion].join(','));
  }
  return `${lines.join('\n')}\n`;
}

async function writeOutput(path: string, text: string): Promise<void> {
  try {
    await writeFile(path, text);
  } catch (error) {
    throw new AggregateInputError(`${path}: cannot write file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

/**
 * The core of `tessera aggregate`: reads worker,item,label answers, aggregates them with the chosen
 * method, writes item,label,confidence CSV to `out` (or `stdout`), optionally a worker skills CSV,
 * and with `gold` prints accuracy to `stderr`. Rows repeating a (worker, item) pair are kept, as in
 * the published benchmarks. Throws AggregateInputError for an unknown method, a missing or
 * unreadable file, a missing column, a malformed row or an empty file.
 */
export async function runAggregate(options: AggregateCommandOptions): Promise<AggregateSummary> {
  const method = options.method ?? DEFAULT_METHOD;
  if (!isMethod(method)) throw new AggregateInputError(`unknown method "${method}" (choose one of ${METHODS.join(', ')})`);
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;

  const answers: Answer[] = [];
  const answerCounts = new Map<string, number>();
  for await (const [worker, item, label] of readColumns(options.input, ['worker', 'item', 'label'])) {
    answers.push({ worker, item, label });
    answerCounts.set(worker, (answerCounts.get(worker) ?? 0) + 1);
  }
  if (answers.length === 0) throw new AggregateInputError(`${options.input}: no answers after the header row`);
  let gold: Map<string, string> | undefined;
  if (options.gold) {
    gold = new Map();
    for await (const [item, label] of readColumns(options.gold, ['item', 'label'])) gold.set(item, label);
  }

  const result = aggregate(method, answers);
  const csv = itemsCsv(result);
  if (options.out) await writeOutput(options.out, csv);
  else stdout.write(csv);
  if (options.workers) await writeOutput(options.workers, workersCsv(result, answerCounts));

  const summary: AggregateSummary = { method, answers: answers.length, items: result.items.size, workers: result.workers.size, iterations: result.iterations };
  if (gold) {
    let correct = 0;
    let scored = 0;
    for (const [item, label] of gold) {
      const got = result.items.get(item);
      if (!got) continue;
      scored++;
      if (got.label === label) correct++;
    }
    summary.accuracy = { correct, scored, value: scored ? correct / scored : Number.NaN };
    const unanswered = gold.size - scored;
    stderr.write(
      `accuracy (${method}) against gold: ${scored ? (correct / scored).toFixed(4) : 'n/a'} (${correct}/${scored} gold items with answers` +
        `${unanswered ? `; ${unanswered} gold items without answers not scored` : ''})\n`,
    );
  }
  return summary;
}

/**
 * Registers `tessera aggregate FILE.csv --method ds|mv|wawa|glad|onecoin [--gold gold.csv]
 * [--out FILE] [--workers FILE]` on `program`. Input problems print one line on stderr and set exit
 * code 2; so do commander's own usage errors for this command (missing FILE, unknown option).
 */
export function registerAggregateCommand(program: Command): Command {
  return program
    .command('aggregate')
    .description('Aggregate crowd answers (worker,item,label CSV) into one label per item')
    .argument('<file>', 'answers CSV with a header row naming worker, item and label')
    .option('-m, --method <method>', `aggregation method: ${METHODS.join('|')}`, DEFAULT_METHOD)
    .option('--gold <file>', 'gold labels CSV (item,label); prints accuracy to stderr')
    .option('-o, --out <file>', 'write item,label,confidence CSV here instead of stdout')
    .option('--workers <file>', 'write worker skills CSV here')
    // Usage errors exit 2 like input errors; help and version still exit 0.
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
    .action(async (file: string, opts: { method: string; gold?: string; out?: string; workers?: string }) => {
      // `tessera aggregate x.csv | head` closes stdout early: that ends the command, it is not a crash.
      process.stdout.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EPIPE') throw error;
        process.exit(process.exitCode ?? 0);
      });
      try {
        await runAggregate({ input: file, ...opts });
      } catch (error) {
        if (!(error instanceof AggregateInputError)) throw error;
        process.stderr.write(`tessera aggregate: ${error.message}\n`);
        process.exitCode = error.exitCode;
      }
    });
}
