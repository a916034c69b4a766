import { useTranslation } from 'react-i18next';
import type { RateCell } from '../evaluation.ts';
import { formatNumber, formatPercent } from '../format.ts';

/**
 * A rate with its 95% interval: a small track with the interval shaded and the rate as a dot, then
 * "33.3% (6.1% to 79.2%)". `compact` puts the interval on a second, smaller line and drops the track,
 * for dense tables. The count behind the rate is in the tooltip.
 */
export function RateInterval({ cell, n, compact = false }: { cell: RateCell; n: number; compact?: boolean }) {
  const { t, i18n } = useTranslation();
  const locale = i18n.language;
  const pct = (x: number) => formatPercent(x, locale);
  const title = t('refusalReport.countOf', { count: formatNumber(cell.count, locale), n: formatNumber(n, locale) });
  if (compact) {
    return (
      <span className="rate-compact" title={title} data-value={cell.rate}>
        <span>{pct(cell.rate)}</span>
        <span className="muted small">{t('refusalReport.interval', { low: pct(cell.ci_low), high: pct(cell.ci_high) })}</span>
      </span>
    );
  }
  return (
    <span className="interval-cell" title={title} data-value={cell.rate}>
      <span className="interval" aria-hidden="true">
        <span className="interval-range" style={{ insetInlineStart: `${cell.ci_low * 100}%`, inlineSize: `${Math.max(0.5, (cell.ci_high - cell.ci_low) * 100)}%` }} />
        <span className="interval-mean" style={{ insetInlineStart: `${cell.rate * 100}%` }} />
      </span>
      <span>
        {pct(cell.rate)} <span className="muted small">{t('refusalReport.interval', { low: pct(cell.ci_low), high: pct(cell.ci_high) })}</span>
      </span>
    </span>
  );
}
