import { createHash, randomUUID } from 'node:crypto';
import type { Project } from '../projects/index.ts';
import { checkResponse, checkTaskParams, type TaskTypeDefinition } from '../task-types/index.ts';

/** A task ready to insert, with JSON already serialised. */
export interface TaskDraft {
  batch: string | null;
  /** Held back from workers (its batch is staging). */
  held: boolean;
  isGold: boolean;
  params: string;
  attachments: string;
  instruction: string | null;
  callbackUrl: string | null;
  uniqueId: string | null;
  dedupeKey: string;
  priority: number;
  responsesRequired: number;
  metadata: string;
  tags: string[];
  expectedResponse: string | null;
  goldExplanation: string | null;
  /** JSON of model suggestions, or null. */
  predictions: string | null;
  /** Waiting for the project's model endpoint to pre-label it. */
  prelabelPending: boolean;
}

export interface RowProblem {
  code: string;
  message: string;
  /** JSON pointer or field the problem is in. */
  path?: string;
}

/** Fields every task has; anything else in a row belongs to the type. */
const COMMON = new Set([
  'project',
  'batch',
  'instruction',
  'callback_url',
  'attachments',
  'attachment',
  'attachment_type',
  'unique_id',
  'priority',
  'responses_required',
  'metadata',
  'tags',
  'expected_response',
  'explanation',
  'gold',
  'predictions',
]);

const ATTACHMENT_TYPES = new Set(['text', 'markdown', 'image', 'audio', 'pdf', 'messages', 'url']);
export const MAX_METADATA_BYTES = 16 * 1024;

const fail = (code: string, message: string, path?: string): RowProblem => ({ code, message, path });

function parseJsonish(value: string): unknown {
  const t = value.trim();
  if (t.startsWith('[') || t.startsWith('{')) {
    try {
      return JSON.parse(t);
    } catch {
      return value;
    }
  }
  return value;
}

/**
 * Turns a CSV row (all strings) into task input: `metadata.X` columns become metadata, `tags` splits
 * on `;`, JSON-looking cells are parsed, and cells whose schema type is a number or boolean are converted.
 */
export function fromCsvRow(def: TaskTypeDefinition, row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const props = ((def.params as { properties?: Record<string, { type?: string }> }).properties ?? {}) as Record<string, { type?: string }>;
  for (const [key, raw] of Object.entries(row)) {
    const value = raw as string;
    if (key.startsWith('metadata.')) {
      const metadata = (out.metadata ?? {}) as Record<string, unknown>;
      metadata[key.slice(9)] = value;
      out.metadata = metadata;
    } else if (key === 'tags') {
      out.tags = value.trim().startsWith('[') ? parseJsonish(value) : value.split(';').map((t) => t.trim()).filter(Boolean);
    } else if (key === 'priority' || key === 'responses_required') {
      out[key] = /^-?\d+$/.test(value.trim()) ? Number(value) : value;
    } else if (key === 'metadata' || key === 'attachments' || key === 'expected_response') {
      out[key] = parseJsonish(value);
    } else {
      const type = props[key]?.type;
      if ((type === 'integer' || type === 'number') && value.trim() !== '' && !Number.isNaN(Number(value))) out[key] = Number(value);
      else if (type === 'boolean' && /^(true|false)$/i.test(value.trim())) out[key] = value.trim().toLowerCase() === 'true';
      else out[key] = parseJsonish(value);
    }
  }
  return out;
}

/** Why a callback URL is refused: not http(s), or pointing at this server itself; undefined when fine. */
export function callbackUrlProblem(value: string, selfPort?: number): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'callback_url must be an http(s) URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'callback_url must be an http(s) URL';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const loopback = host === 'localhost' || host === '::1' || host.startsWith('127.') || host === '0.0.0.0';
  if (selfPort !== undefined && loopback && port === selfPort) return 'callback_url points at this server';
  return undefined;
}

/**
 * Checks one task's input against the project and its type, and builds the row to insert.
 * Type fields missing from the row are taken from the project's params (e.g. categories).
 * Returns a RowProblem with a stable code instead of throwing, so imports can report by line.
 */
export function buildTaskDraft(project: Project, def: TaskTypeDefinition, input: Record<string, unknown>, opts: { requireGold?: boolean; keyByContent?: boolean; selfPort?: number } = {}): TaskDraft | RowProblem {
  const own: Record<string, unknown> = {};
  // A type that has its own `attachment` field (imageannotation: the image) keeps it as a type field.
  const typeFields = (def.params as { properties?: Record<string, unknown> }).properties ?? {};
  const isCommon = (key: string) => COMMON.has(key) && !(key in typeFields);
  for (const [key, value] of Object.entries(input)) if (!isCommon(key)) own[key] = value;
  const params = { ...project.params, ...own };
  const paramsProblem = checkTaskParams(def, params);
  if (paramsProblem) return fail('invalid_params', paramsProblem.message, paramsProblem.path);

  const { batch, instruction, callback_url: callbackUrl, unique_id: rawUniqueId, priority, responses_required: required, metadata, tags } = input;
  if (input.project !== undefined && input.project !== project.name) return fail('project_mismatch', `row names project "${String(input.project)}", importing into "${project.name}"`, 'project');
  if (batch !== undefined && (typeof batch !== 'string' || batch.length > 200)) return fail('invalid_row', 'batch must be a string of at most 200 characters', 'batch');
  if (instruction !== undefined && (typeof instruction !== 'string' || instruction.length > 100_000)) return fail('invalid_row', 'instruction must be a string', 'instruction');
  if (callbackUrl !== undefined) {
    const problem = typeof callbackUrl !== 'string' || callbackUrl.length > 2000 ? 'callback_url must be an http(s) URL' : callbackUrlProblem(callbackUrl, opts.selfPort);
    if (problem) return fail('invalid_callback_url', problem, 'callback_url');
  }
  let uniqueId: string | null = null;
  if (rawUniqueId !== undefined && rawUniqueId !== null) {
    if ((typeof rawUniqueId !== 'string' && typeof rawUniqueId !== 'number') || String(rawUniqueId).length === 0 || String(rawUniqueId).length > 256) {
      return fail('invalid_row', 'unique_id must be a string of 1 to 256 characters', 'unique_id');
    }
    uniqueId = String(rawUniqueId);
  }
  if (priority !== undefined && (!Number.isInteger(priority) || (priority as number) < -1000 || (priority as number) > 1000)) {
    return fail('invalid_row', 'priority must be an integer between -1000 and 1000', 'priority');
  }
  if (required !== undefined && (!Number.isInteger(required) || (required as number) < 1 || (required as number) > 100)) {
    return fail('invalid_row', 'responses_required must be an integer between 1 and 100', 'responses_required');
  }
  if (metadata !== undefined && (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))) return fail('invalid_row', 'metadata must be an object', 'metadata');
  const metadataText = JSON.stringify(metadata ?? {});
  if (Buffer.byteLength(metadataText) > MAX_METADATA_BYTES) return fail('metadata_too_large', `metadata is larger than ${MAX_METADATA_BYTES} bytes`, 'metadata');
  if (tags !== undefined && (!Array.isArray(tags) || tags.length > 50 || tags.some((t) => typeof t !== 'string' || t.length === 0 || t.length > 100))) {
    return fail('invalid_row', 'tags must be up to 50 non-empty strings', 'tags');
  }

  let attachments: unknown = input.attachments;
  if (attachments === undefined && input.attachment !== undefined && isCommon('attachment')) {
    attachments = [{ type: input.attachment_type ?? 'text', content: input.attachment }];
  }
  attachments ??= [];
  if (!Array.isArray(attachments) || attachments.length > 50) return fail('invalid_row', 'attachments must be an array of at most 50 items', 'attachments');
  for (const [i, a] of attachments.entries()) {
    if (typeof a !== 'object' || a === null || !ATTACHMENT_TYPES.has((a as { type: string }).type) || (typeof (a as { content: unknown }).content !== 'string' && !Array.isArray((a as { content: unknown }).content))) {
      return fail('invalid_row', `attachments[${i}] must be {type: text|markdown|image|audio|pdf|messages, content}`, `attachments/${i}`);
    }
  }

  let expected = input.expected_response;
  if (expected === undefined && input.gold !== undefined && def.type === 'categorization') expected = params.allow_multiple ? { categories: [input.gold] } : { category: input.gold };
  if (expected === undefined && opts.requireGold) return fail('invalid_expected_response', 'a gold task needs expected_response', 'expected_response');
  if (expected !== undefined) {
    const problem = checkResponse(def.type, params, expected);
    if (problem) return fail('invalid_expected_response', `expected_response: ${problem.message}`, `expected_response${problem.path}`);
  }
  if (input.explanation !== undefined && typeof input.explanation !== 'string') return fail('invalid_row', 'explanation must be a string', 'explanation');
  let predictions: string | null = null;
  if (input.predictions !== undefined) {
    const problem = predictionsProblem(def.type, params, input.predictions);
    if (problem) return fail('invalid_predictions', problem, 'predictions');
    predictions = JSON.stringify(input.predictions);
  }

  const paramsText = JSON.stringify(own);
  const attachmentsText = JSON.stringify(attachments);
  // File rows without unique_id are keyed by their content, so importing the same file twice adds
  // nothing; a task created through the API without one is always new (the API's idempotency is the header).
  const dedupeKey = uniqueId !== null ? `u:${uniqueId}` : opts.keyByContent === false ? `r:${randomUUID()}` : `h:${project.id}:${createHash('sha1').update(paramsText).update('\u0000').update(attachmentsText).update('\u0000').update(metadataText).update(String(batch ?? '')).update(String(instruction ?? '')).digest('base64url')}`;
  return {
    batch: (batch as string | undefined) ?? null,
    held: false,
    isGold: expected !== undefined,
    params: paramsText,
    attachments: attachmentsText,
    instruction: (instruction as string | undefined) ?? null,
    callbackUrl: (callbackUrl as string | undefined) ?? null,
    uniqueId,
    dedupeKey,
    priority: (priority as number | undefined) ?? project.priority,
    responsesRequired: (required as number | undefined) ?? project.overlapMin,
    metadata: metadataText,
    tags: (tags as string[] | undefined) ?? [],
    expectedResponse: expected === undefined ? null : JSON.stringify(expected),
    goldExplanation: (input.explanation as string | undefined) ?? null,
    predictions,
    prelabelPending: predictions === null && project.prelabels.endpoint_url !== null,
  };
}

/**
 * Why model predictions do not fit: they must be up to 20 `{response, score?, model?}` whose
 * response matches the type's answer schema. Undefined when they fit.
 */
export function predictionsProblem(type: string, params: Record<string, unknown>, predictions: unknown): string | undefined {
  if (!Array.isArray(predictions) || predictions.length > 20) return 'predictions must be an array of at most 20 items';
  for (const [i, p] of predictions.entries()) {
    if (typeof p !== 'object' || p === null) return `predictions[${i}] must be an object`;
    const { response, score, model } = p as Record<string, unknown>;
    if (score !== undefined && (typeof score !== 'number' || score < 0 || score > 1)) return `predictions[${i}].score must be a number from 0 to 1`;
    if (model !== undefined && (typeof model !== 'string' || model.length > 200)) return `predictions[${i}].model must be a string`;
    const problem = checkResponse(type, params, response);
    if (problem) return `predictions[${i}].response: ${problem.message}`;
  }
  return undefined;
}

export function isProblem(value: TaskDraft | RowProblem): value is RowProblem {
  return 'code' in value;
}
