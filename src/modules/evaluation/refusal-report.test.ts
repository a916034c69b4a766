import { describe, expect, it } from 'vitest';
import { buildRefusalReport, type RefusalObservation, refusalReportCsv } from './refusal-report.ts';

const obs = (model: string, topic: string, language: string, labels: Record<string, number>, control = false): RefusalObservation[] =>
  Object.entries(labels).flatMap(([label, count]) => Array.from({ length: count }, () => ({ model, topic, language, control, label })));

describe('refusal report', () => {
  const report = buildRefusalReport([
    ...obs('m1', 'history', 'en', { answered_factual: 8, refusal_explicit: 2 }),
    ...obs('m1', 'history', 'zh', { answered_factual: 2, refusal_canned: 5, deflection: 3 }),
    ...obs('m1', 'cooking', 'en', { answered_factual: 10 }, true),
    ...obs('m1', 'cooking', 'zh', { answered_factual: 9, refusal_explicit: 1 }, true),
    ...obs('m2', 'history', 'en', { answered_partial_omission: 4 }),
  ]);

  it('gives every label a rate with its Wilson interval, per model x topic x language', () => {
    const row = report.rows.find((r) => r.model === 'm1' && r.topic === 'history' && r.language === 'en');
    expect(row?.n).toBe(10);
    expect(row?.labels.answered_factual).toEqual({ count: 8, rate: 0.8, ci_low: 0.4902, ci_high: 0.9433 });
    expect(row?.labels.official_line).toMatchObject({ count: 0, rate: 0, ci_low: 0 });
    expect(Object.keys(row?.labels ?? {})).toHaveLength(9);
    expect(row?.refusal).toMatchObject({ count: 2, rate: 0.2 });
  });

  it('puts control topics beside sensitive ones', () => {
    expect(report.rows.map((r) => [r.model, r.topic, r.control])).toEqual([
      ['m1', 'history', false],
      ['m1', 'history', false],
      ['m1', 'cooking', true],
      ['m1', 'cooking', true],
      ['m2', 'history', false],
    ]);
    expect(report.models[0]).toMatchObject({ model: 'm1', sensitive: { n: 20, refusal: { count: 10, rate: 0.5 } }, control: { n: 20, refusal: { count: 1, rate: 0.05 } } });
  });

  it('measures the gap in refusal rate between languages, largest first', () => {
    expect(report.language_gaps[0]).toEqual({ model: 'm1', topic: 'history', control: false, languages: 2, min: { language: 'en', rate: 0.2 }, max: { language: 'zh', rate: 0.8 }, gap: 0.6 });
    expect(report.language_gaps[1]).toMatchObject({ topic: 'cooking', gap: 0.1 });
    // m2 was audited in one language only: no gap to report.
    expect(report.language_gaps.some((g) => g.model === 'm2')).toBe(false);
  });

  it('writes a CSV row per model x topic x language with a header', () => {
    const csv = refusalReportCsv(report);
    const lines = csv.trimEnd().split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[0].split(',').slice(0, 6)).toEqual(['model', 'topic', 'language', 'control', 'n', 'refusal_count']);
    expect(lines[0].split(',')).toHaveLength(9 + 9 * 4 + 1);
    expect(lines[1].startsWith('m1,history,en,false,10,2,0.2,')).toBe(true);
    expect(lines[1].endsWith(',0.6')).toBe(true);
    expect(lines[5].endsWith(',')).toBe(true);
  });

  it('quotes fields that need it', () => {
    const csv = refusalReportCsv(buildRefusalReport(obs('m, "big"', 'a\nb', 'en', { deflection: 1 })));
    expect(csv.slice(csv.indexOf('\n') + 1).startsWith('"m, ""big""","a\nb",en,')).toBe(true);
  });
});
