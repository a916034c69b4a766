import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type ImportRecord, type Page, type Project, type Task } from '../api.ts';
import { Loading, PageHeader, ProgressBar, Stat, StatusBadge } from '../components/Bits.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { ImportPanel } from '../components/ImportPanel.tsx';
import { BatchesCard, ExportJsonl, QualityCard, QualitySettingsCard, ThroughputCard } from '../components/ProjectInsights.tsx';
import { Markdown } from '../components/Markdown.tsx';
import { formatDateTime, formatDays, formatDuration, formatMoney, formatNumber, formatPercent, impliedHourlyMinor } from '../format.ts';
import { useLoad, usePageTitle } from '../hooks.ts';
import { LOCALE_NAMES, isLocale } from '../i18n.ts';
import { Link } from '../router.tsx';

const TASK_PAGE = 25;

/** A short plain-text preview of a task's first attachment. */
function preview(task: Task): string {
  const first = task.attachments[0];
  if (!first) return '';
  if (typeof first.content === 'string') return first.content.length > 140 ? `${first.content.slice(0, 140)}…` : first.content;
  return JSON.stringify(first.content).slice(0, 140);
}

function languageName(code: string): string {
  return isLocale(code) ? LOCALE_NAMES[code] : code;
}

/** One project: progress, settings, import, import history and recent tasks. */
export function ProjectPage({ name }: { name: string }) {
  const { t, i18n } = useTranslation();
  const locale = i18n.language;
  usePageTitle(name);
  const project = useLoad((signal) => api<Project>(`/projects/${encodeURIComponent(name)}`, { signal }), [name]);
  const imports = useLoad((signal) => api<{ docs: ImportRecord[] }>(`/projects/${encodeURIComponent(name)}/imports`, { signal }), [name]);
  const [statusFilter, setStatusFilter] = useState('');
  const [extra, setExtra] = useState<{ docs: Task[]; next: string | null }>({ docs: [], next: null });
  const tasks = useLoad(
    async (signal) => {
      const page = await api<Page<Task>>('/tasks', { signal, query: { project: name, limit: TASK_PAGE, status: statusFilter || undefined } });
      setExtra({ docs: [], next: page.next_token });
      return page;
    },
    [name, statusFilter],
  );
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<unknown>();
  const [instructionLang, setInstructionLang] = useState<string>();

  const refresh = () => {
    project.reload();
    imports.reload();
    tasks.reload();
  };

  const setStatus = async (status: 'active' | 'paused') => {
    setBusy(true);
    setActionError(undefined);
    try {
      await api(`/projects/${encodeURIComponent(name)}/setParams`, { method: 'POST', body: { status } });
      project.reload();
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(false);
    }
  };

  const loadMore = async () => {
    if (!extra.next) return;
    try {
      const page = await api<Page<Task>>('/tasks', { query: { project: name, limit: TASK_PAGE, status: statusFilter || undefined, next_token: extra.next } });
      setExtra((e) => ({ docs: [...e.docs, ...page.docs], next: page.next_token }));
    } catch (e) {
      setActionError(e);
    }
  };

  const p = project.data;
  if (!p) {
    return (
      <section className="page">
        <PageHeader title={name} />
        <ErrorNote error={project.error} />
        {project.loading && <Loading />}
      </section>
    );
  }

  const c = p.task_counts ?? { pending: 0, completed: 0, canceled: 0, error: 0 };
  const total = c.pending + c.completed + c.canceled + c.error;
  const instructionLangs = Object.keys(p.instructions);
  const shownLang = instructionLang && p.instructions[instructionLang] !== undefined ? instructionLang : instructionLangs.includes(locale) ? locale : instructionLangs[0];
  const allTasks = [...(tasks.data?.docs ?? []), ...extra.docs];

  return (
    <section className="page">
      <PageHeader
        title={p.name}
        sub={
          <>
            <span>{t(`types.${p.type}.title`, { defaultValue: p.type })}</span> <StatusBadge status={p.status} />
          </>
        }
      >
        {p.status === 'active' && (
          <button type="button" className="button" onClick={() => setStatus('paused')} disabled={busy} data-testid="pause">
            {t('project.pause')}
          </button>
        )}
        <Link to={`/review/${encodeURIComponent(p.name)}`} className="button" data-testid="review-link">
          {t('insights.reviewQueue')}
        </Link>
        <Link to={`/projects/${encodeURIComponent(p.name)}/compliance`} className="button" data-testid="compliance-link">
          {t('compliance.link')}
        </Link>
        {(p.type === 'comparison' || p.type === 'ranking') && (
          <Link to={`/projects/${encodeURIComponent(p.name)}/leaderboard`} className="button" data-testid="leaderboard-link">
            {t('leaderboard.link')}
          </Link>
        )}
        {p.type === 'refusalaudit' && (
          <Link to={`/projects/${encodeURIComponent(p.name)}/refusal-report`} className="button" data-testid="refusal-report-link">
            {t('refusalReport.link')}
          </Link>
        )}
        {(p.status === 'paused' || p.status === 'draft') && (
          <button type="button" className="button button-primary" onClick={() => setStatus('active')} disabled={busy} data-testid="resume">
            {p.status === 'draft' ? t('project.open') : t('project.resume')}
          </button>
        )}
      </PageHeader>
      <ErrorNote error={actionError} />

      <section className="card" aria-labelledby="progress-title">
        <h2 id="progress-title">{t('project.progress')}</h2>
        <dl className="stats">
          <Stat label={t('counts.pending')} value={c.pending} testId="count-pending" />
          <Stat label={t('counts.completed')} value={c.completed} testId="count-completed" tone="good" />
          <Stat label={t('counts.canceled')} value={c.canceled} testId="count-canceled" />
          <Stat label={t('counts.error')} value={c.error} testId="count-error" tone={c.error ? 'bad' : undefined} />
          <Stat label={t('counts.total')} value={total} testId="count-total" />
        </dl>
        <ProgressBar value={c.completed} max={total - c.canceled} label={t('project.completedShare')} />
        <ExportJsonl project={p.name} total={total} />
      </section>

      <ThroughputCard project={p.name} />
      <QualityCard project={p.name} />
      <QualitySettingsCard project={p} onSaved={() => project.reload()} />

      <div className="grid-2">
        <section className="card" aria-labelledby="settings-title">
          <h2 id="settings-title">{t('project.settings')}</h2>
          <dl className="facts">
            <dt>{t('create.overlap')}</dt>
            <dd>{t('project.overlapValue', { min: formatNumber(p.overlap.min, locale), max: formatNumber(p.overlap.max, locale) })}</dd>
            <dt>{t('create.goldRate')}</dt>
            <dd>{formatPercent(p.gold_rate, locale)}</dd>
            <dt>{t('create.review')}</dt>
            <dd>
              {t(`review.${p.review_policy.mode}`)}
              {p.review_policy.deadline_days ? ` · ${t('project.deadline', { days: formatDays(p.review_policy.deadline_days, locale) })}` : ''}
            </dd>
            <dt>{t('create.piece')}</dt>
            <dd>{formatMoney(p.pay.piece_rate_minor, p.pay.currency, locale)}</dd>
            <dt>{t('create.estimate')}</dt>
            <dd>{formatDuration(p.pay.estimated_seconds, locale)}</dd>
            <dt>{t('create.hourly')}</dt>
            <dd>{t('money.perHour', { amount: formatMoney(impliedHourlyMinor(p.pay.piece_rate_minor, p.pay.estimated_seconds), p.pay.currency, locale) })}</dd>
            <dt>{t('create.lease')}</dt>
            <dd>{formatDuration(p.lease_seconds, locale)}</dd>
            <dt>{t('create.languages')}</dt>
            <dd>{p.languages.length ? p.languages.map(languageName).join(', ') : t('create.anyLanguage')}</dd>
            <dt>{t('create.warnings')}</dt>
            <dd>{p.content_warnings.length ? p.content_warnings.join(', ') : t('common.none')}</dd>
          </dl>
        </section>

        <section className="card" aria-labelledby="instructions-title">
          <h2 id="instructions-title">{t('project.instructions')}</h2>
          {instructionLangs.length === 0 ? (
            <p className="muted">{t('project.noInstructions')}</p>
          ) : (
            <>
              {instructionLangs.length > 1 && (
                <div className="tabs" role="tablist" aria-label={t('project.instructionLanguage')}>
                  {instructionLangs.map((l) => (
                    <button key={l} type="button" role="tab" aria-selected={l === shownLang} className="tab" onClick={() => setInstructionLang(l)} lang={l}>
                      {languageName(l)}
                    </button>
                  ))}
                </div>
              )}
              <div role="tabpanel" lang={shownLang} className="instructions-preview">
                <Markdown>{p.instructions[shownLang] ?? ''}</Markdown>
              </div>
            </>
          )}
        </section>
      </div>

      <ImportPanel project={p.name} onFinished={refresh} />

      <BatchesCard project={p.name} />

      <section className="card" aria-labelledby="history-title">
        <h2 id="history-title">{t('project.imports')}</h2>
        <ErrorNote error={imports.error} />
        {imports.data && imports.data.docs.length === 0 && <p className="muted">{t('project.noImports')}</p>}
        {imports.data && imports.data.docs.length > 0 && (
          <div className="table-wrap">
            <table className="table table-compact" data-testid="import-history">
              <thead>
                <tr>
                  <th scope="col">{t('project.importFile')}</th>
                  <th scope="col">{t('project.importStatus')}</th>
                  <th scope="col" className="num">
                    {t('import.rows')}
                  </th>
                  <th scope="col" className="num">
                    {t('import.inserted')}
                  </th>
                  <th scope="col" className="num">
                    {t('import.existing')}
                  </th>
                  <th scope="col" className="num">
                    {t('import.failed')}
                  </th>
                  <th scope="col">{t('project.importStarted')}</th>
                </tr>
              </thead>
              <tbody>
                {imports.data.docs.map((r) => (
                  <tr key={r.import_id}>
                    <td dir="auto">
                      {r.source} <span className="muted">({r.format})</span>
                    </td>
                    <td>
                      <StatusBadge status={r.status} kind="import" />
                    </td>
                    <td className="num" data-value={r.rows}>
                      {formatNumber(r.rows, locale)}
                    </td>
                    <td className="num" data-value={r.inserted}>
                      {formatNumber(r.inserted, locale)}
                    </td>
                    <td className="num" data-value={r.existing}>
                      {formatNumber(r.existing, locale)}
                    </td>
                    <td className="num" data-value={r.failed}>
                      {formatNumber(r.failed, locale)}
                    </td>
                    <td className="nowrap">{formatDateTime(r.started_at, locale)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="card" aria-labelledby="tasks-title">
        <div className="card-header">
          <h2 id="tasks-title">{t('project.tasks')}</h2>
          <label className="inline-field">
            <span>{t('project.filterStatus')}</span>
            <select value={statusFilter} onChange={(e) => setStatusFilter(e.target.value)}>
              <option value="">{t('common.all')}</option>
              {(['pending', 'completed', 'canceled', 'error'] as const).map((s) => (
                <option key={s} value={s}>
                  {t(`status.task.${s}`)}
                </option>
              ))}
            </select>
          </label>
        </div>
        <ErrorNote error={tasks.error} />
        {tasks.data && (
          <p className="muted" data-testid="tasks-total" data-value={tasks.data.total}>
            {t('project.tasksTotal', { total: formatNumber(tasks.data.total, locale) })}
          </p>
        )}
        {allTasks.length > 0 && (
          <div className="table-wrap">
            <table className="table table-compact" data-testid="tasks-table">
              <thead>
                <tr>
                  <th scope="col">{t('project.taskId')}</th>
                  <th scope="col">{t('project.uniqueId')}</th>
                  <th scope="col">{t('project.content')}</th>
                  <th scope="col">{t('project.taskStatus')}</th>
                  <th scope="col">{t('project.created')}</th>
                </tr>
              </thead>
              <tbody>
                {allTasks.map((task) => (
                  <tr key={task.task_id}>
                    <td>
                      <code>{task.task_id}</code>
                    </td>
                    <td dir="auto">{task.unique_id ?? ''}</td>
                    <td className="cell-text" dir="auto">
                      {preview(task)}
                    </td>
                    <td>
                      <StatusBadge status={task.status} kind="task" />
                      {task.sub_status && <span className="muted"> · {t(`status.sub.${task.sub_status}`, { defaultValue: task.sub_status })}</span>}
                    </td>
                    <td className="nowrap">{formatDateTime(task.created_at, locale)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {extra.next && (
          <button type="button" className="button" onClick={loadMore}>
            {t('project.moreTasks')}
          </button>
        )}
      </section>
      <p>
        <Link to="/projects" className="back-link">{t('project.back')}</Link>
      </p>
    </section>
  );
}
