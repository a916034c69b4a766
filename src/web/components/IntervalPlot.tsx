/*
 * A horizontal interval ("whisker") plot drawn as inline SVG: one row per item, a line from the
 * interval's low end to its high end and a dot at the estimate, on a shared axis. Right-to-left
 * pages mirror it (labels on the right, the axis growing leftwards), as the rest of the layout does.
 */
import { useId } from 'react';
import { niceTicks } from '../evaluation.ts';

export interface IntervalRow {
  key: string;
  label: string;
  value: number;
  /** Interval ends; null draws the estimate alone. */
  low: number | null;
  high: number | null;
}

const WIDTH = 720;
const LABEL = 170;
const PAD = 24;
const ROW = 30;
const AXIS = 34;
const MAX_LABEL = 22;

/** Shortens a label for the label column; the full text stays in the row's tooltip. */
function clip(label: string): string {
  const chars = Array.from(label);
  return chars.length > MAX_LABEL ? `${chars.slice(0, MAX_LABEL - 1).join('')}…` : label;
}

/**
 * The plot, captioned by `title`. `reference` draws a dashed line at a value worth seeing (the
 * average rating). The numbers themselves belong in a table next to the plot: the SVG is one image
 * to assistive technology, named by its caption and `summary`.
 */
export function IntervalPlot({
  rows,
  extent,
  title,
  summary,
  formatValue,
  reference,
  rtl = false,
  testId,
}: {
  rows: IntervalRow[];
  extent: [number, number];
  title: string;
  summary: string;
  formatValue(value: number): string;
  reference?: number;
  rtl?: boolean;
  testId?: string;
}) {
  const id = useId();
  const { ticks, domain } = niceTicks(Math.min(extent[0], reference ?? extent[0]), Math.max(extent[1], reference ?? extent[1]), 6);
  const height = rows.length * ROW + AXIS;
  const plotStart = LABEL;
  const plotEnd = WIDTH - PAD;
  const toX = (v: number) => {
    const x = plotStart + ((v - domain[0]) / (domain[1] - domain[0])) * (plotEnd - plotStart);
    return rtl ? WIDTH - x : x;
  };
  const labelX = rtl ? WIDTH - LABEL + 10 : LABEL - 10;
  const axisY = rows.length * ROW + 6;

  return (
    <figure className="interval-plot" aria-labelledby={`${id}-caption`} data-testid={testId}>
      <figcaption id={`${id}-caption`} className="chart-title">
        {title}
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={summary} direction="ltr" className="interval-plot-svg">
        {ticks.map((tick) => (
          <g key={tick} className="plot-tick">
            <line x1={toX(tick)} x2={toX(tick)} y1={0} y2={axisY} />
            <text x={toX(tick)} y={axisY + 18} textAnchor="middle">
              {formatValue(tick)}
            </text>
          </g>
        ))}
        {reference !== undefined && <line className="plot-reference" x1={toX(reference)} x2={toX(reference)} y1={0} y2={axisY} />}
        {rows.map((row, i) => {
          const y = i * ROW + ROW / 2;
          return (
            <g key={row.key} className="plot-row" data-model={row.key}>
              <title>{row.low !== null && row.high !== null ? `${row.label}: ${formatValue(row.value)} (${formatValue(row.low)} – ${formatValue(row.high)})` : `${row.label}: ${formatValue(row.value)}`}</title>
              <text x={labelX} y={y + 4} textAnchor={rtl ? 'start' : 'end'} className="plot-label">
                {clip(row.label)}
              </text>
              {row.low !== null && row.high !== null && (
                <>
                  <line className="plot-whisker" x1={toX(row.low)} x2={toX(row.high)} y1={y} y2={y} />
                  <line className="plot-cap" x1={toX(row.low)} x2={toX(row.low)} y1={y - 6} y2={y + 6} />
                  <line className="plot-cap" x1={toX(row.high)} x2={toX(row.high)} y1={y - 6} y2={y + 6} />
                </>
              )}
              <circle className="plot-point" cx={toX(row.value)} cy={y} r={5} />
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
