/**
 * The Tessera API client for TypeScript and JavaScript (Node 18+ or a browser: it needs only
 * `fetch` and Web Crypto). Requests are retried on 408, 429 (honouring Retry-After) and 5xx with
 * exponential backoff; task creation carries an Idempotency-Key so a retry never creates twice.
 */
import type { TaskTypeName, TaskParams, TaskResponse } from './types.ts';
import { verifyWebhook as verify } from './webhook.ts';

export type { TaskParams, TaskResponse, TaskTypeName } from './types.ts';

export interface ClientOptions {
  baseUrl: string;
  apiKey: string;
  /** Retries after the first attempt (default 4). */
  retries?: number;
  /** First backoff in ms, doubled each retry (default 250). */
  backoffMs?: number;
  fetch?: typeof fetch;
}

/** An error answer from the API: branch on `code`, never on the message. */
export class TesseraError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export interface Task<T extends TaskTypeName = TaskTypeName> {
  task_id: string;
  project: string;
  batch: string | null;
  type: T;
  status: 'pending' | 'completed' | 'canceled' | 'error';
  sub_status: 'queued' | 'in_progress' | 'in_review' | 'redo' | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
  instruction: string | null;
  callback_url: string | null;
  attachments: { type: string; content: unknown }[];
  unique_id: string | null;
  priority: number;
  responses_required: number;
  metadata: Record<string, unknown>;
  tags: string[];
  params: TaskParams<T>;
  response: (TaskResponse<T> & { confidence: number | null }) | null;
  result: { answer: TaskResponse<T> | null; confidence: number | null; method: string; n_answers: number; agreement: number | null; decided_by: { kind: string; user_id?: number } } | null;
  is_test: boolean;
}

export type NewTask<T extends TaskTypeName> = Partial<TaskParams<T>> & {
  project: string;
  batch?: string;
  instruction?: string;
  callback_url?: string;
  attachments?: { type: string; content: unknown }[];
  unique_id?: string;
  priority?: number;
  responses_required?: number;
  metadata?: Record<string, unknown>;
  tags?: string[];
};

export interface TaskQuery {
  project?: string;
  batch?: string;
  status?: Task['status'];
  type?: TaskTypeName;
  unique_id?: string;
  tags?: string[];
  created_after?: string;
  created_before?: string;
  completed_after?: string;
  completed_before?: string;
  /** Page size, 1-100. */
  limit?: number;
}

export interface ExportInfo {
  export_id: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  format: string;
  rows: number;
  bytes: number;
  sha256: string | null;
  files: { name: string; url: string; bytes: number; sha256: string }[];
}

const RETRYABLE = new Set([408, 429, 500, 502, 503, 504]);

function randomKey(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export class TesseraClient {
  private readonly base: string;
  private readonly fetcher: typeof fetch;

  constructor(private readonly options: ClientOptions) {
    this.base = options.baseUrl.replace(/\/$/, '');
    this.fetcher = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** One API call with retries; parses JSON, throws TesseraError on an error answer. */
  async request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const res = await this.raw(method, path, body === undefined ? undefined : JSON.stringify(body), { ...(body !== undefined && { 'content-type': 'application/json' }), ...headers });
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }

  /** The fetch with auth and retries; the body must be replayable (a string or bytes). */
  async raw(method: string, path: string, body?: string | Uint8Array<ArrayBuffer>, headers: Record<string, string> = {}): Promise<Response> {
    const retries = this.options.retries ?? 4;
    let delay = this.options.backoffMs ?? 250;
    for (let attempt = 0; ; attempt++) {
      let res: Response | undefined;
      let networkError: unknown;
      try {
        res = await this.fetcher(`${this.base}${path}`, { method, body, headers: { authorization: `Bearer ${this.options.apiKey}`, ...headers } });
      } catch (error) {
        networkError = error;
      }
      const retryable = networkError !== undefined || (res !== undefined && RETRYABLE.has(res.status));
      if (!retryable || attempt >= retries) {
        if (networkError) throw networkError;
        const answer = res as Response;
        if (!answer.ok) {
          const text = await answer.text();
          let parsed: { code?: string; error?: { code?: string; message?: string; details?: unknown } } = {};
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON: keep the text as the message
          }
          throw new TesseraError(answer.status, parsed.code ?? parsed.error?.code ?? 'http_error', parsed.error?.message ?? text, parsed.error?.details);
        }
        return answer;
      }
      const retryAfter = Number(res?.headers.get('retry-after'));
      const wait = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : delay * (0.8 + 0.4 * Math.random());
      await res?.body?.cancel();
      await new Promise((r) => setTimeout(r, wait));
      delay *= 2;
    }
  }

  // Projects
  createProject(body: { name: string; type: TaskTypeName } & Record<string, unknown>) {
    return this.request<Record<string, unknown>>('POST', '/v1/projects', body);
  }
  getProject(name: string) {
    return this.request<Record<string, unknown>>('GET', `/v1/projects/${encodeURIComponent(name)}`);
  }
  listProjects() {
    return this.request<{ docs: Record<string, unknown>[] }>('GET', '/v1/projects');
  }
  setProjectParams(name: string, body: Record<string, unknown>) {
    return this.request<Record<string, unknown>>('POST', `/v1/projects/${encodeURIComponent(name)}/setParams`, body);
  }
  /** Streams a JSONL / JSON / CSV file of tasks into a project; idempotent by unique_id. */
  async importTasks(project: string, file: string | Uint8Array<ArrayBuffer>, format: 'jsonl' | 'json' | 'csv') {
    const res = await this.raw('POST', `/v1/projects/${encodeURIComponent(project)}/import?format=${format}`, file, { 'content-type': 'application/octet-stream' });
    return (await res.json()) as { rows: number; inserted: number; existing: number; failed: number; errors: { line: number; code: string; message: string }[] };
  }

  // Tasks
  /** Creates a task. An Idempotency-Key (generated unless given) makes retries safe. */
  createTask<T extends TaskTypeName>(type: T, body: NewTask<T>, opts: { idempotencyKey?: string } = {}) {
    return this.request<Task<T>>('POST', `/v1/task/${type}`, body, { 'idempotency-key': opts.idempotencyKey ?? randomKey() });
  }
  /** Creates a gold task with its expected answer. */
  createGoldTask<T extends TaskTypeName>(type: T, body: NewTask<T> & { expected_response: TaskResponse<T>; explanation?: string }) {
    return this.request<Task<T>>('POST', `/v1/evaluation_tasks/${type}`, body);
  }
  getTask(id: string) {
    return this.request<Task>('GET', `/v1/task/${encodeURIComponent(id)}`);
  }
  cancelTask(id: string) {
    return this.request<Task>('POST', `/v1/task/${encodeURIComponent(id)}/cancel`);
  }
  /** Accepts or rejects a completed task; a rejection needs reason_code, 20+ characters of comments and evidence. */
  auditTask(id: string, body: { accepted: boolean; comments?: string; reason_code?: string; evidence?: Record<string, unknown> }) {
    return this.request<{ task_id: string; audited: string; status: string }>('POST', `/v1/task/${encodeURIComponent(id)}/audit`, body);
  }
  resendCallback(id: string) {
    return this.request<{ task_id: string; webhook_id: string }>('POST', `/v1/task/${encodeURIComponent(id)}/resend_callback`);
  }
  setMetadata(id: string, metadata: Record<string, unknown>) {
    return this.request<Task>('POST', `/v1/task/${encodeURIComponent(id)}/setMetadata`, { metadata });
  }
  addTags(id: string, tags: string[]) {
    return this.request<Task>('PUT', `/v1/task/${encodeURIComponent(id)}/tags`, { tags });
  }
  removeTags(id: string, tags: string[]) {
    return this.request<Task>('DELETE', `/v1/task/${encodeURIComponent(id)}/tags`, { tags });
  }
  /** Every task matching the query, page after page (name the type to get typed answers: `tasks<'comparison'>(...)`). */
  async *tasks<T extends TaskTypeName = TaskTypeName>(query: TaskQuery = {}): AsyncGenerator<Task<T>> {
    let token: string | null = null;
    do {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, Array.isArray(v) ? v.join(',') : String(v));
      if (token) params.set('next_token', token);
      const page: { docs: Task<T>[]; next_token: string | null } = await this.request('GET', `/v1/tasks?${params}`);
      yield* page.docs;
      token = page.next_token;
    } while (token);
  }

  // Batches
  createBatch(body: { project: string; name: string; callback_url?: string }) {
    return this.request<Record<string, unknown>>('POST', '/v1/batches', body);
  }
  getBatch(name: string) {
    return this.request<Record<string, unknown>>('GET', `/v1/batches/${encodeURIComponent(name)}`);
  }
  batchStatus(name: string) {
    return this.request<{ status: string; counts: Record<string, number> }>('GET', `/v1/batches/${encodeURIComponent(name)}/status`);
  }
  finalizeBatch(name: string) {
    return this.request<Record<string, unknown>>('POST', `/v1/batches/${encodeURIComponent(name)}/finalize`);
  }
  pauseBatch(name: string) {
    return this.request<Record<string, unknown>>('POST', `/v1/batches/${encodeURIComponent(name)}/pause`);
  }
  resumeBatch(name: string) {
    return this.request<Record<string, unknown>>('POST', `/v1/batches/${encodeURIComponent(name)}/resume`);
  }
  cancelBatch(name: string) {
    return this.request<Record<string, unknown>>('POST', `/v1/batches/${encodeURIComponent(name)}/cancel`);
  }

  // Exports
  createExport(body: { project?: string; batch?: string; format: string; filters?: Record<string, unknown> }) {
    return this.request<{ export_id: string; status: string }>('POST', '/v1/exports', body);
  }
  getExport(id: string) {
    return this.request<ExportInfo>('GET', `/v1/exports/${encodeURIComponent(id)}`);
  }
  /** Polls an export until it is done (or failed: throws). */
  async waitForExport(id: string, pollMs = 250): Promise<ExportInfo> {
    for (;;) {
      const info = await this.getExport(id);
      if (info.status === 'done') return info;
      if (info.status === 'failed') throw new TesseraError(500, 'export_failed', `export ${id} failed`);
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }
  /** An export file as a stream of bytes. */
  async downloadExport(id: string, name: string): Promise<ReadableStream<Uint8Array>> {
    const res = await this.raw('GET', `/v1/exports/${encodeURIComponent(id)}/files/${encodeURIComponent(name)}`);
    if (!res.body) throw new TesseraError(500, 'empty_body', 'the export file has no body');
    return res.body;
  }

  /** The account's webhook signing secret. */
  async webhookSecret(): Promise<string> {
    return (await this.request<{ secret: string }>('GET', '/v1/webhooks/secret')).secret;
  }
}

/**
 * Checks a callback's Standard-Webhooks signature (webhook-id, webhook-timestamp,
 * webhook-signature headers) against the raw body and the account's secret; refuses
 * timestamps more than 5 minutes away.
 */
export function verifyWebhook(headers: Record<string, string | string[] | undefined> | Headers, body: string, secret: string): Promise<boolean> {
  const get = (name: string) => {
    const v = headers instanceof Headers ? headers.get(name) : headers[name];
    return Array.isArray(v) ? v[0] : (v ?? '');
  };
  return verify(secret, { id: get('webhook-id'), timestamp: get('webhook-timestamp'), signature: get('webhook-signature') }, body, Math.floor(Date.now() / 1000));
}
