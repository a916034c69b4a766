import { useTranslation } from 'react-i18next';
import { rateShade } from '../evaluation.ts';
import { formatPercent } from '../format.ts';

/**
 * The win-rate matrix of a leaderboard: row model against column model, each cell the row's
 * share of wins in their battles (ties as half), shaded green above 50% and red below. Models
 * that never met show a dash. The cell's tooltip says the same in words.
 */
export function WinMatrix({ models, matrix }: { models: string[]; matrix: Record<string, Record<string, number | null>> }) {
  const { t, i18n } = useTranslation();
  const locale = i18n.language;
  return (
    <div className="table-wrap">
      <table className="table table-compact win-matrix" data-testid="win-matrix">
        <caption className="visually-hidden">{t('leaderboard.matrixCaption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('leaderboard.matrixCorner')}</th>
            {models.map((b) => (
              <th key={b} scope="col" className="num" dir="auto">
                {b}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {models.map((a) => (
            <tr key={a} data-model={a}>
              <th scope="row" dir="auto">
                {a}
              </th>
              {models.map((b) => {
                if (a === b) return <td key={b} className="num win-self" aria-label={t('leaderboard.matrixSelf')} />;
                const rate = matrix[a]?.[b] ?? null;
                const title = rate === null ? t('leaderboard.matrixNever', { a, b }) : t('leaderboard.matrixCell', { a, b, rate: formatPercent(rate, locale) });
                return (
                  <td key={b} className="num win-cell" style={rate === null ? undefined : { backgroundColor: rateShade(rate) }} title={title} data-opponent={b} data-value={rate ?? ''}>
                    {rate === null ? '–' : formatPercent(rate, locale)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
