/**
 * The error catalog: every error a client can see, with a stable code and HTTP status.
 * Clients and tests branch on `code`, never on the message. A retired code is never reused.
 */
export const errorCatalog = {
  bad_request: { status: 400, message: 'The request is not valid' },
  invalid_json: { status: 400, message: 'The request body is not valid JSON' },
  validation_failed: { status: 400, message: 'The request does not match the schema' },
  unsupported_media_type: { status: 415, message: 'This content type is not accepted here' },
  payload_too_large: { status: 413, message: 'The request body is too large' },
  length_required: { status: 411, message: 'A Content-Length header is required for uploads' },
  unauthenticated: { status: 401, message: 'Authentication is required' },
  invalid_credentials: { status: 401, message: 'Email or password is wrong' },
  invalid_api_key: { status: 401, message: 'The API key is unknown, expired or revoked' },
  forbidden: { status: 403, message: 'Your role does not allow this' },
  account_disabled: { status: 403, message: 'This account is deactivated' },
  not_found: { status: 404, message: 'Not found' },
  route_not_found: { status: 404, message: 'No such route' },
  project_not_found: { status: 404, message: 'No such project' },
  task_not_found: { status: 404, message: 'No such task' },
  user_not_found: { status: 404, message: 'No such user' },
  unknown_task_type: { status: 404, message: 'No such task type' },
  assignment_not_found: { status: 404, message: 'No such assignment' },
  project_paused: { status: 409, message: 'This project is paused: no work is handed out' },
  not_eligible: { status: 403, message: 'You do not meet this project\'s requirements' },
  assignment_not_active: { status: 409, message: 'This assignment is no longer active' },
  unknown_export_format: { status: 400, message: 'No such export format' },
  export_format_mismatch: { status: 422, message: "This export format does not fit the project's task type" },
  export_not_found: { status: 404, message: 'No such export' },
  export_not_ready: { status: 409, message: 'The export has not finished; its files are not there yet' },
  unsupported_project_type: { status: 422, message: "This evaluation is not available for this project's type" },
  invalid_predictions: { status: 422, message: 'The predictions do not fit the task type' },
  invalid_callback_url: { status: 400, message: 'callback_url must be an http(s) URL that is not this server' },
  no_callback_url: { status: 409, message: 'This task has no callback_url' },
  task_not_completed: { status: 409, message: 'This task is not completed' },
  batch_not_found: { status: 404, message: 'No such batch' },
  batch_exists: { status: 409, message: 'A batch with this name already exists' },
  batch_not_staging: { status: 409, message: 'Tasks can be added to a batch only while it is staging' },
  batch_state: { status: 409, message: 'The batch is not in a state that allows this' },
  task_not_in_review: { status: 409, message: 'This task is not waiting for review' },
  own_work: { status: 403, message: 'Reviewers never review their own work' },
  reason_required: { status: 422, message: 'This decision needs a published reason code and a text of at least 20 characters' },
  evidence_required: { status: 422, message: 'A rejection needs evidence: gold items, a criterion stated in the instructions, or a speed outlier' },
  lease_expired: { status: 409, message: 'The time to answer this task ran out; it went back to the queue' },
  project_exists: { status: 409, message: 'A project with this name already exists' },
  user_exists: { status: 409, message: 'A user with this email already exists' },
  unique_id_exists: { status: 409, message: 'A task with this unique_id already exists' },
  task_not_cancelable: { status: 409, message: 'Only a task with no started assignment can be canceled' },
  project_type_mismatch: { status: 422, message: 'The task type does not match the project type' },
  invalid_params: { status: 422, message: 'The task does not match its type' },
  invalid_project_params: { status: 422, message: 'The project parameters do not match its type' },
  invalid_response: { status: 422, message: 'The response does not match the task type' },
  idempotency_key_reused: { status: 422, message: 'This Idempotency-Key was used with a different request' },
  invalid_next_token: { status: 400, message: 'next_token is not valid' },
  invalid_import: { status: 400, message: 'The file cannot be imported' },
  rate_limited: { status: 429, message: 'Too many requests; retry later' },
  internal: { status: 500, message: 'Something went wrong on our side' },
  // The fair-work ledger (FAIRWORK.md).
  rate_card_invalid: { status: 422, message: 'The rate card is not valid' },
  required_activity_unpaid: { status: 422, message: 'A rate card must pay task time and every required activity: instructions, qualification, training and review rework' },
  invalid_jurisdiction: { status: 422, message: 'A jurisdiction is an ISO 3166 code, optionally with a subdivision: US, US-CA, GB, DE, FR, JP-13' },
  invalid_currency: { status: 422, message: 'A currency is an ISO 4217 code of three capital letters' },
  invalid_timezone: { status: 422, message: 'Unknown time zone: use an IANA name such as Europe/Paris' },
  invalid_date: { status: 422, message: 'Dates are YYYY-MM-DD and the range must run forwards, at most 366 days' },
  workweek_in_use: { status: 409, message: 'The workweek can change only when the worker has no open week with recorded time or pay' },
  activity_not_found: { status: 404, message: 'No such activity session' },
  activity_not_open: { status: 409, message: 'This activity session has ended' },
  project_below_floor: { status: 409, message: 'This project pays less than the floor at the time its work actually takes: it hands out no work until the requester raises the price or accepts top-ups' },
  worker_suspended: { status: 403, message: 'Your account is suspended: see your decisions for the reasons and how to appeal' },
  project_restricted: { status: 403, message: 'You are restricted from this project: see your decisions for the reasons and how to appeal' },
  evidence_invalid: { status: 422, message: 'Evidence must name gold items, a criterion stated in the instructions beforehand, or a speed outlier with z <= -3' },
  review_deadline_passed: { status: 409, message: 'The review deadline passed and the work was approved automatically; appeal or adjust instead' },
  decision_not_found: { status: 404, message: 'No such decision' },
  decision_not_pending: { status: 409, message: 'This decision is not waiting for a second person' },
  second_person_required: { status: 409, message: 'A second person, not the one who decided, must confirm this' },
  written_reason_required: { status: 422, message: 'This adverse action follows protected activity within 90 days: it needs a written reason of at least 20 characters and a second reviewer' },
  appeal_not_found: { status: 404, message: 'No such appeal' },
  appeal_window_closed: { status: 409, message: 'Appeals are possible within 30 days of the decision' },
  appeal_subject_not_found: { status: 404, message: 'Nothing to appeal with this subject' },
  appeal_exists: { status: 409, message: 'This decision already has an open appeal' },
  appeal_assignee_is_decider: { status: 409, message: 'An appeal is never heard by the person who made the original decision' },
  appeal_not_assigned_to_you: { status: 403, message: 'This appeal is assigned to someone else' },
  appeal_resolved: { status: 409, message: 'This appeal is already resolved' },
  sanction_not_found: { status: 404, message: 'No such sanction' },
  sanction_not_graduated: { status: 409, message: 'Sanctions are graduated: notice, warning, project restriction, suspension, deactivation, one step at a time' },
  quality_evidence_insufficient: { status: 409, message: 'No quality sanction without at least 10 gold answers and an upper 90% bound below the threshold' },
  statement_required: { status: 422, message: 'A sanction needs a plain-language statement of reasons of at least 20 characters' },
  sanction_not_pending: { status: 409, message: 'This sanction is not waiting for confirmation' },
  worker_not_found: { status: 404, message: 'No such worker' },
  fx_rate_missing: { status: 409, message: 'A conversion between currencies has no recorded exchange rate' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorCatalog;

/** An error a client may see. `details` is rendered as-is, so never put internals in it. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message ?? errorCatalog[code].message);
    this.status = errorCatalog[code].status;
  }
}

/** The JSON body of every error response. */
export function renderError(error: AppError): { status_code: number; error: { code: string; message: string; details?: unknown }; code: string } {
  return {
    status_code: error.status,
    code: error.code,
    error: error.details === undefined ? { code: error.code, message: error.message } : { code: error.code, message: error.message, details: error.details },
  };
}
