/*
 * Time-series charts with uPlot, loaded only when a chart is on screen. The library file is
 * referenced by URL (Vite copies it to the build as is) and loaded with a script tag on first use:
 * imported as a module it would land in the shared vendor chunk every page downloads.
 */
import type uPlot from 'uplot';
import uplotCssUrl from 'uplot/dist/uPlot.min.css?url';
import uplotUrl from 'uplot/dist/uPlot.iife.min.js?url';
import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

type UPlotClass = typeof uPlot;
let loading: Promise<UPlotClass> | undefined;

/** Loads uPlot (script and stylesheet) once per page; resolves with its constructor. */
export function loadUplot(): Promise<UPlotClass> {
  loading ??= new Promise<UPlotClass>((resolve, reject) => {
    const css = document.createElement('link');
    css.rel = 'stylesheet';
    css.href = uplotCssUrl;
    document.head.append(css);
    const script = document.createElement('script');
    script.src = uplotUrl;
    script.async = true;
    script.onload = () => {
      const ctor = (window as unknown as { uPlot?: UPlotClass }).uPlot;
      if (ctor) resolve(ctor);
      else reject(new Error('uPlot did not load'));
    };
    script.onerror = () => {
      loading = undefined;
      reject(new Error('uPlot did not load'));
    };
    document.head.append(script);
  });
  return loading;
}

export interface ChartSeries {
  label: string;
  color: string;
  /** Bars (counts) or a line (rates). */
  kind: 'bars' | 'line';
  /** Values at each x; null leaves a gap. */
  values: (number | null)[];
}

/**
 * A chart over time (x in seconds since the epoch) with a data table for screen readers and for
 * anyone who wants the numbers. `yRange` fixes the y axis (e.g. [0, 1] for agreement).
 */
export function TimeChart({
  xs,
  series,
  title,
  height = 220,
  yRange,
  formatX,
  formatY,
  testId,
}: {
  xs: number[];
  series: ChartSeries[];
  title: string;
  height?: number;
  yRange?: [number, number];
  formatX(x: number): string;
  formatY(y: number): string;
  testId?: string;
}) {
  const { t } = useTranslation();
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | undefined>(undefined);
  const [failed, setFailed] = useState(false);
  const [ready, setReady] = useState(false);
  const id = useId();
  const key = JSON.stringify([xs, series.map((s) => [s.label, s.values, s.kind, s.color]), yRange]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for the data
  useEffect(() => {
    let cancelled = false;
    loadUplot().then(
      (UPlot) => {
        const el = box.current;
        if (cancelled || !el) return;
        chart.current?.destroy();
        const bars = UPlot.paths.bars?.({ size: [0.6, 60] });
        chart.current = new UPlot(
          {
            width: Math.max(200, el.clientWidth),
            height,
            legend: { show: series.length > 1 },
            cursor: { drag: { x: false, y: false } },
            // One point alone would make uPlot span years: keep at least a day either side.
            scales: { x: { time: true, range: (_u, min, max) => (max - min < 86_400 ? [min - 86_400, max + 86_400] : [min, max]) }, y: yRange ? { range: yRange } : { range: (_u, min, max) => [Math.min(0, min), Math.max(1, max * 1.1)] } },
            axes: [{ stroke: '#5d6678', grid: { stroke: '#eef0f4' }, values: (_u, ticks) => ticks.map((v) => formatX(v)) }, { stroke: '#5d6678', grid: { stroke: '#eef0f4' }, values: (_u, ticks) => ticks.map((v) => formatY(v)) }],
            series: [
              { value: (_u, v) => (v == null ? '' : formatX(v)) },
              ...series.map((s) => ({
                label: s.label,
                stroke: s.color,
                fill: s.kind === 'bars' ? `${s.color}cc` : undefined,
                width: s.kind === 'bars' ? 0 : 2,
                paths: s.kind === 'bars' ? bars : undefined,
                points: { show: s.kind === 'line' },
                value: (_u: uPlot, v: number | null) => (v == null ? '–' : formatY(v)),
              })),
            ],
          },
          [xs, ...series.map((s) => s.values)] as uPlot.AlignedData,
          el,
        );
        setReady(true);
      },
      () => {
        if (!cancelled) setFailed(true);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [key, height]);

  useEffect(() => () => chart.current?.destroy(), []);

  // Follow the container's width.
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const observer = new ResizeObserver(() => chart.current?.setSize({ width: Math.max(200, el.clientWidth), height }));
    observer.observe(el);
    return () => observer.disconnect();
  }, [height]);

  return (
    <figure className="chart" aria-labelledby={`${id}-caption`} data-testid={testId} data-ready={ready}>
      <figcaption id={`${id}-caption`} className="chart-title">
        {title}
      </figcaption>
      {failed ? <p className="note">{t('charts.failed')}</p> : <div ref={box} className="chart-canvas" aria-hidden="true" />}
      <details className="chart-table">
        <summary>{t('charts.showTable')}</summary>
        <div className="table-wrap scroll-y">
          <table className="table table-compact">
            <thead>
              <tr>
                <th scope="col">{t('charts.when')}</th>
                {series.map((s) => (
                  <th key={s.label} scope="col" className="num">
                    {s.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {xs.map((x, i) => (
                <tr key={x}>
                  <th scope="row">{formatX(x)}</th>
                  {series.map((s) => (
                    <td key={s.label} className="num">
                      {s.values[i] == null ? '–' : formatY(s.values[i] as number)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
