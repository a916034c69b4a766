import { AppError, type ErrorCode, errorCatalog } from '../../server/errors.ts';

/**
 * The error codes this module answers with, for src/server/errors.ts. Until a code is in the
 * catalog, `exportError` falls back to the catalog code named in `fallback` and puts the intended
 * code in `details.reason`; once it is added there, the stable code is used as is, unchanged here.
 */
export const exportErrors = {
  unknown_export_format: { status: 400, message: 'No such export format', fallback: 'validation_failed' },
  export_format_mismatch: { status: 422, message: "This export format does not fit the project's task type", fallback: 'validation_failed' },
  export_not_found: { status: 404, message: 'No such export', fallback: 'not_found' },
  export_not_ready: { status: 409, message: 'The export has not finished; its files are not there yet', fallback: 'not_found' },
  batch_not_found: { status: 404, message: 'No such batch', fallback: 'not_found' },
} as const satisfies Record<string, { status: number; message: string; fallback: ErrorCode }>;

export type ExportErrorCode = keyof typeof exportErrors;

/** The AppError for an export error code (see exportErrors for the fallback while the catalog lacks it). */
export function exportError(code: ExportErrorCode, message?: string, details?: Record<string, unknown>): AppError {
  const text = message ?? exportErrors[code].message;
  if (Object.hasOwn(errorCatalog, code)) return new AppError(code as unknown as ErrorCode, text, details);
  return new AppError(exportErrors[code].fallback, text, { ...details, reason: code });
}
