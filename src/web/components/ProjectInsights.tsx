/*
 * The requester's view of a project's pace and quality: throughput and agreement over time,
 * per-worker accuracy, the quality / overlap / review settings, batches, and a JSONL export built
 * in the browser.
 */
import { type FormEvent, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, type Batch, type Page, type Project, type ProjectQuality, type QualityMethod, type ReviewPolicy, type Task } from '../api.ts';
import { formatDateTime, formatNumber, formatPercent } from '../format.ts';
import { useLoad } from '../hooks.ts';
import { Loading, ProgressBar, StatusBadge } from './Bits.tsx';
import { TimeChart } from './Chart.tsx';
import { ErrorNote } from './ErrorNote.tsx';

const HOUR = 3_600_000;

interface Bucket {
  start: number;
  end: number;
}

/** The last `n` whole days (local midnight to midnight) or hours, oldest first, the current one included. */
export function buckets(kind: 'day' | 'hour', n: number, now = Date.now()): Bucket[] {
  const start = new Date(now);
  if (kind === 'day') start.setHours(0, 0, 0, 0);
  else start.setMinutes(0, 0, 0);
  const out: Bucket[] = [];
  for (let i = n - 1; i >= 0; i--) {
    const s = new Date(start);
    if (kind === 'day') s.setDate(s.getDate() - i);
    else s.setTime(start.getTime() - i * HOUR);
    const e = new Date(s);
    if (kind === 'day') e.setDate(e.getDate() + 1);
    else e.setTime(s.getTime() + HOUR);
    out.push({ start: s.getTime(), end: e.getTime() });
  }
  return out;
}

/** Runs `jobs` with at most `limit` at a time, keeping their order in the result. */
async function pool<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return out;
}

/**
 * Completed tasks per bucket. Each bucket is one `GET /v1/tasks?status=completed&completed_after&
 * completed_before&limit=1` whose `total` is the count: one small request per bar instead of
 * paging through every completed task (a stopgap until the server has a throughput endpoint).
 */
async function completedPerBucket(project: string, list: Bucket[], signal: AbortSignal): Promise<number[]> {
  return pool(
    list.map((b) => async () => {
      const page = await api<Page<Task>>('/tasks', {
        signal,
        query: { project, status: 'completed', completed_after: new Date(b.start).toISOString(), completed_before: new Date(b.end).toISOString(), limit: 1 },
      });
      return page.total;
    }),
    4,
  );
}

export function ThroughputCard({ project }: { project: string }) {
  const { t, i18n } = useTranslation();
  const locale = i18n.language;
  const [kind, setKind] = useState<'day' | 'hour'>('day');
  const data = useLoad(
    async (signal) => {
      const list = buckets(kind, kind === 'day' ? 14 : 24);
      return { list, counts: await completedPerBucket(project, list, signal) };
    },
    [project, kind],
  );
  const fmtX = (x: number) =>
    new Intl.DateTimeFormat(locale, kind === 'day' ? { month: 'short', day: 'numeric' } : { month: 'short', day: 'numeric', hour: 'numeric' }).format(new Date(x * 1000));
  const total = data.data?.counts.reduce((a, b) => a + b, 0) ?? 0;
  return (
    <section className="card" aria-labelledby="throughput-title">
      <div className="card-header">
        <h2 id="throughput-title">{t('insights.throughput')}</h2>
        <div className="segmented" role="radiogroup" aria-label={t('insights.bucket')}>
          {(['day', 'hour'] as const).map((k) => (
            <label key={k} className={`segment ${kind === k ? 'is-selected' : ''}`}>
              <input type="radio" name="throughput-bucket" checked={kind === k} onChange={() => setKind(k)} />
              {k === 'day' ? t('insights.perDay') : t('insights.perHour')}
            </label>
          ))}
        </div>
      </div>
      <ErrorNote error={data.error} />
      {data.loading && !data.data && <Loading />}
      {data.data && (
        <>
          <p className="muted small" data-testid="throughput-total" data-value={total}>
            {kind === 'day' ? t('insights.completedDays', { n: formatNumber(total, locale) }) : t('insights.completedHours', { n: formatNumber(total, locale) })}
          </p>
          <TimeChart
            testId="throughput-chart"
            title={kind === 'day' ? t('insights.completedPerDay') : t('insights.completedPerHour')}
            xs={data.data.list.map((b) => b.start / 1000)}
            series={[{ label: t('insights.completed'), color: '#2f5bd3', kind: 'bars', values: data.data.counts }]}
            formatX={fmtX}
            formatY={(y) => formatNumber(y, locale)}
          />
        </>
      )}
    </section>
  );
}

/** A 0-1 interval drawn on a track, with the mean as a dot. */
function IntervalBar({ low, mean, high }: { low: number; mean: number; high: number }) {
  return (
    <span className="interval" aria-hidden="true">
      <span className="interval-range" style={{ insetInlineStart: `${low * 100}%`, inlineSize: `${Math.max(0.5, (high - low) * 100)}%` }} />
      <span className="interval-mean" style={{ insetInlineStart: `${mean * 100}%` }} />
    </span>
  );
}

export function QualityCard({ project }: { project: string }) {
  const { t, i18n } = useTranslation();
  const locale = i18n.language;
  const report = useLoad((signal) => api<ProjectQuality>(`/projects/${encodeURIComponent(project)}/quality`, { signal }), [project]);
  const byDay = report.data?.agreement.by_day ?? [];
  const pct = (x: number | null | undefined) => (x === null || x === undefined ? '–' : formatPercent(x, locale));
  return (
    <section className="card" aria-labelledby="quality-title">
      <h2 id="quality-title">{t('insights.quality')}</h2>
      <ErrorNote error={report.error} />
      {report.loading && !report.data && <Loading />}
      {report.data && (
        <>
          {byDay.length === 0 ? (
            <p className="muted">{t('insights.noAgreement')}</p>
          ) : (
            <TimeChart
              testId="agreement-chart"
              title={t('insights.agreementOverTime')}
              xs={byDay.map((d) => Date.parse(`${d.day}T00:00:00Z`) / 1000)}
              series={[
                { label: t('insights.alpha'), color: '#1f7a4d', kind: 'line', values: byDay.map((d) => d.alpha) },
              ]}
              yRange={[Math.min(0, ...byDay.map((d) => d.alpha ?? 0)), 1]}
              formatX={(x) => new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(new Date(x * 1000))}
              formatY={(y) => formatNumber(Math.round(y * 100) / 100, locale)}
            />
          )}
          <h3>{t('insights.workers')}</h3>
          {report.data.workers.length === 0 ? (
            <p className="muted">{t('insights.noWorkers')}</p>
          ) : (
            <div className="table-wrap">
              <table className="table table-compact" data-testid="worker-quality">
                <thead>
                  <tr>
                    <th scope="col">{t('insights.worker')}</th>
                    <th scope="col" className="num">
                      {t('insights.answers')}
                    </th>
                    <th scope="col" className="num">
                      {t('insights.goldN')}
                    </th>
                    <th scope="col">{t('insights.goldAccuracy')}</th>
                    <th scope="col" className="num">
                      {t('insights.fitted')}
                    </th>
                    <th scope="col" className="num">
                      {t('insights.skill')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {report.data.workers.map((w) => (
                    <tr key={w.worker_id} data-worker={w.worker_id}>
                      <th scope="row" dir="auto">
                        {w.name || t('insights.workerN', { id: w.worker_id })}
                      </th>
                      <td className="num">{formatNumber(w.answers, locale)}</td>
                      <td className="num">{formatNumber(w.gold.n, locale)}</td>
                      <td>
                        <span className="interval-cell">
                          <IntervalBar low={w.gold.low} mean={w.gold.mean} high={w.gold.high} />
                          <span>{t('insights.interval', { mean: pct(w.gold.mean), low: pct(w.gold.low), high: pct(w.gold.high) })}</span>
                        </span>
                      </td>
                      <td className="num">{pct(w.fitted_accuracy)}</td>
                      <td className="num">{pct(w.skill)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}

const METHODS: QualityMethod[] = ['ds', 'mv', 'onecoin', 'glad', 'wawa'];
const MODES: ReviewPolicy['mode'][] = ['none', 'all', 'sample', 'low_confidence'];

/** Dynamic overlap, aggregation and review settings, saved with setParams. */
export function QualitySettingsCard({ project, onSaved }: { project: Project; onSaved(): void }) {
  const { t } = useTranslation();
  const q = project.quality ?? { target_confidence: 0.95, method: 'ds', prior: { alpha: 4, beta: 1 }, reestimate_every: 200, annotator_responses: false };
  const [min, setMin] = useState(String(project.overlap.min));
  const [max, setMax] = useState(String(project.overlap.max));
  const [target, setTarget] = useState(String(q.target_confidence));
  const [method, setMethod] = useState<QualityMethod>(q.method);
  const [alpha, setAlpha] = useState(String(q.prior.alpha));
  const [beta, setBeta] = useState(String(q.prior.beta));
  const [every, setEvery] = useState(String(q.reestimate_every));
  const [individual, setIndividual] = useState(q.annotator_responses);
  const [mode, setMode] = useState<ReviewPolicy['mode']>(project.review_policy.mode);
  const [samplePct, setSamplePct] = useState(String(Math.round((project.review_policy.sample_rate ?? 0.1) * 100)));
  const [below, setBelow] = useState(String(project.review_policy.confidence_below ?? q.target_confidence));
  const [deadline, setDeadline] = useState(String(project.review_policy.deadline_days ?? 3));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState(false);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    setError(undefined);
    const n = (s: string) => Number(s.replace(',', '.'));
    const overlapMin = n(min);
    const overlapMax = n(max);
    if (!Number.isInteger(overlapMin) || !Number.isInteger(overlapMax) || overlapMin < 1 || overlapMax < overlapMin) {
      setError(new ApiError(0, 'validation_failed', t('insights.overlapRule')));
      return;
    }
    const review_policy: ReviewPolicy = {
      mode,
      deadline_days: n(deadline),
      ...(mode === 'sample' && { sample_rate: n(samplePct) / 100 }),
      ...(mode === 'low_confidence' && { confidence_below: n(below) }),
    };
    setBusy(true);
    try {
      await api(`/projects/${encodeURIComponent(project.name)}/setParams`, {
        method: 'POST',
        body: {
          overlap: { min: overlapMin, max: overlapMax },
          review_policy,
          quality: { target_confidence: n(target), method, prior: { alpha: n(alpha), beta: n(beta) }, reestimate_every: n(every), annotator_responses: individual },
        },
      });
      setSaved(true);
      onSaved();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card" aria-labelledby="qsettings-title" onSubmit={save} data-testid="quality-settings">
      <h2 id="qsettings-title">{t('insights.settings')}</h2>
      <p className="help">{t('insights.settingsHelp')}</p>
      <div className="form-grid">
        <div className="field">
          <label htmlFor="q-min">{t('create.overlapMin')}</label>
          <input id="q-min" type="number" min={1} max={100} value={min} onChange={(e) => setMin(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="q-max">{t('create.overlapMax')}</label>
          <input id="q-max" type="number" min={1} max={100} value={max} onChange={(e) => setMax(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="q-target">{t('insights.target')}</label>
          <input id="q-target" type="number" min={0.5} max={1} step={0.01} value={target} onChange={(e) => setTarget(e.target.value)} aria-describedby="q-target-help" />
          <p id="q-target-help" className="help">
            {t('insights.targetHelp')}
          </p>
        </div>
        <div className="field">
          <label htmlFor="q-method">{t('insights.method')}</label>
          <select id="q-method" value={method} onChange={(e) => setMethod(e.target.value as QualityMethod)}>
            {METHODS.map((m) => (
              <option key={m} value={m}>
                {t(`insights.methods.${m}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="q-alpha">{t('insights.priorAlpha')}</label>
          <input id="q-alpha" type="number" min={0.1} step="any" value={alpha} onChange={(e) => setAlpha(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="q-beta">{t('insights.priorBeta')}</label>
          <input id="q-beta" type="number" min={0.1} step="any" value={beta} onChange={(e) => setBeta(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="q-every">{t('insights.reestimate')}</label>
          <input id="q-every" type="number" min={10} value={every} onChange={(e) => setEvery(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="q-mode">{t('create.review')}</label>
          <select id="q-mode" value={mode} onChange={(e) => setMode(e.target.value as ReviewPolicy['mode'])} data-testid="review-mode">
            {MODES.map((m) => (
              <option key={m} value={m}>
                {t(`review.${m}`)}
              </option>
            ))}
          </select>
        </div>
        {mode === 'sample' && (
          <div className="field">
            <label htmlFor="q-sample">{t('create.samplePercent')}</label>
            <input id="q-sample" type="number" min={0} max={100} value={samplePct} onChange={(e) => setSamplePct(e.target.value)} />
          </div>
        )}
        {mode === 'low_confidence' && (
          <div className="field">
            <label htmlFor="q-below">{t('insights.confidenceBelow')}</label>
            <input id="q-below" type="number" min={0} max={1} step={0.01} value={below} onChange={(e) => setBelow(e.target.value)} />
          </div>
        )}
        {mode !== 'none' && (
          <div className="field">
            <label htmlFor="q-deadline">{t('create.deadlineDays')}</label>
            <input id="q-deadline" type="number" min={1} max={14} value={deadline} onChange={(e) => setDeadline(e.target.value)} />
          </div>
        )}
      </div>
      <label className="check">
        <input type="checkbox" checked={individual} onChange={(e) => setIndividual(e.target.checked)} data-testid="annotator-responses" />
        {t('insights.individual')}
      </label>
      <ErrorNote error={error} />
      {saved && (
        <p className="note note-good" role="status" data-testid="settings-saved">
          {t('insights.saved')}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy} data-testid="save-settings">
          {t('common.save')}
        </button>
      </div>
    </form>
  );
}

export function BatchesCard({ project }: { project: string }) {
  const { t, i18n } = useTranslation();
  const locale = i18n.language;
  const batches = useLoad((signal) => api<{ docs: Batch[] }>('/batches', { signal, query: { project } }), [project]);
  return (
    <section className="card" aria-labelledby="batches-title">
      <h2 id="batches-title">{t('insights.batches')}</h2>
      <ErrorNote error={batches.error} />
      {batches.loading && !batches.data && <Loading />}
      {batches.data && batches.data.docs.length === 0 && <p className="muted">{t('insights.noBatches')}</p>}
      {batches.data && batches.data.docs.length > 0 && (
        <div className="table-wrap">
          <table className="table table-compact" data-testid="batches">
            <thead>
              <tr>
                <th scope="col">{t('projects.name')}</th>
                <th scope="col">{t('projects.status')}</th>
                <th scope="col">{t('projects.created')}</th>
                <th scope="col">{t('insights.finalized')}</th>
                <th scope="col">{t('insights.batchCompleted')}</th>
              </tr>
            </thead>
            <tbody>
              {batches.data.docs.map((b) => (
                <tr key={b.name} data-batch={b.name}>
                  <td dir="auto">{b.name}</td>
                  <td>
                    <StatusBadge status={b.status} kind="batch" />
                  </td>
                  <td className="nowrap">{formatDateTime(b.created_at, locale)}</td>
                  <td className="nowrap">{formatDateTime(b.finalized_at, locale)}</td>
                  <td className="nowrap">{formatDateTime(b.completed_at, locale)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/**
 * Downloads every task of the project as JSON Lines, page by page through GET /v1/tasks, built in
 * the browser: a stopgap until export jobs stream files from the server.
 */
export function ExportJsonl({ project, total }: { project: string; total: number }) {
  const { t, i18n } = useTranslation();
  const locale = i18n.language;
  const [state, setState] = useState<{ running: boolean; done: number; error?: unknown; finished?: number }>({ running: false, done: 0 });
  const abort = useRef<AbortController | undefined>(undefined);

  const run = async () => {
    const controller = new AbortController();
    abort.current = controller;
    setState({ running: true, done: 0 });
    const lines: string[] = [];
    try {
      let token: string | null | undefined;
      do {
        const page: Page<Task> = await api<Page<Task>>('/tasks', { signal: controller.signal, query: { project, limit: 100, next_token: token ?? undefined } });
        for (const task of page.docs) lines.push(`${JSON.stringify(task)}\n`);
        token = page.next_token;
        setState({ running: true, done: lines.length });
      } while (token);
      const url = URL.createObjectURL(new Blob(lines, { type: 'application/x-ndjson' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `${project}.jsonl`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setState({ running: false, done: lines.length, finished: lines.length });
    } catch (error) {
      if ((error as Error).name === 'AbortError') setState({ running: false, done: lines.length });
      else setState({ running: false, done: lines.length, error });
    }
  };

  return (
    <div className="export" data-testid="export">
      {state.running ? (
        <div className="row">
          <span className="export-progress">
            <ProgressBar value={state.done} max={Math.max(total, state.done)} label={t('insights.exporting')} />
          </span>
          <span className="muted small" aria-live="polite">
            {t('insights.exported', { n: formatNumber(state.done, locale), total: formatNumber(total, locale) })}
          </span>
          <button type="button" className="button button-quiet" onClick={() => abort.current?.abort()}>
            {t('common.cancel')}
          </button>
        </div>
      ) : (
        <button type="button" className="button" onClick={() => void run()} data-testid="export-jsonl">
          {t('insights.exportJsonl')}
        </button>
      )}
      {state.finished !== undefined && (
        <span className="muted small" role="status" data-testid="export-done" data-value={state.finished}>
          {t('insights.exportDone', { n: formatNumber(state.finished, locale) })}
        </span>
      )}
      <ErrorNote error={state.error} />
    </div>
  );
}
