import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useActivity } from '../activity.ts';
import { ApiError, api, type WorkProject, type WorkQuality } from '../api.ts';
import { Loading, PageHeader } from '../components/Bits.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { Markdown } from '../components/Markdown.tsx';
import { formatDateTime, formatDays, formatDuration, formatMoney, formatNumber, formatPercent } from '../format.ts';
import { useLoad, usePageTitle } from '../hooks.ts';
import { LOCALE_NAMES, isLocale } from '../i18n.ts';
import { Link } from '../router.tsx';
import { useApp, useUser } from '../session.tsx';
import { pickInstructions } from '../work.ts';

/** What a project asks and pays, shown before the worker starts (FAIRWORK rule 2). */
function ProjectCard({ project }: { project: WorkProject }) {
  const { t, i18n } = useTranslation();
  const locale = i18n.language;
  const { locale: uiLocale } = useApp();
  const user = useUser();
  const e = project.estimate;
  const instructions = pickInstructions(project.instructions, uiLocale, user.languages);
  const titleId = `work-${project.name}`;
  const available = project.available > 0;
  // Reading the instructions before starting is paid time (FAIRWORK rule 3).
  const [reading, setReading] = useState(false);
  useActivity('instructions', project.name, reading);

  return (
    <article className="card work-card" aria-labelledby={titleId} data-project={project.name}>
      <header className="work-card-head">
        <h2 id={titleId} dir="auto">
          {project.name}
        </h2>
        <span className="muted">{t(`types.${project.type}.title`, { defaultValue: project.type })}</span>
      </header>
      <dl className="facts facts-work">
        <dt>{t('work.estimate')}</dt>
        <dd data-testid="estimate" data-value={e.seconds}>
          {formatDuration(e.seconds, locale)}
        </dd>
        <dt>{t('work.payPerTask')}</dt>
        <dd data-testid="pay" data-value={e.pay_minor}>
          {formatMoney(e.pay_minor, e.currency, locale)}
        </dd>
        <dt>{t('work.hourly')}</dt>
        <dd data-testid="hourly" data-value={e.hourly_minor}>
          <strong>{t('money.perHour', { amount: formatMoney(e.hourly_minor, e.currency, locale) })}</strong>
        </dd>
        <dt>{t('work.reviewDeadline')}</dt>
        <dd>{t('work.reviewWithin', { days: formatDays(project.review_deadline_days, locale) })}</dd>
        <dt>{t('work.available')}</dt>
        <dd data-value={project.available}>{formatNumber(project.available, locale)}</dd>
      </dl>
      {project.content_warnings.length > 0 ? (
        <div className="warning" role="note" data-testid="content-warnings">
          <strong>{t('work.contentWarnings')}</strong>
          <ul>
            {project.content_warnings.map((w) => (
              <li key={w} dir="auto">
                {w}
              </li>
            ))}
          </ul>
        </div>
      ) : (
        <p className="muted small">{t('work.noWarnings')}</p>
      )}
      {instructions && (
        <details className="instructions-details" onToggle={(e) => setReading(e.currentTarget.open)} data-testid="instructions-details">
          <summary>
            {t('work.readInstructions')}
            {instructions[0] !== uiLocale && <span className="muted"> ({isLocale(instructions[0]) ? LOCALE_NAMES[instructions[0]] : instructions[0]})</span>}
          </summary>
          <div lang={instructions[0]}>
            <Markdown>{instructions[1]}</Markdown>
          </div>
        </details>
      )}
      <div className="work-card-actions">
        {available ? (
          <Link to={`/work/${encodeURIComponent(project.name)}`} className="button button-primary" data-testid="start">
            {t('work.start')}
          </Link>
        ) : (
          <span className="muted">{t('work.noneLeft')}</span>
        )}
      </div>
    </article>
  );
}

/**
 * "My quality": per project, the accuracy estimate from check (gold) questions, with its 90%
 * interval and the items it rests on, so a worker sees exactly what their standing is built from.
 */
function MyQuality() {
  const { t, i18n } = useTranslation();
  const locale = i18n.language;
  const quality = useLoad((signal) => api<WorkQuality>('/work/quality', { signal }), []);
  if (quality.error instanceof ApiError && quality.error.code === 'route_not_found') return null;
  const docs = quality.data?.docs ?? [];
  return (
    <section className="card my-quality" aria-labelledby="my-quality-title" data-testid="my-quality">
      <h2 id="my-quality-title">{t('myQuality.title')}</h2>
      <p className="muted small">{t('myQuality.lead')}</p>
      <ErrorNote error={quality.error} />
      {quality.loading && !quality.data && <Loading />}
      {quality.data && docs.length === 0 && <p className="muted">{t('myQuality.none')}</p>}
      {docs.map((d) => (
        <article key={d.project} className="quality-project" data-project={d.project} aria-labelledby={`q-${d.project}`}>
          <h3 id={`q-${d.project}`} dir="auto">
            {d.project}
          </h3>
          <dl className="facts facts-work">
            <dt>{t('myQuality.checked')}</dt>
            <dd data-testid="quality-n" data-value={d.n}>
              {formatNumber(d.n, locale)}
            </dd>
            <dt>{t('myQuality.estimate')}</dt>
            <dd data-testid="quality-mean" data-value={d.mean}>
              <strong>{formatPercent(d.mean, locale)}</strong>
            </dd>
            <dt>{t('myQuality.interval')}</dt>
            <dd data-testid="quality-interval" data-low={d.low} data-high={d.high}>
              {t('myQuality.between', { low: formatPercent(d.low, locale), high: formatPercent(d.high, locale) })}
            </dd>
          </dl>
          {d.items.length > 0 && (
            <details>
              <summary>{t('myQuality.items', { n: formatNumber(d.items.length, locale) })}</summary>
              <table className="table table-compact" data-testid="quality-items">
                <thead>
                  <tr>
                    <th scope="col">{t('project.taskId')}</th>
                    <th scope="col" className="num">
                      {t('myQuality.score')}
                    </th>
                    <th scope="col">{t('myQuality.when')}</th>
                  </tr>
                </thead>
                <tbody>
                  {d.items.map((item) => (
                    <tr key={item.task_id}>
                      <td>
                        <code>{item.task_id}</code>
                      </td>
                      <td className="num">{item.score === null ? '–' : formatPercent(item.score, locale)}</td>
                      <td className="nowrap">{formatDateTime(item.at, locale)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          )}
        </article>
      ))}
    </section>
  );
}

/** The worker's home: open projects, each with time, pay, hourly rate, review deadline and warnings. */
export function WorkHomePage() {
  const { t } = useTranslation();
  usePageTitle(t('work.title'));
  const projects = useLoad((signal) => api<{ docs: WorkProject[] }>('/work/projects', { signal }), []);
  const missing = projects.error instanceof ApiError && projects.error.code === 'route_not_found';

  return (
    <section className="page">
      <PageHeader title={t('work.title')} />
      <p className="lead">{t('work.lead')}</p>
      {missing ? <p className="note">{t('work.unavailable')}</p> : <ErrorNote error={projects.error} />}
      {projects.loading && !projects.data && <Loading />}
      {projects.data && projects.data.docs.length === 0 && <p className="empty card">{t('work.nothingOpen')}</p>}
      <div className="work-grid">
        {projects.data?.docs.map((p) => (
          <ProjectCard key={p.name} project={p} />
        ))}
      </div>
      <MyQuality />
    </section>
  );
}
