import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import type { Encoder, EncoderContext } from './encoder.ts';
import {
  answerOf,
  answersCountOf,
  type ChatMessage,
  confidenceOf,
  type ExportAnswer,
  finite,
  isReviewerFix,
  modelResponses,
  type PresentedTask,
  promptOf,
  toMessages,
} from './export-task.ts';
import { imageUrl } from './image.ts';
import type { FileOut } from './output.ts';
import { sftCompletions } from './trl.ts';

/*
 * `hf_dataset`: a Hugging Face dataset folder. `data/train-00000-of-00001.parquet` holds the rows;
 * `README.md` carries the YAML `configs` block the Hub and `datasets.load_dataset` read, and a
 * table of the columns. Conversations are list<struct<role, content>> columns, so a split loads
 * straight into TRL or a chat template.
 */

export const HF_DATA_FILE = 'data/train-00000-of-00001.parquet';

/** A column kind and the Parquet schema it becomes. */
export type HfKind = 'string' | 'double' | 'int32' | 'bool' | 'timestamp' | 'messages' | 'spans' | 'strings' | 'json';

export interface HfColumn {
  name: string;
  kind: HfKind;
  description: string;
  required?: boolean;
}

type SchemaElement = ConstructorParameters<typeof ParquetWriter>[0]['schema'][number];

const utf8 = (name: string, required = false): SchemaElement => ({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: required ? 'REQUIRED' : 'OPTIONAL' });

/** The Parquet schema elements of a column (the standard three-level LIST layout for lists). */
export function schemaOf(column: HfColumn): SchemaElement[] {
  const repetition = column.required ? 'REQUIRED' : 'OPTIONAL';
  switch (column.kind) {
    case 'string':
    case 'json':
      return [utf8(column.name, column.required)];
    case 'double':
      return [{ name: column.name, type: 'DOUBLE', repetition_type: repetition }];
    case 'int32':
      return [{ name: column.name, type: 'INT32', repetition_type: repetition }];
    case 'bool':
      return [{ name: column.name, type: 'BOOLEAN', repetition_type: repetition }];
    case 'timestamp':
      return [{ name: column.name, type: 'INT64', converted_type: 'TIMESTAMP_MILLIS', repetition_type: repetition }];
    case 'strings':
      return [
        { name: column.name, repetition_type: repetition, converted_type: 'LIST', num_children: 1 },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        utf8('element', true),
      ];
    case 'messages':
      return [
        { name: column.name, repetition_type: repetition, converted_type: 'LIST', num_children: 1 },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        { name: 'element', repetition_type: 'REQUIRED', num_children: 2 },
        utf8('role', true),
        utf8('content', true),
      ];
    case 'spans':
      return [
        { name: column.name, repetition_type: repetition, converted_type: 'LIST', num_children: 1 },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        { name: 'element', repetition_type: 'REQUIRED', num_children: 4 },
        { name: 'start', type: 'INT32', repetition_type: 'REQUIRED' },
        { name: 'end', type: 'INT32', repetition_type: 'REQUIRED' },
        utf8('label', true),
        utf8('text', true),
      ];
  }
}

const FIRST: HfColumn[] = [
  { name: 'task_id', kind: 'string', required: true, description: 'Tessera task id' },
  { name: 'unique_id', kind: 'string', description: "the requester's unique_id" },
  { name: 'batch', kind: 'string', description: 'batch name' },
  { name: 'completed_at', kind: 'timestamp', description: 'when the task completed (UTC, ms)' },
  { name: 'metadata', kind: 'json', description: "the task's metadata, as JSON text" },
];
const LAST: HfColumn[] = [
  { name: 'response', kind: 'json', description: 'the aggregated answer as the API returns it, as JSON text' },
  { name: 'confidence', kind: 'double', description: 'posterior probability of the answer (categorical types), else null' },
  { name: 'n_answers', kind: 'int32', description: 'answers the result was made from' },
];

const msgs = (name: string, description: string): HfColumn => ({ name, kind: 'messages', description });
const str = (name: string, description: string): HfColumn => ({ name, kind: 'string', description });
const json = (name: string, description: string): HfColumn => ({ name, kind: 'json', description });

/** The columns of a task type's dataset, in order: common, the type's own, then the result. */
export function hfColumns(type: string, params: Record<string, unknown>): HfColumn[] {
  const own: HfColumn[] = (() => {
    switch (type) {
      case 'categorization':
        return [
          str('text', 'the text attachments, joined by blank lines'),
          str('image', 'the first image attachment'),
          params.allow_multiple ? { name: 'labels', kind: 'strings', description: 'the aggregated categories' } : str('label', 'the aggregated category'),
        ] satisfies HfColumn[];
      case 'rating':
        return [msgs('prompt', 'the prompt'), msgs('completion', 'the completion rated'), json('ratings', 'median rating per criterion, as JSON text')];
      case 'textcollection':
        return [str('text', 'the text attachments'), str('image', 'the first image attachment'), str('annotator', 'pseudonym of the worker who wrote this row'), json('annotations', "this worker's fields, as JSON text")];
      case 'comparison':
        return [
          msgs('prompt', 'the prompt'),
          msgs('response_a', "the task's first response"),
          msgs('response_b', "the task's second response"),
          str('model_a', 'model of the first response'),
          str('model_b', 'model of the second response'),
          str('winner', 'model_a, model_b, tie or both_bad (by response id, never screen side)'),
          msgs('chosen', 'the preferred response (null on tie or both_bad)'),
          msgs('rejected', 'the other response (null on tie or both_bad)'),
        ];
      case 'ranking':
        return [msgs('prompt', 'the prompt'), json('responses', 'the responses ranked [{id, model, messages}], as JSON text'), json('ranking', 'ordered groups of response ids, best first, as JSON text')];
      case 'binaryfeedback':
        return [msgs('prompt', 'the prompt'), msgs('completion', 'the completion judged'), { name: 'label', kind: 'bool', description: 'the aggregated judgement' }];
      case 'sft':
        return [msgs('prompt', 'the prompt'), msgs('completion', 'the written completion'), msgs('messages', 'prompt followed by completion'), str('annotator', 'pseudonym of the worker who wrote it (reviewer_<id> for a fix)')];
      case 'rubric':
        return [msgs('prompt', 'the prompt'), msgs('completion', 'the response judged'), json('scores', 'median score per criterion, as JSON text')];
      case 'refusalaudit':
        return [msgs('prompt', 'the prompt'), str('model', 'the model audited'), str('language', 'language of the prompt'), str('topic', 'topic'), str('model_response', "the model's response"), str('label', 'the aggregated label')];
      case 'namedentityrecognition':
        return [str('text', 'the text'), { name: 'entities', kind: 'spans', description: 'aggregated spans {start, end, label, text}, code points, end exclusive' }];
      case 'imageannotation':
        return [
          str('image', 'the image URL'),
          { name: 'image_width', kind: 'int32', description: 'image width in pixels' },
          { name: 'image_height', kind: 'int32', description: 'image height in pixels' },
          json('annotations', 'boxes {type, label, left, top, width, height} and polygons in pixels, as JSON text'),
        ];
      default:
        return [json('params', "the task's own fields, as JSON text")];
    }
  })();
  return [...FIRST, ...own, ...LAST];
}

type HfRow = Record<string, unknown>;

function attachmentsText(task: PresentedTask): { text: string | null; image: string | null } {
  const attachments = (Array.isArray(task.attachments) ? task.attachments : []) as { type?: string; content?: unknown }[];
  const texts = attachments.filter((a) => (a.type === 'text' || a.type === 'markdown') && typeof a.content === 'string').map((a) => a.content as string);
  const image = attachments.find((a) => a.type === 'image' && typeof a.content === 'string')?.content as string | undefined;
  return { text: texts.length ? texts.join('\n\n') : null, image: image ?? null };
}

const nullIfEmpty = (m: ChatMessage[]) => (m.length ? m : null);
const jsonOrNull = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

/**
 * A task as dataset rows (objects keyed by column name): one row per task, except free-text types
 * (sft, text collection), whose answers are never merged: one row per answer that counts (or the
 * reviewer's fix).
 */
export function hfRows(task: PresentedTask, answers: readonly ExportAnswer[], params: Record<string, unknown> = task.params as Record<string, unknown>): HfRow[] {
  const answer = answerOf(task);
  const p = task.params as Record<string, unknown>;
  const common: HfRow = {
    task_id: task.task_id,
    unique_id: task.unique_id,
    batch: task.batch,
    completed_at: task.completed_at ? new Date(task.completed_at) : null,
    metadata: jsonOrNull(task.metadata),
    response: jsonOrNull(task.response),
    confidence: confidenceOf(task),
    n_answers: answersCountOf(task),
  };
  switch (task.type) {
    case 'categorization': {
      const { text, image } = attachmentsText(task);
      const own = params.allow_multiple
        ? { labels: Array.isArray(answer?.categories) ? answer.categories.map(String) : null }
        : { label: typeof answer?.category === 'string' ? answer.category : null };
      return [{ ...common, text, image, ...own }];
    }
    case 'rating':
      return [{ ...common, prompt: nullIfEmpty(promptOf(task)), completion: nullIfEmpty(toMessages(p.completion)), ratings: jsonOrNull(answer?.ratings) }];
    case 'textcollection': {
      const { text, image } = attachmentsText(task);
      if (isReviewerFix(task)) return [{ ...common, text, image, annotator: reviewerOf(task), annotations: jsonOrNull(answer?.annotations) }];
      return answers.map((a) => ({ ...common, text, image, annotator: `worker_${a.worker_id}`, annotations: jsonOrNull(a.response.annotations) }));
    }
    case 'comparison': {
      const [a, b] = modelResponses(task);
      const winnerId = answer?.winner;
      const winner = winnerId === a?.id ? 'model_a' : winnerId === b?.id ? 'model_b' : winnerId === 'tie' || winnerId === 'both_bad' ? winnerId : null;
      const chosen = winner === 'model_a' ? a : winner === 'model_b' ? b : undefined;
      const rejected = winner === 'model_a' ? b : winner === 'model_b' ? a : undefined;
      return [
        {
          ...common,
          prompt: nullIfEmpty(promptOf(task)),
          response_a: a ? a.messages : null,
          response_b: b ? b.messages : null,
          model_a: a?.model ?? a?.id ?? null,
          model_b: b?.model ?? b?.id ?? null,
          winner,
          chosen: chosen ? chosen.messages : null,
          rejected: rejected ? rejected.messages : null,
        },
      ];
    }
    case 'ranking':
      return [{ ...common, prompt: nullIfEmpty(promptOf(task)), responses: JSON.stringify(modelResponses(task)), ranking: jsonOrNull(answer?.ranking) }];
    case 'binaryfeedback':
      return [{ ...common, prompt: nullIfEmpty(promptOf(task)), completion: nullIfEmpty(toMessages(p.completion)), label: typeof answer?.label === 'boolean' ? answer.label : null }];
    case 'sft': {
      const prompt = promptOf(task);
      const completions = sftCompletions(task, answers);
      const who = isReviewerFix(task) ? [reviewerOf(task)] : answers.filter((a) => toMessages(a.response.completion).length > 0).map((a) => `worker_${a.worker_id}`);
      return completions.map((completion, i) => ({ ...common, prompt: nullIfEmpty(prompt), completion, messages: [...prompt, ...completion], annotator: who[i] ?? null }));
    }
    case 'rubric':
      return [{ ...common, prompt: nullIfEmpty(promptOf(task)), completion: nullIfEmpty(toMessages(p.completion)), scores: jsonOrNull(answer?.criteria) }];
    case 'refusalaudit':
      return [
        {
          ...common,
          prompt: nullIfEmpty(promptOf(task)),
          model: typeof p.model === 'string' ? p.model : null,
          language: typeof p.language === 'string' ? p.language : null,
          topic: typeof p.topic === 'string' ? p.topic : null,
          model_response: typeof p.response === 'string' ? p.response : null,
          label: typeof answer?.label === 'string' ? answer.label : null,
        },
      ];
    case 'namedentityrecognition': {
      const spans = Array.isArray(answer?.spans) ? (answer.spans as { start: number; end: number; label: string; text?: string }[]) : null;
      return [{ ...common, text: typeof p.text === 'string' ? p.text : null, entities: spans?.map((s) => ({ start: s.start, end: s.end, label: s.label, text: s.text ?? '' })) ?? null }];
    }
    case 'imageannotation':
      return [
        {
          ...common,
          image: imageUrl(task) || null,
          image_width: finite(p.image_width),
          image_height: finite(p.image_height),
          annotations: jsonOrNull(answer?.annotations),
        },
      ];
    default:
      return [{ ...common, params: JSON.stringify(p) }];
  }
}

function reviewerOf(task: PresentedTask): string {
  const id = (task.result as { decided_by?: { user_id?: number } } | null)?.decided_by?.user_id;
  return id === undefined ? 'reviewer' : `reviewer_${id}`;
}

/** The README of the dataset: YAML front matter with `configs` (the Hub's data_files), then the columns. */
export function hfReadme(input: { project: string; type: string; rows: number; columns: readonly HfColumn[]; exportedAt: number; filters: Record<string, unknown> }): string {
  const kindName: Record<HfKind, string> = {
    string: 'string',
    json: 'string (JSON)',
    double: 'float64',
    int32: 'int32',
    bool: 'bool',
    timestamp: 'timestamp[ms, UTC]',
    strings: 'list<string>',
    messages: 'list<struct<role: string, content: string>>',
    spans: 'list<struct<start: int32, end: int32, label: string, text: string>>',
  };
  const filters = Object.entries(input.filters).filter(([, v]) => v !== undefined);
  return [
    '---',
    'configs:',
    '- config_name: default',
    '  data_files:',
    '  - split: train',
    '    path: data/train-*',
    '---',
    '',
    `# ${input.project}`,
    '',
    `Exported from Tessera on ${new Date(input.exportedAt).toISOString()}: ${input.rows} rows from \`${input.type}\` tasks` +
      (filters.length ? ` (filters: ${filters.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}).` : '.'),
    '',
    '```python',
    'from datasets import load_dataset',
    'ds = load_dataset("path/to/this/folder", split="train")',
    '```',
    '',
    '## Columns',
    '',
    '| column | type | meaning |',
    '|---|---|---|',
    ...input.columns.map((c) => `| \`${c.name}\` | ${kindName[c.kind]} | ${c.description.replaceAll('|', '\\|')} |`),
    '',
  ].join('\n');
}

/**
 * A ByteWriter that hands each finished row group to the output file and, when the file's buffer
 * is full, makes the Parquet writer wait (ParquetWriter awaits a promise from `flush`), so at most
 * one row group is in memory.
 */
class StreamingByteWriter extends ByteWriter {
  /** Set when no row was written: see fixEmptyRowGroups. */
  empty = false;
  constructor(private readonly out: FileOut) {
    super(1 << 20);
  }
  flush(): Promise<void> | undefined {
    if (this.index === 0) return undefined;
    const bytes = new Uint8Array(this.buffer, 0, this.index).slice();
    this.index = 0;
    return this.out.write(bytes);
  }
  override finish(): Promise<void> | undefined {
    if (this.empty) fixEmptyRowGroups(new Uint8Array(this.buffer, 0, this.index));
    return this.flush();
  }
}

/**
 * hyparquet-writer 0.17 writes an empty list's header without an element type, and an empty
 * export's footer has an empty `row_groups` list<RowGroup>: strict Thrift readers (Rust's parquet
 * crate, so polars and parquet-wasm) then refuse the whole file. In Thrift's compact protocol the
 * footer reads `16 00` (field 3, num_rows = 0), `19` (field 4, a list), then the list header `00`;
 * it becomes `0C` (size 0, element STRUCT). Only called when no row was written, when the file
 * is just 'PAR1' and this footer.
 */
export function fixEmptyRowGroups(bytes: Uint8Array): void {
  for (let i = 4; i + 3 < bytes.length; i++) {
    if (bytes[i] === 0x16 && bytes[i + 1] === 0x00 && bytes[i + 2] === 0x19 && bytes[i + 3] === 0x00) {
      bytes[i + 3] = 0x0c;
      return;
    }
  }
}

/**
 * Rows per row group. Small groups keep the export's memory down (a group's rows and the writer's
 * work on them are held until it is written: 2,000 rows peaked ~40 MB below 10,000 at 200k rows,
 * measured) and suit the Hub viewer, which reads one group per page; readers cope with many.
 */
const ROW_GROUP = 2_000;

/** `hf_dataset`: Parquet rows streamed a row group at a time, then the README (written when the row count is known). */
export function hfDatasetEncoder(parquet: FileOut, readme: FileOut, ctx: EncoderContext, filters: Record<string, unknown>): Encoder {
  const columns = hfColumns(ctx.project.type, ctx.project.params);
  const schema: SchemaElement[] = [{ name: 'root', num_children: columns.length }, ...columns.flatMap(schemaOf)];
  const bytes = new StreamingByteWriter(parquet);
  const writer = new ParquetWriter({ writer: bytes, schema, createdBy: 'Tessera (hyparquet-writer)' });
  let buffered: HfRow[] = [];
  let rows = 0;
  const writeGroup = async () => {
    if (!buffered.length) return;
    const group = buffered;
    buffered = [];
    await writer.write({ columnData: columns.map((c) => ({ name: c.name, data: group.map((r) => (r[c.name] === undefined ? null : r[c.name])) })), rowGroupSize: ROW_GROUP });
  };
  return {
    add(item) {
      const out = hfRows(item.task, item.answers, ctx.project.params);
      for (const row of out) buffered.push(row);
      rows += out.length;
      if (out.length === 0) ctx.problem(item.task.task_id, 'no_answer', 'the task has no answer to export');
      return buffered.length >= ROW_GROUP ? writeGroup().then(() => out.length) : out.length;
    },
    async finish() {
      await writeGroup();
      bytes.empty = rows === 0;
      await writer.finish();
      await readme.write(hfReadme({ project: ctx.project.name, type: ctx.project.type, rows, columns, exportedAt: ctx.now, filters }));
    },
  };
}
