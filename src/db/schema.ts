import type { Generated } from 'kysely';
import type { LedgerTables } from '../modules/ledger/ledger.schema.ts';

/*
 * Table types, as stored. Columns are snake_case; repositories map rows to camelCase objects.
 * JSON is stored as text on both databases (parsed in repositories), booleans as 0/1 integers,
 * time as integer milliseconds since the epoch (server clock), money as integer minor units.
 */

export interface UsersTable {
  id: Generated<number>;
  email: string;
  password_hash: string;
  role: 'admin' | 'requester' | 'reviewer' | 'worker';
  display_name: string;
  /** JSON array of BCP-47 language codes the person reads. */
  languages: string;
  locale: string;
  timezone: string;
  active: number;
  created_at: number;
}

export interface SessionsTable {
  /** SHA-256 of the cookie token; the token itself is never stored. */
  id: string;
  user_id: number;
  created_at: number;
  expires_at: number;
}

export interface ApiKeysTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  /** First characters of the key, shown in lists so a person can tell keys apart. */
  prefix: string;
  key_hash: string;
  is_test: number;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
}

export interface RateWindowsTable {
  key: string;
  window_start: number;
  count: number;
}

export interface ProjectsTable {
  id: Generated<number>;
  owner_id: number;
  name: string;
  type: string;
  params: string;
  instructions: string;
  overlap_min: number;
  overlap_max: number;
  priority: number;
  gold_rate: number;
  review_policy: string;
  pay: string;
  lease_seconds: number;
  idle_grace_seconds: number;
  per_worker_cap: number | null;
  languages: string;
  content_warnings: string;
  status: 'draft' | 'active' | 'paused' | 'archived';
  /** JSON array of skills (or qualifications) a worker must hold. */
  required_skills: Generated<string>;
  /** JSON quality settings: target confidence, method, skill prior. */
  quality: Generated<string>;
  /** JSON pre-label settings: {show, endpoint_url, timeout_ms}. */
  prelabels: Generated<string>;
  created_at: number;
  updated_at: number;
}

export interface TasksTable {
  id: Generated<number>;
  owner_id: number;
  project_id: number;
  batch: string | null;
  type: string;
  status: 'pending' | 'completed' | 'canceled' | 'error';
  sub_status: 'queued' | 'in_progress' | 'in_review' | 'redo' | 'quarantined' | null;
  is_test: number;
  is_gold: number;
  params: string;
  attachments: string;
  instruction: string | null;
  callback_url: string | null;
  unique_id: string | null;
  /** unique_id, or a hash of the row's content for rows without one: makes re-imports add nothing. */
  dedupe_key: string;
  priority: number;
  responses_required: number;
  metadata: string;
  tags: string;
  expected_response: string | null;
  gold_explanation: string | null;
  response: string | null;
  answers_count: number;
  active_count: number;
  created_at: number;
  updated_at: number;
  completed_at: number | null;
  import_id: number | null;
  /** JSON {answer, confidence, method, n_answers, agreement, decided_by}: the task's aggregated result. */
  result: string | null;
  /** 1 while the task's batch is staging, paused or canceled: not handed out. */
  held: Generated<number>;
  /** Set when the callback was delivered (1) or gave up (0). */
  callback_succeeded: number | null;
  /** JSON array of model suggestions [{response, score?, model?}]: kept apart from human answers. */
  predictions: string | null;
  /** Pre-labelling by the project's model endpoint: pending, done or failed. */
  prelabel_status: string | null;
  prelabel_attempts: Generated<number>;
  prelabel_next_at: number | null;
}

export interface ProjectTaskCountStripesTable {
  project_id: number;
  status: string;
  /** One of COUNT_STRIPES rows per (project, status); the count is their sum. */
  stripe: number;
  n: number;
}

export interface TaskTagsTable {
  task_id: number;
  tag: string;
}

export interface IdempotencyKeysTable {
  owner_id: number;
  key: string;
  request_hash: string;
  status_code: number;
  body: string;
  created_at: number;
}

export interface ImportsTable {
  id: Generated<number>;
  owner_id: number;
  project_id: number;
  source: string;
  format: string;
  status: 'running' | 'done' | 'failed';
  rows_read: Generated<number>;
  inserted: Generated<number>;
  existing: Generated<number>;
  failed: Generated<number>;
  started_at: number;
  finished_at: number | null;
}

export interface AssignmentsTable {
  id: Generated<number>;
  task_id: number;
  project_id: number;
  worker_id: number;
  status: 'active' | 'submitted' | 'expired' | 'skipped' | 'released';
  is_gold: number;
  claimed_at: number;
  lease_expires_at: number;
  ended_at: number | null;
  response: string | null;
  gold_score: number | null;
  skip_reason: string | null;
  /** JSON of what the worker was shown before accepting: estimate, pay, hourly, currency. */
  shown: string;
  active_ms: Generated<number>;
  short_idle_ms: Generated<number>;
  long_idle_ms: Generated<number>;
  idle_streak_ms: Generated<number>;
  last_signal_at: number;
  idle_grace_ms: number;
  /** Set by review: 'accepted', 'revise' or 'rejected' (the answer no longer counts). */
  review_status: string | null;
}

export interface WorkerQualityTable {
  project_id: number;
  worker_id: number;
  gold_n: Generated<number>;
  gold_correct: Generated<number>;
  fitted_accuracy: number | null;
  confusion: string | null;
  updated_at: number;
}

export interface ReviewDecisionsTable {
  id: Generated<number>;
  task_id: number;
  assignment_id: number | null;
  reviewer_id: number;
  action: 'accept' | 'fix' | 'revise' | 'reject';
  reason_code: string | null;
  text: string | null;
  evidence: string | null;
  created_at: number;
}

export interface QualityFitsTable {
  project_id: number;
  answers_at_fit: number;
  iterations: number;
  method: string;
  fitted_at: number;
}

export interface JobLeasesTable {
  name: string;
  holder: string;
  expires_at: number;
}

export interface WorkerSkillsTable {
  user_id: number;
  skill: string;
  granted_at: number;
}

export interface BatchesTable {
  id: Generated<number>;
  owner_id: number;
  project_id: number;
  name: string;
  status: 'staging' | 'in_progress' | 'paused' | 'completed' | 'canceled';
  callback_url: string | null;
  created_at: number;
  finalized_at: number | null;
  completed_at: number | null;
}

export interface WebhookOutboxTable {
  id: Generated<number>;
  owner_id: number;
  task_id: number | null;
  batch_id: number | null;
  event: string;
  url: string;
  payload: string;
  webhook_id: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: Generated<number>;
  next_attempt_at: number;
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
}

export interface WebhookSecretsTable {
  owner_id: number;
  secret: string;
  created_at: number;
}

export interface ExportsTable {
  id: Generated<number>;
  owner_id: number;
  project_id: number;
  format: string;
  /** JSON {batch, status, completed_since, min_confidence, only_reviewed}. */
  filters: string;
  /** JSON format options {include_ties, split}. */
  options: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  rows: Generated<number>;
  skipped: Generated<number>;
  bytes: Generated<number>;
  sha256: string | null;
  /** JSON [{name, bytes, sha256}], names relative to the export's folder. */
  files: Generated<string>;
  /** JSON {counts: {code: n}, first: [{task_id, code, message}]}. */
  problems: Generated<string>;
  error: string | null;
  progress: Generated<number>;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  updated_at: number;
}

export interface DB extends LedgerTables {
  users: UsersTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  rate_windows: RateWindowsTable;
  projects: ProjectsTable;
  tasks: TasksTable;
  task_tags: TaskTagsTable;
  project_task_count_stripes: ProjectTaskCountStripesTable;
  idempotency_keys: IdempotencyKeysTable;
  imports: ImportsTable;
  assignments: AssignmentsTable;
  worker_skills: WorkerSkillsTable;
  worker_quality: WorkerQualityTable;
  review_decisions: ReviewDecisionsTable;
  quality_fits: QualityFitsTable;
  job_leases: JobLeasesTable;
  batches: BatchesTable;
  webhook_outbox: WebhookOutboxTable;
  webhook_secrets: WebhookSecretsTable;
  exports: ExportsTable;
}
