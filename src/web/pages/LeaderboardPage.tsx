import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, apiUrl, type Project } from '../api.ts';
import { Loading, PageHeader } from '../components/Bits.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { IntervalPlot } from '../components/IntervalPlot.tsx';
import { WinMatrix } from '../components/WinMatrix.tsx';
import {
  type BoardControls,
  controlsFromSearch,
  controlsToSearch,
  DEFAULT_CONTROLS,
  LEADERBOARD_TYPES,
  type LeaderboardModel,
  type LeaderboardReport,
  leaderboardQuery,
  METHODS,
  ratingExtent,
  VOTE_SOURCES,
} from '../evaluation.ts';
import { formatNumber, formatPercent } from '../format.ts';
import { useLoad, usePageTitle } from '../hooks.ts';
import { Link } from '../router.tsx';

/** The average rating on the board's scale: ratings are centred on it. */
const MEAN_RATING = 1000;

/** Method, vote source, criterion and length control. Changes apply at once. */
function Controls({ controls, criteria, onChange }: { controls: BoardControls; criteria: string[]; onChange(next: BoardControls): void }) {
  const { t } = useTranslation();
  const set = (patch: Partial<BoardControls>) => onChange({ ...controls, ...patch });
  return (
    <section className="card leaderboard-controls" aria-labelledby="lb-controls-title">
      <h2 id="lb-controls-title" className="visually-hidden">
        {t('leaderboard.controls')}
      </h2>
      <div className="controls-row">
        <div className="inline-field">
          <span id="lb-method">{t('leaderboard.method')}</span>
          <div className="segmented" role="radiogroup" aria-labelledby="lb-method">
            {METHODS.map((m) => (
              <label key={m} className={`segment ${controls.method === m ? 'is-selected' : ''}`} data-method={m}>
                <input type="radio" name="lb-method" checked={controls.method === m} onChange={() => set({ method: m, lengthControl: m === 'bt' && controls.lengthControl })} />
                {t(`leaderboard.methods.${m}`)}
              </label>
            ))}
          </div>
        </div>
        <label className="inline-field">
          <span>{t('leaderboard.votes')}</span>
          <select value={controls.votes} onChange={(e) => set({ votes: e.target.value as BoardControls['votes'] })} data-testid="lb-votes">
            {VOTE_SOURCES.map((v) => (
              <option key={v} value={v}>
                {t(`leaderboard.voteSources.${v}`)}
              </option>
            ))}
          </select>
        </label>
        {criteria.length > 0 && (
          <label className="inline-field">
            <span>{t('leaderboard.criterion')}</span>
            <select value={controls.criterion} onChange={(e) => set({ criterion: e.target.value })} data-testid="lb-criterion">
              <option value="">{t('leaderboard.overall')}</option>
              {criteria.map((c) => (
                <option key={c} value={c} dir="auto">
                  {c}
                </option>
              ))}
            </select>
          </label>
        )}
        <label className="check">
          <input type="checkbox" checked={controls.lengthControl} disabled={controls.method !== 'bt'} onChange={(e) => set({ lengthControl: e.target.checked })} data-testid="lb-length" />
          {t('leaderboard.lengthControl')}
        </label>
      </div>
      <p className="help">
        {t(`leaderboard.voteHelp.${controls.votes}`)} {controls.method === 'elo' && t('leaderboard.eloNote')}
      </p>
    </section>
  );
}

function RankingTable({ models }: { models: LeaderboardModel[] }) {
  const { t, i18n } = useTranslation();
  const locale = i18n.language;
  const num = (x: number) => formatNumber(Math.round(x), locale);
  return (
    <div className="table-wrap">
      <table className="table table-compact" data-testid="leaderboard-table">
        <thead>
          <tr>
            <th scope="col" className="num">
              {t('leaderboard.rank')}
            </th>
            <th scope="col">{t('leaderboard.model')}</th>
            <th scope="col" className="num">
              {t('leaderboard.rating')}
            </th>
            <th scope="col">{t('leaderboard.intervalColumn')}</th>
            <th scope="col" className="num">
              {t('leaderboard.battles')}
            </th>
            <th scope="col" className="num">
              {t('leaderboard.winRate')}
            </th>
          </tr>
        </thead>
        <tbody>
          {models.map((m) => {
            const [best, worst] = m.rank_range;
            const shared = best !== worst;
            return (
              <tr key={m.model} data-model={m.model}>
                <td className="num" data-testid="rank" title={shared ? t('leaderboard.rankShared', { low: formatNumber(best, locale), high: formatNumber(worst, locale) }) : undefined}>
                  {formatNumber(m.rank, locale)}
                  {shared && <span className="muted small"> {t('leaderboard.rankRange', { low: formatNumber(best, locale), high: formatNumber(worst, locale) })}</span>}
                </td>
                <th scope="row" dir="auto">
                  {m.model}
                </th>
                <td className="num" data-value={m.rating}>
                  {num(m.rating)}
                </td>
                <td className="nowrap" data-testid="interval">
                  {m.ci_low === null || m.ci_high === null ? '–' : t('leaderboard.interval', { low: num(m.ci_low), high: num(m.ci_high) })}
                </td>
                <td className="num">{formatNumber(m.battles, locale)}</td>
                <td className="num">{formatPercent(m.win_rate, locale)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/**
 * The leaderboard of a comparison or ranking project: ratings with 95% bootstrap intervals as a
 * table and a whisker plot, the win-rate matrix, and how to read them. The chosen controls live in
 * the address, so a view can be shared.
 */
export function LeaderboardPage({ name }: { name: string }) {
  const { t, i18n } = useTranslation();
  const locale = i18n.language;
  usePageTitle(`${t('leaderboard.title')} · ${name}`);
  const encoded = encodeURIComponent(name);
  const project = useLoad((signal) => api<Project>(`/projects/${encoded}`, { signal }), [name]);
  const [controls, setControlsState] = useState<BoardControls>(() => controlsFromSearch(location.search));
  const query = leaderboardQuery(controls);
  const report = useLoad((signal) => api<LeaderboardReport>(`/evals/${encoded}/leaderboard/report`, { signal, query }), [name, JSON.stringify(query)]);

  const setControls = (next: BoardControls) => {
    setControlsState(next);
    // Kept in the address without a navigation: no scroll jump, no focus move.
    history.replaceState(null, '', `${location.pathname}${controlsToSearch(next)}`);
  };

  const p = project.data;
  const unsupported = p !== undefined && !LEADERBOARD_TYPES.includes(p.type);
  const criteria = p?.type === 'comparison' ? ((p.params.criteria as string[] | undefined) ?? []) : [];
  const data = report.data;
  const num = (x: number) => formatNumber(Math.round(x), locale);
  const filtered = controls.votes !== DEFAULT_CONTROLS.votes || controls.criterion !== '';

  return (
    <section className="page leaderboard-page">
      <PageHeader
        title={t('leaderboard.title')}
        sub={
          <Link to={`/projects/${encoded}`} dir="auto">
            {name}
          </Link>
        }
      >
        {data && data.votes > 0 && (
          <a className="button" href={apiUrl(`/evals/${encoded}/leaderboard/report`, query)} download={`${name}-leaderboard.json`} data-testid="leaderboard-download">
            {t('leaderboard.downloadJson')}
          </a>
        )}
      </PageHeader>
      <ErrorNote error={project.error} />
      {unsupported ? (
        <p className="note" data-testid="leaderboard-unsupported">
          {t('leaderboard.unsupported')}
        </p>
      ) : (
        <>
          <Controls controls={controls} criteria={criteria} onChange={setControls} />
          <ErrorNote error={report.error} />
          {report.loading && !data && <Loading />}
          {data && data.votes === 0 && (
            <div className="empty card" data-testid="leaderboard-empty">
              <p>{filtered ? t('leaderboard.emptyFiltered') : t('leaderboard.empty')}</p>
              <Link to={`/projects/${encoded}`} className="button">
                {t('leaderboard.backToProject')}
              </Link>
            </div>
          )}
          {data && data.votes > 0 && (
            <div className="stack" aria-busy={report.loading}>
              <section className="card" aria-labelledby="lb-ranking-title">
                <h2 id="lb-ranking-title">{data.criterion ? t('leaderboard.rankingFor', { criterion: data.criterion }) : t('leaderboard.ranking')}</h2>
                <p className="muted small" data-testid="leaderboard-summary" data-votes={data.votes}>
                  {t('leaderboard.summary', { votes: formatNumber(data.votes, locale), models: formatNumber(data.models.length, locale), rounds: formatNumber(data.bootstrap, locale) })}
                </p>
                <RankingTable models={data.models} />
                {data.length_coefficient !== undefined && (
                  <p className="note" data-testid="length-coefficient">
                    {data.length_coefficient_ci
                      ? t('leaderboard.lengthCoefficientCi', {
                          value: formatNumber(data.length_coefficient, locale),
                          low: formatNumber(data.length_coefficient_ci[0], locale),
                          high: formatNumber(data.length_coefficient_ci[1], locale),
                        })
                      : t('leaderboard.lengthCoefficient', { value: formatNumber(data.length_coefficient, locale) })}{' '}
                    {t('leaderboard.lengthHelp')}
                  </p>
                )}
                <IntervalPlot
                  testId="rating-plot"
                  title={t('leaderboard.plotTitle')}
                  summary={t('leaderboard.plotSummary', { order: data.models.map((m) => m.model).join(', ') })}
                  rows={data.models.map((m) => ({ key: m.model, label: m.model, value: m.rating, low: m.ci_low, high: m.ci_high }))}
                  extent={ratingExtent(data.models)}
                  reference={MEAN_RATING}
                  formatValue={num}
                  rtl={i18n.dir(locale) === 'rtl'}
                />
                <p className="muted small">{t('leaderboard.plotLegend', { mean: num(MEAN_RATING) })}</p>
              </section>
              <section className="card" aria-labelledby="lb-matrix-title">
                <h2 id="lb-matrix-title">{t('leaderboard.matrix')}</h2>
                <p className="muted small">{t('leaderboard.matrixHelp')}</p>
                <WinMatrix models={data.models.map((m) => m.model)} matrix={data.win_matrix} />
              </section>
            </div>
          )}
          <section className="card" aria-labelledby="lb-read-title" data-testid="leaderboard-howto">
            <h2 id="lb-read-title">{t('leaderboard.howToRead')}</h2>
            <ul className="howto">
              <li>{t('leaderboard.readScale')}</li>
              <li>{t('leaderboard.readInterval')}</li>
              <li>{t('leaderboard.readOverlap')}</li>
              <li>{t('leaderboard.readMore')}</li>
            </ul>
          </section>
        </>
      )}
    </section>
  );
}
