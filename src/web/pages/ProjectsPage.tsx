import { useTranslation } from 'react-i18next';
import { api, type Project } from '../api.ts';
import { Loading, PageHeader, ProgressBar, StatusBadge } from '../components/Bits.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { formatDateTime, formatNumber } from '../format.ts';
import { useLoad, usePageTitle } from '../hooks.ts';
import { Link } from '../router.tsx';

/** The requester's projects with their task counts. */
export function ProjectsPage() {
  const { t, i18n } = useTranslation();
  const locale = i18n.language;
  usePageTitle(t('projects.title'));
  const { data, error, loading } = useLoad((signal) => api<{ docs: Project[] }>('/projects', { signal }), []);

  return (
    <section className="page">
      <PageHeader title={t('projects.title')}>
        <Link to="/projects/new" className="button button-primary">
          {t('projects.new')}
        </Link>
      </PageHeader>
      <ErrorNote error={error} />
      {loading && !data && <Loading />}
      {data && data.docs.length === 0 && (
        <div className="empty card">
          <p>{t('projects.empty')}</p>
          <Link to="/projects/new" className="button button-primary">
            {t('projects.new')}
          </Link>
        </div>
      )}
      {data && data.docs.length > 0 && (
        <div className="table-wrap card">
          <table className="table" data-testid="projects-table">
            <thead>
              <tr>
                <th scope="col">{t('projects.name')}</th>
                <th scope="col">{t('projects.type')}</th>
                <th scope="col">{t('projects.status')}</th>
                <th scope="col" className="num">
                  {t('counts.pending')}
                </th>
                <th scope="col" className="num">
                  {t('counts.completed')}
                </th>
                <th scope="col">{t('projects.progress')}</th>
                <th scope="col">{t('projects.created')}</th>
              </tr>
            </thead>
            <tbody>
              {data.docs.map((p) => {
                const c = p.task_counts ?? { pending: 0, completed: 0, canceled: 0, error: 0 };
                const open = c.pending + c.completed + c.error;
                return (
                  <tr key={p.id} data-project={p.name}>
                    <th scope="row">
                      <Link to={`/projects/${encodeURIComponent(p.name)}`}>{p.name}</Link>
                    </th>
                    <td>{t(`types.${p.type}.title`, { defaultValue: p.type })}</td>
                    <td>
                      <StatusBadge status={p.status} />
                    </td>
                    <td className="num" data-testid="count-pending" data-value={c.pending}>
                      {formatNumber(c.pending, locale)}
                    </td>
                    <td className="num" data-value={c.completed}>
                      {formatNumber(c.completed, locale)}
                    </td>
                    <td className="cell-progress">
                      <ProgressBar value={c.completed} max={open} label={t('projects.progressOf', { name: p.name })} />
                    </td>
                    <td className="nowrap">{formatDateTime(p.created_at, locale)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
