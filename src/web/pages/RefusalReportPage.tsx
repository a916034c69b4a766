import { Fragment } from 'react';
import { useTranslation } from 'react-i18next';
import { api, apiUrl } from '../api.ts';
import { Loading, PageHeader, Stat } from '../components/Bits.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { RateInterval } from '../components/RateInterval.tsx';
import { labelsInUse, type RefusalReport, type RefusalRow } from '../evaluation.ts';
import { formatNumber, formatPercent } from '../format.ts';
import { useLoad, usePageTitle } from '../hooks.ts';
import { Link } from '../router.tsx';

/** A language code as a name in the interface language ("fr" -> "French"), the code when unknown. */
function useLanguageName(): (code: string) => string {
  const { i18n } = useTranslation();
  let names: Intl.DisplayNames | undefined;
  try {
    names = new Intl.DisplayNames([i18n.language], { type: 'language' });
  } catch {
    names = undefined;
  }
  return (code: string) => {
    try {
      return names?.of(code) ?? code;
    } catch {
      return code;
    }
  };
}

/** A difference between two rates in percentage points ("+25 points"). */
function usePoints(): (difference: number) => string {
  const { t, i18n } = useTranslation();
  return (difference) => t('refusalReport.points', { n: formatNumber(Math.round(difference * 1000) / 10, i18n.language) });
}

function TopicName({ topic, control }: { topic: string; control: boolean }) {
  const { t } = useTranslation();
  return (
    <>
      <span dir="auto">{topic}</span> {control && <span className="badge badge-control">{t('refusalReport.control')}</span>}
    </>
  );
}

/** Per model: sensitive topics pooled beside the neutral controls. */
function ModelSummary({ report }: { report: RefusalReport }) {
  const { t } = useTranslation();
  const points = usePoints();
  return (
    <div className="table-wrap">
      <table className="table table-compact" data-testid="refusal-models">
        <thead>
          <tr>
            <th scope="col">{t('refusalReport.model')}</th>
            <th scope="col">{t('refusalReport.sensitiveRate')}</th>
            <th scope="col">{t('refusalReport.controlRate')}</th>
            <th scope="col" className="num">
              {t('refusalReport.difference')}
            </th>
          </tr>
        </thead>
        <tbody>
          {report.models.map((m) => (
            <tr key={m.model} data-model={m.model}>
              <th scope="row" dir="auto">
                {m.model}
              </th>
              <td data-testid="sensitive">{m.sensitive.n ? <RateInterval cell={m.sensitive.refusal} n={m.sensitive.n} /> : <span className="muted">{t('refusalReport.noResponses')}</span>}</td>
              <td data-testid="control">{m.control.n ? <RateInterval cell={m.control.refusal} n={m.control.n} /> : <span className="muted">{t('refusalReport.noControls')}</span>}</td>
              <td className="num">{m.sensitive.n && m.control.n ? points(m.sensitive.refusal.rate - m.control.refusal.rate) : '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">{t('refusalReport.summaryHelp')}</p>
    </div>
  );
}

/** Per model x topic seen in two languages or more: the lowest and highest refusal rates. */
function LanguageGaps({ report }: { report: RefusalReport }) {
  const { t, i18n } = useTranslation();
  const locale = i18n.language;
  const language = useLanguageName();
  const points = usePoints();
  if (report.language_gaps.length === 0) return <p className="muted">{t('refusalReport.noGaps')}</p>;
  return (
    <div className="table-wrap">
      <table className="table table-compact" data-testid="refusal-gaps">
        <thead>
          <tr>
            <th scope="col">{t('refusalReport.model')}</th>
            <th scope="col">{t('refusalReport.topic')}</th>
            <th scope="col">{t('refusalReport.lowest')}</th>
            <th scope="col">{t('refusalReport.highest')}</th>
            <th scope="col" className="num">
              {t('refusalReport.gap')}
            </th>
          </tr>
        </thead>
        <tbody>
          {report.language_gaps.map((g) => (
            <tr key={`${g.model}|${g.control}|${g.topic}`} data-model={g.model} data-topic={g.topic}>
              <th scope="row" dir="auto">
                {g.model}
              </th>
              <td>
                <TopicName topic={g.topic} control={g.control} />
              </td>
              <td>{t('refusalReport.languageRate', { language: language(g.min.language), rate: formatPercent(g.min.rate, locale) })}</td>
              <td>{t('refusalReport.languageRate', { language: language(g.max.language), rate: formatPercent(g.max.rate, locale) })}</td>
              <td className="num" data-value={g.gap}>
                {points(g.gap)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** One model's rows: topic x language, the refusal rate, then each label used in the report. */
function ModelRows({ model, rows, labels }: { model: string; rows: RefusalRow[]; labels: string[] }) {
  const { t, i18n } = useTranslation();
  const locale = i18n.language;
  const language = useLanguageName();
  const groups = [
    { control: false, title: t('refusalReport.sensitiveTopics') },
    { control: true, title: t('refusalReport.controlTopics') },
  ].filter((g) => rows.some((r) => r.control === g.control));
  const columns = 4 + labels.length;
  return (
    <div className="table-wrap">
      <table className="table table-compact refusal-rows" data-testid="refusal-rows" data-model={model}>
        <caption className="refusal-model" dir="auto">
          {model}
        </caption>
        <thead>
          <tr>
            <th scope="col">{t('refusalReport.topic')}</th>
            <th scope="col">{t('refusalReport.language')}</th>
            <th scope="col" className="num">
              {t('refusalReport.n')}
            </th>
            <th scope="col">{t('refusalReport.refusal')}</th>
            {labels.map((l) => (
              <th key={l} scope="col">
                {t(`views.refusal.labels.${l}.name`, { defaultValue: l })}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {groups.map((g) => (
            <Fragment key={String(g.control)}>
              <tr className="group-row">
                <th scope="colgroup" colSpan={columns}>
                  {g.title}
                </th>
              </tr>
              {rows
                .filter((r) => r.control === g.control)
                .map((r) => (
                  <tr key={`${r.topic}|${r.language}`} data-topic={r.topic} data-language={r.language}>
                    <td>
                      <TopicName topic={r.topic} control={r.control} />
                    </td>
                    <td>{language(r.language)}</td>
                    <td className="num">{formatNumber(r.n, locale)}</td>
                    <td data-testid="refusal-rate">
                      <RateInterval cell={r.refusal} n={r.n} />
                    </td>
                    {labels.map((l) => (
                      <td key={l} data-label={l}>
                        <RateInterval cell={r.labels[l]} n={r.n} compact />
                      </td>
                    ))}
                  </tr>
                ))}
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * The refusal audit report of a refusalaudit project: per model, sensitive topics beside neutral
 * controls; the gap in refusal rate between languages; and every model x topic x language with the
 * rate of each label and its Wilson 95% interval. The CSV is the server's.
 */
export function RefusalReportPage({ name }: { name: string }) {
  const { t } = useTranslation();
  usePageTitle(`${t('refusalReport.title')} · ${name}`);
  const encoded = encodeURIComponent(name);
  const report = useLoad((signal) => api<RefusalReport>(`/evals/${encoded}/refusal-report`, { signal }), [name]);
  const data = report.data;
  const labels = data ? labelsInUse(data) : [];
  const models = data ? [...new Set(data.rows.map((r) => r.model))] : [];

  return (
    <section className="page refusal-page">
      <PageHeader
        title={t('refusalReport.title')}
        sub={
          <Link to={`/projects/${encoded}`} dir="auto">
            {name}
          </Link>
        }
      >
        {data && (
          <a className="button" href={apiUrl(`/evals/${encoded}/refusal-report`, { format: 'csv' })} download data-testid="refusal-csv">
            {t('refusalReport.downloadCsv')}
          </a>
        )}
      </PageHeader>
      <ErrorNote error={report.error} />
      {report.loading && !data && <Loading />}
      {data && (
        <>
          <section className="card" aria-labelledby="rr-counts-title">
            <h2 id="rr-counts-title" className="visually-hidden">
              {t('refusalReport.counts')}
            </h2>
            <dl className="stats stats-small">
              <Stat label={t('refusalReport.tasksUsed')} value={data.tasks_used} testId="tasks-used" />
              <Stat label={t('refusalReport.tasksPending')} value={data.tasks_pending} testId="tasks-pending" />
              <Stat label={t('refusalReport.models')} value={data.models.length} />
            </dl>
            <p className="muted small">{t('refusalReport.howToRead')}</p>
          </section>
          {data.rows.length === 0 ? (
            <div className="empty card" data-testid="refusal-empty">
              <p>{t('refusalReport.empty')}</p>
              <Link to={`/projects/${encoded}`} className="button">
                {t('refusalReport.backToProject')}
              </Link>
            </div>
          ) : (
            <>
              <section className="card" aria-labelledby="rr-models-title">
                <h2 id="rr-models-title">{t('refusalReport.byModel')}</h2>
                <ModelSummary report={data} />
              </section>
              <section className="card" aria-labelledby="rr-gaps-title">
                <h2 id="rr-gaps-title">{t('refusalReport.gaps')}</h2>
                <p className="muted small">{t('refusalReport.gapsHelp')}</p>
                <LanguageGaps report={data} />
              </section>
              <section className="card" aria-labelledby="rr-rows-title">
                <h2 id="rr-rows-title">{t('refusalReport.rows')}</h2>
                <p className="muted small">{t('refusalReport.rowsHelp')}</p>
                <div className="stack">
                  {models.map((m) => (
                    <ModelRows key={m} model={m} rows={data.rows.filter((r) => r.model === m)} labels={labels} />
                  ))}
                </div>
              </section>
            </>
          )}
        </>
      )}
    </section>
  );
}
