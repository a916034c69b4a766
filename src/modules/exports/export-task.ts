import type { presentTask } from '../tasks/index.ts';

/*
 * What every writer reads: a task exactly as `GET /v1/task/{id}` presents it, plus, for the formats
 * that need them, the individual answers that still count for it. Writers are pure: they turn these
 * into records of their format and report what they cannot express, never guess.
 */

/** A task as `GET /v1/task/{id}` returns it. */
export type PresentedTask = ReturnType<typeof presentTask>;

/** A task as stored, with its project's name: what presentTask reads. */
export type StoredTask = Parameters<typeof presentTask>[0];

/** One submitted answer that counts (not sent back or rejected in review). */
export interface ExportAnswer {
  /** The assignment id: stable, and unique across the whole installation. */
  assignment_id: string;
  worker_id: number;
  response: Record<string, unknown>;
  /** When the answer was submitted, ms since the epoch. */
  submitted_at: number;
  /** Seconds from claim to submit. */
  lead_time: number;
}

export interface ExportTask {
  readonly task: PresentedTask;
  readonly answers: readonly ExportAnswer[];
  /**
   * The stored row, when the task came from the database: lets JSONL splice the JSON it already
   * holds instead of parsing and re-serialising it (see JsonlSplicer).
   */
  readonly row?: StoredTask;
}

/** Format options a request may set. */
export interface ExportOptions {
  /** trl_preference: keep ties and both-bad votes (as rows with `outcome`), dropped by default. */
  include_ties?: boolean;
  /** yolo / hf_dataset: the split the files are written as (default `train`). */
  split?: string;
}

/** What the writers know of the project beyond each task. */
export interface ExportProject {
  name: string;
  type: string;
  params: Record<string, unknown>;
  languages: string[];
}

/** Receives a task a format cannot express, with a stable code. */
export type ProblemSink = (taskId: string, code: string, message: string) => void;

export interface ChatMessage {
  role: string;
  content: string;
}

/**
 * Messages as `{role, content}` only, in order: a plain string becomes one user message; anything
 * that is not a message is left out.
 */
export function toMessages(value: unknown): ChatMessage[] {
  if (typeof value === 'string') return [{ role: 'user', content: value }];
  if (!Array.isArray(value)) return [];
  const out: ChatMessage[] = [];
  for (const m of value) {
    if (m && typeof m === 'object' && typeof (m as ChatMessage).role === 'string' && typeof (m as ChatMessage).content === 'string') {
      out.push({ role: (m as ChatMessage).role, content: (m as ChatMessage).content });
    }
  }
  return out;
}

/** A model response of a comparison or ranking task. */
export interface ModelResponse {
  id: string;
  model: string | null;
  messages: ChatMessage[];
}

/** The task's model responses, in the order the requester gave them. */
export function modelResponses(task: PresentedTask): ModelResponse[] {
  const raw = (task.params as Record<string, unknown>).responses;
  if (!Array.isArray(raw)) return [];
  return raw.map((r: { id?: unknown; model?: unknown; messages?: unknown }) => ({
    id: String(r.id),
    model: typeof r.model === 'string' && r.model !== '' ? r.model : null,
    messages: toMessages(r.messages),
  }));
}

/** The task's prompt as messages (a plain-string prompt becomes one user message). */
export function promptOf(task: PresentedTask): ChatMessage[] {
  return toMessages((task.params as Record<string, unknown>).prompt);
}

/** The aggregated answer (the task's response without its confidence), or null. */
export function answerOf(task: PresentedTask): Record<string, unknown> | null {
  return task.response && typeof task.response === 'object' ? (task.response as Record<string, unknown>) : null;
}

/** The stored result's confidence when it is a finite number, else null (exports never carry NaN). */
export function confidenceOf(task: PresentedTask): number | null {
  const c = (task.result as { confidence?: unknown } | null)?.confidence;
  return typeof c === 'number' && Number.isFinite(c) ? c : null;
}

/** How many answers the result was made from, or null. */
export function answersCountOf(task: PresentedTask): number | null {
  const n = (task.result as { n_answers?: unknown } | null)?.n_answers;
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
}

/** True when a reviewer wrote the answer (a `fix`): then it is the one label, whatever the answers said. */
export function isReviewerFix(task: PresentedTask): boolean {
  return (task.result as { method?: unknown } | null)?.method === 'review_fix';
}

/** A finite number, or null: exports never carry NaN or Infinity. */
export function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
