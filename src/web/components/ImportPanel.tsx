import { type DragEvent, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, apiUrl, errorFrom, NETWORK_ERROR } from '../api.ts';
import { formatBytes, formatNumber } from '../format.ts';
import { ProgressBar, Stat } from './Bits.tsx';
import { ErrorNote } from './ErrorNote.tsx';

type Format = 'jsonl' | 'json' | 'csv';

interface Counts {
  rows: number;
  inserted: number;
  existing: number;
  failed: number;
  bytes: number;
}

interface RowError {
  line: number;
  code: string;
  message: string;
}

interface Done extends Counts {
  errors: RowError[];
  file_error: string | null;
}

interface Run {
  file: File;
  format: Format;
  sent: number;
  counts: Counts;
  done?: Done;
  error?: unknown;
  aborted?: boolean;
}

/** Existing rows come back in `errors` as notices, not failures. */
const ALREADY_THERE = 'unique_id_exists';

export function formatOf(fileName: string): Format | undefined {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.csv') || lower.endsWith('.tsv')) return 'csv';
  return undefined;
}

/**
 * Streams one file to the import endpoint with ?progress=true and follows the NDJSON events it
 * answers with: progress after each batch, then the summary. XMLHttpRequest rather than fetch
 * because it also reports the upload's own progress, and lets us read the answer while it streams.
 */
function upload(project: string, file: File, format: Format, on: { sent(bytes: number): void; event(e: Record<string, unknown>): void; fail(error: unknown): void }): XMLHttpRequest {
  const xhr = new XMLHttpRequest();
  xhr.open('POST', apiUrl(`/projects/${encodeURIComponent(project)}/import`, { format, filename: file.name, progress: true }));
  xhr.setRequestHeader('content-type', 'application/octet-stream');
  xhr.setRequestHeader('accept', 'application/x-ndjson, application/json');
  let read = 0;
  const drain = (final: boolean) => {
    const text = xhr.responseText;
    const end = final ? text.length : text.lastIndexOf('\n') + 1;
    if (end <= read) return;
    for (const line of text.slice(read, end).split('\n')) {
      if (!line.trim()) continue;
      try {
        on.event(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // A half line only happens at the very end of a cut connection; onload reports that.
      }
    }
    read = end;
  };
  xhr.upload.onprogress = (e) => on.sent(e.loaded);
  xhr.onprogress = () => {
    if (xhr.status === 200) drain(false);
  };
  xhr.onload = () => {
    if (xhr.status !== 200) {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      on.fail(errorFrom(xhr.status, body));
      return;
    }
    drain(true);
  };
  xhr.onerror = () => on.fail(new ApiError(0, NETWORK_ERROR, 'network error'));
  xhr.send(file);
  return xhr;
}

/** Drop a file (or choose one) to import tasks, with live progress and per-line problems. */
export function ImportPanel({ project, onFinished }: { project: string; onFinished(): void }) {
  const { t, i18n } = useTranslation();
  const locale = i18n.language;
  const inputId = useId();
  const [dragging, setDragging] = useState(false);
  const [formatChoice, setFormatChoice] = useState<'auto' | Format>('auto');
  const [run, setRun] = useState<Run>();
  const [pickError, setPickError] = useState<string>();
  const xhrRef = useRef<XMLHttpRequest | undefined>(undefined);
  const onFinishedRef = useRef(onFinished);
  onFinishedRef.current = onFinished;
  const running = !!run && !run.done && !run.error && !run.aborted;

  useEffect(() => () => xhrRef.current?.abort(), []);

  const start = (file: File) => {
    if (running) return;
    const format = formatChoice === 'auto' ? formatOf(file.name) : formatChoice;
    if (!format) {
      setPickError(t('import.unknownFormat', { name: file.name }));
      return;
    }
    setPickError(undefined);
    setRun({ file, format, sent: 0, counts: { rows: 0, inserted: 0, existing: 0, failed: 0, bytes: 0 } });
    xhrRef.current = upload(project, file, format, {
      sent: (sent) => setRun((r) => r && { ...r, sent }),
      event: (e) => {
        if (e.event === 'progress') setRun((r) => r && { ...r, counts: e as unknown as Counts });
        else if (e.event === 'done') {
          setRun((r) => r && { ...r, counts: e as unknown as Counts, done: e as unknown as Done });
          onFinishedRef.current();
        } else if (e.event === 'error') {
          setRun((r) => r && { ...r, error: new ApiError(500, String(e.code ?? 'internal'), String(e.message ?? '')) });
          onFinishedRef.current();
        }
      },
      fail: (error) => setRun((r) => r && { ...r, error }),
    });
  };

  const cancel = () => {
    xhrRef.current?.abort();
    setRun((r) => r && { ...r, aborted: true });
    onFinishedRef.current();
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const file = event.dataTransfer.files[0];
    if (file) start(file);
  };

  const problems = run?.done?.errors.filter((e) => e.code !== ALREADY_THERE) ?? [];
  const failedTotal = run?.done?.failed ?? 0;
  const size = run?.file.size ?? 0;
  const readBytes = Math.max(run?.counts.bytes ?? 0, run?.done ? size : 0);

  return (
    <section className="card import" aria-labelledby="import-title">
      <h2 id="import-title">{t('import.title')}</h2>
      <div
        className={`dropzone ${dragging ? 'is-dragging' : ''} ${running ? 'is-busy' : ''}`}
        data-testid="dropzone"
        onDragEnter={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragOver={(e) => {
          e.preventDefault();
          e.dataTransfer.dropEffect = 'copy';
        }}
        onDragLeave={(e) => {
          if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
        }}
        onDrop={onDrop}
      >
        <p className="dropzone-lead">{t('import.drop')}</p>
        <p className="muted">{t('import.formats')}</p>
        <div className="dropzone-actions">
          <input
            id={inputId}
            type="file"
            className="visually-hidden file-input"
            accept=".jsonl,.ndjson,.json,.csv"
            data-testid="import-file"
            disabled={running}
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file) start(file);
              e.target.value = '';
            }}
          />
          <label htmlFor={inputId} className="button">
            {t('import.choose')}
          </label>
          <label className="inline-field">
            <span>{t('import.format')}</span>
            <select value={formatChoice} onChange={(e) => setFormatChoice(e.target.value as 'auto' | Format)} disabled={running}>
              <option value="auto">{t('import.formatAuto')}</option>
              <option value="jsonl">JSONL</option>
              <option value="json">JSON</option>
              <option value="csv">CSV</option>
            </select>
          </label>
        </div>
      </div>
      {pickError && (
        <p className="note note-error" role="alert">
          {pickError}
        </p>
      )}

      {run && (
        <div className="import-run" data-testid="import-run" data-state={run.done ? 'done' : run.error ? 'error' : run.aborted ? 'aborted' : 'running'}>
          <div className="import-file">
            <strong dir="auto">{run.file.name}</strong>
            <span className="muted">{formatBytes(size, locale)}</span>
            {running && (
              <button type="button" className="button button-quiet" onClick={cancel}>
                {t('common.cancel')}
              </button>
            )}
          </div>
          <ProgressBar value={readBytes} max={size} label={t('import.progressLabel')} />
          <p className="muted" aria-live="polite" data-testid="import-bytes">
            {run.done
              ? t('import.finished')
              : t('import.readOf', { read: formatBytes(readBytes, locale), total: formatBytes(size, locale), sent: formatBytes(run.sent, locale) })}
          </p>
          <dl className="stats stats-small" aria-live="polite">
            <Stat label={t('import.rows')} value={run.counts.rows} testId="import-rows" />
            <Stat label={t('import.inserted')} value={run.counts.inserted} testId="import-inserted" tone="good" />
            <Stat label={t('import.existing')} value={run.counts.existing} testId="import-existing" />
            <Stat label={t('import.failed')} value={run.counts.failed} testId="import-failed" tone={run.counts.failed ? 'bad' : undefined} />
          </dl>
          {run.aborted && <p className="note">{t('import.aborted')}</p>}
          <ErrorNote error={run.error} />
          {run.done && (
            <p className="note note-good" role="status" data-testid="import-summary">
              {run.done.inserted === 0 && run.done.existing > 0 && run.done.failed === 0
                ? t('import.nothingNew', { existing: formatNumber(run.done.existing, locale) })
                : t('import.summary', {
                    inserted: formatNumber(run.done.inserted, locale),
                    existing: formatNumber(run.done.existing, locale),
                    failed: formatNumber(run.done.failed, locale),
                  })}
            </p>
          )}
          {run.done?.file_error && (
            <p className="note note-error" role="alert">
              {t('import.fileError', { message: run.done.file_error })}
            </p>
          )}
          {problems.length > 0 && (
            <div className="import-errors">
              <h3>{t('import.problems')}</h3>
              {failedTotal > problems.length && <p className="muted">{t('import.problemsFirst', { shown: formatNumber(problems.length, locale), total: formatNumber(failedTotal, locale) })}</p>}
              <div className="table-wrap scroll-y">
                <table className="table table-compact" data-testid="import-errors">
                  <thead>
                    <tr>
                      <th scope="col" className="num">
                        {t('import.line')}
                      </th>
                      <th scope="col">{t('import.code')}</th>
                      <th scope="col">{t('import.message')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {problems.slice(0, 500).map((e) => (
                      <tr key={`${e.line}-${e.code}`} data-line={e.line}>
                        <td className="num">{formatNumber(e.line, locale)}</td>
                        <td>
                          <code>{e.code}</code>
                        </td>
                        <td dir="auto">{e.message}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </div>
          )}
        </div>
      )}
    </section>
  );
}
