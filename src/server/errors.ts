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
