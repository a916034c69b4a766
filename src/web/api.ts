/*
 * The only door to the server: JSON over /v1 with the session cookie. Every failure becomes an
 * ApiError carrying the server's stable `code` (the UI branches on it) and its `message` (shown as is).
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** Code for a request that never got an answer (server down, offline). The UI words it itself. */
export const NETWORK_ERROR = 'network_error';

type Query = Record<string, string | number | boolean | undefined | null>;

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  body?: unknown;
  query?: Query;
  signal?: AbortSignal;
}

const sessionListeners = new Set<() => void>();

/** Called when the server says the session is gone (401 unauthenticated) on any call. */
export function onSessionLost(listener: () => void): () => void {
  sessionListeners.add(listener);
  return () => sessionListeners.delete(listener);
}

/** `/v1/path?query` with undefined and null values left out. */
export function apiUrl(path: string, query?: Query): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null) search.set(k, String(v));
  const qs = search.toString();
  return `/v1${path}${qs ? `?${qs}` : ''}`;
}

/** Turns an error body `{status_code, code, error: {code, message}}` (or anything else) into an ApiError. */
export function errorFrom(status: number, body: unknown): ApiError {
  const b = body as { code?: string; error?: { code?: string; message?: string; details?: unknown } | string } | null;
  const inner = b && typeof b.error === 'object' ? b.error : undefined;
  const code = inner?.code ?? b?.code ?? `http_${status}`;
  const message = inner?.message ?? (typeof b?.error === 'string' ? b.error : `HTTP ${status}`);
  return new ApiError(status, code, message, inner?.details);
}

/**
 * Calls the API. Resolves with the parsed JSON (undefined for 204). Throws ApiError; a 401
 * `unauthenticated` also tells the session listeners, so the app can return to the login page.
 */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const init: RequestInit = { method: options.method ?? 'GET', credentials: 'same-origin', signal: options.signal, headers: { accept: 'application/json' } };
  if (options.body !== undefined) {
    init.body = JSON.stringify(options.body);
    init.headers = { ...init.headers, 'content-type': 'application/json' };
  }
  let response: Response;
  try {
    response = await fetch(apiUrl(path, options.query), init);
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, NETWORK_ERROR, (error as Error).message);
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) {
    const error = errorFrom(response.status, body);
    if (error.code === 'unauthenticated' && path !== '/me') for (const listener of sessionListeners) listener();
    throw error;
  }
  return body as T;
}

// ---- wire types (snake_case, as the server sends them) ----

export type Role = 'admin' | 'requester' | 'reviewer' | 'worker';

export interface User {
  id: number;
  email: string;
  role: Role;
  display_name: string | null;
  languages: string[];
  locale: string;
  timezone: string | null;
  active: boolean;
  created_at?: string;
}

export interface Pay {
  currency: string;
  piece_rate_minor: number;
  promised_hourly_minor: number;
  estimated_seconds: number;
}

export interface ReviewPolicy {
  mode: 'none' | 'all' | 'sample' | 'low_confidence';
  sample_rate?: number;
  confidence_below?: number;
  deadline_days?: number;
}

export type ProjectStatus = 'draft' | 'active' | 'paused' | 'archived';

export type QualityMethod = 'ds' | 'mv' | 'onecoin' | 'glad' | 'wawa';

export interface QualitySettings {
  target_confidence: number;
  method: QualityMethod;
  prior: { alpha: number; beta: number };
  reestimate_every: number;
  annotator_responses: boolean;
}

export interface Project {
  id: number;
  name: string;
  type: string;
  params: Record<string, unknown>;
  instructions: Record<string, string>;
  overlap: { min: number; max: number };
  priority: number;
  gold_rate: number;
  review_policy: ReviewPolicy;
  pay: Pay;
  lease_seconds: number;
  idle_grace_seconds: number;
  languages: string[];
  content_warnings: string[];
  quality?: QualitySettings;
  status: ProjectStatus;
  created_at: string;
  updated_at: string;
  task_counts?: { pending: number; completed: number; canceled: number; error: number };
}

export interface Attachment {
  type: string;
  content: unknown;
}

export interface Task {
  task_id: string;
  project: string;
  type: string;
  status: string;
  sub_status: string | null;
  created_at: string;
  completed_at: string | null;
  unique_id: string | null;
  attachments: Attachment[];
  response: Record<string, unknown> | null;
  metadata: Record<string, unknown>;
}

export interface Page<T> {
  docs: T[];
  total: number;
  limit: number;
  has_more: boolean;
  next_token: string | null;
}

export interface ImportRecord {
  import_id: number;
  source: string;
  format: string;
  status: string;
  rows: number;
  inserted: number;
  existing: number;
  failed: number;
  started_at: string;
  finished_at: string | null;
}

export interface TaskTypeInfo {
  type: string;
  title: string;
  params_schema: Record<string, unknown>;
  example: Record<string, unknown>;
}

export interface ApiKey {
  id: number;
  name: string | null;
  prefix: string;
  test: boolean;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface Money {
  seconds: number;
  pay_minor: number;
  hourly_minor: number;
  currency: string;
}

export interface WorkProject {
  name: string;
  type: string;
  instructions: Record<string, string>;
  estimate: Money;
  review_deadline_days: number;
  content_warnings: string[];
  available: number;
}

export interface Assignment {
  id: number | string;
  task: { id: number | string; type: string; params: Record<string, unknown>; attachments: Attachment[]; instruction?: string | null };
  lease_expires_at: string;
  shown: Money;
}

/** An accuracy estimate: posterior mean and central 90% interval after n gold answers. */
export interface Estimate {
  n: number;
  mean: number;
  low: number;
  high: number;
}

export interface ProjectQuality {
  project: string;
  workers: { worker_id: number; name: string | null; answers: number; gold: Estimate; fitted_accuracy: number | null; skill: number }[];
  agreement: { level: string; by_day: { day: string; alpha: number | null; answers: number }[] };
}

export interface WorkQuality {
  docs: (Estimate & { project: string; items: { task_id: string; score: number | null; at: string }[] })[];
}

export interface TaskResult {
  answer: Record<string, unknown> | null;
  confidence: number | null;
  method: string;
  n_answers: number;
  agreement: number | null;
  decided_by?: { kind: string; user_id?: number };
}

export interface ReviewDoc {
  task_id: string;
  type: string;
  params: Record<string, unknown>;
  attachments: Attachment[];
  result: TaskResult | null;
  answers: { assignment_id: string; response: Record<string, unknown> }[];
}

export interface ReviewQueue {
  project: string;
  docs: ReviewDoc[];
  reason_codes: string[];
}

export interface Batch {
  name: string;
  project: string;
  status: string;
  callback_url: string | null;
  created_at: string | null;
  finalized_at: string | null;
  completed_at: string | null;
}

export interface Feedback {
  correct: boolean;
  expected_response: Record<string, unknown> | null;
  explanation: string | null;
}
