import type { LanguageGap, ModelRefusalSummary, RateCell, RefusalRow } from '../../shared/evaluation-report.ts';
import { REFUSAL_LABELS } from '../../shared/task-types.ts';
import { wilsonInterval } from './wilson.ts';

export type { LanguageGap, ModelRefusalSummary, RateCell, RefusalRow };

/*
 * The refusal audit report: how often each model refuses, deflects or answers, per topic and
 * language, with Wilson 95% intervals; neutral control topics beside sensitive ones; and the gap
 * between languages, which is what a refusal audit is usually after (does a model refuse in one
 * language what it answers in another?).
 */

/** Labels that count as not answering: the refusal rate is their combined share. */
export const REFUSAL_GROUP = ['refusal_explicit', 'refusal_canned', 'deflection'] as const;

/** One audited response with its label (one task's aggregated label). */
export interface RefusalObservation {
  model: string;
  topic: string;
  language: string;
  /** A neutral control topic (task params.control === true). */
  control: boolean;
  label: string;
}

export interface RefusalReport {
  labels: string[];
  refusal_labels: string[];
  /** Sorted by model, then sensitive before control, topic, language. */
  rows: RefusalRow[];
  /** Per model x topic seen in two languages or more; largest gap first. */
  language_gaps: LanguageGap[];
  /** Per model: sensitive topics and control topics pooled, side by side. */
  models: ModelRefusalSummary[];
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

function cell(count: number, n: number): RateCell {
  const ci = wilsonInterval(count, n);
  return { count, rate: round4(ci.rate), ci_low: round4(ci.low), ci_high: round4(ci.high) };
}

/** Builds the report from labelled observations; labels outside REFUSAL_LABELS are ignored. */
export function buildRefusalReport(observations: Iterable<RefusalObservation>): RefusalReport {
  const known = new Set<string>(REFUSAL_LABELS);
  const groups = new Map<string, { model: string; topic: string; language: string; control: boolean; counts: Map<string, number>; n: number }>();
  for (const o of observations) {
    if (!known.has(o.label)) continue;
    const key = JSON.stringify([o.model, o.control, o.topic, o.language]);
    let g = groups.get(key);
    if (!g) {
      g = { model: o.model, topic: o.topic, language: o.language, control: o.control, counts: new Map(), n: 0 };
      groups.set(key, g);
    }
    g.counts.set(o.label, (g.counts.get(o.label) ?? 0) + 1);
    g.n++;
  }
  const ordered = [...groups.values()].sort(
    (x, y) => cmp(x.model, y.model) || Number(x.control) - Number(y.control) || cmp(x.topic, y.topic) || cmp(x.language, y.language),
  );
  const rows: RefusalRow[] = ordered.map((g) => {
    const refused = REFUSAL_GROUP.reduce((s, l) => s + (g.counts.get(l) ?? 0), 0);
    return {
      model: g.model,
      topic: g.topic,
      language: g.language,
      control: g.control,
      n: g.n,
      labels: Object.fromEntries(REFUSAL_LABELS.map((l) => [l, cell(g.counts.get(l) ?? 0, g.n)])),
      refusal: cell(refused, g.n),
    };
  });

  const byTopic = new Map<string, RefusalRow[]>();
  for (const r of rows) {
    const key = JSON.stringify([r.model, r.control, r.topic]);
    byTopic.set(key, [...(byTopic.get(key) ?? []), r]);
  }
  const gaps: LanguageGap[] = [];
  for (const list of byTopic.values()) {
    if (list.length < 2) continue;
    // Exact shares decide min and max; ties go to the first language alphabetically (rows are sorted).
    const share = (r: RefusalRow) => r.refusal.count / r.n;
    let min = list[0];
    let max = list[0];
    for (const r of list) {
      if (share(r) < share(min)) min = r;
      if (share(r) > share(max)) max = r;
    }
    gaps.push({
      model: min.model,
      topic: min.topic,
      control: min.control,
      languages: list.length,
      min: { language: min.language, rate: min.refusal.rate },
      max: { language: max.language, rate: max.refusal.rate },
      gap: round4(share(max) - share(min)),
    });
  }
  gaps.sort((x, y) => y.gap - x.gap || cmp(x.model, y.model) || cmp(x.topic, y.topic));

  const models = [...new Set(rows.map((r) => r.model))].map((model) => {
    const pool = (control: boolean) => {
      const mine = rows.filter((r) => r.model === model && r.control === control);
      const n = mine.reduce((s, r) => s + r.n, 0);
      return { n, refusal: cell(mine.reduce((s, r) => s + r.refusal.count, 0), n) };
    };
    return { model, sensitive: pool(false), control: pool(true) };
  });
  return { labels: [...REFUSAL_LABELS], refusal_labels: [...REFUSAL_GROUP], rows, language_gaps: gaps, models };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A CSV field: quoted when it holds a comma, quote or line break (RFC 4180). */
function csvField(value: string | number | boolean): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The report's rows as CSV (RFC 4180, LF line ends, header first): model, topic, language, control,
 * n, the refusal rate with its interval, then count, rate and interval for every label, then the
 * model x topic's language gap (empty when the topic was seen in one language only).
 */
export function refusalReportCsv(report: RefusalReport): string {
  const gapOf = new Map(report.language_gaps.map((g) => [JSON.stringify([g.model, g.control, g.topic]), g.gap]));
  const header = [
    'model',
    'topic',
    'language',
    'control',
    'n',
    'refusal_count',
    'refusal_rate',
    'refusal_ci_low',
    'refusal_ci_high',
    ...report.labels.flatMap((l) => [`${l}_count`, `${l}_rate`, `${l}_ci_low`, `${l}_ci_high`]),
    'language_gap',
  ];
  const lines = [header.join(',')];
  for (const r of report.rows) {
    const gap = gapOf.get(JSON.stringify([r.model, r.control, r.topic]));
    lines.push(
      [
        r.model,
        r.topic,
        r.language,
        r.control,
        r.n,
        r.refusal.count,
        r.refusal.rate,
        r.refusal.ci_low,
        r.refusal.ci_high,
        ...report.labels.flatMap((l) => [r.labels[l].count, r.labels[l].rate, r.labels[l].ci_low, r.labels[l].ci_high]),
        gap ?? '',
      ]
        .map(csvField)
        .join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
