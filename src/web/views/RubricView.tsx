import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatNumber, formatPercent } from '../format.ts';
import { type RubricCriterion, type RubricMark, rubricTotals } from './logic.ts';
import { ScaleRow } from './RatingView.tsx';
import { Chat, digitOf, Key, KeyLine, letterOf, messagesOf, onChoiceInput, useReport, useViewKeys } from './shared.tsx';
import type { ViewProps } from './types.ts';

/**
 * Score a response against weighted criteria: a score on each criterion's scale or "not
 * applicable", an optional justification, and the weighted total and percentage worked out live.
 */
export function RubricView({ task, disabled, initial, onChange, keys }: ViewProps) {
  const { t, i18n } = useTranslation();
  const p = task.params;
  const criteria = (p.criteria as RubricCriterion[] | undefined) ?? [];
  const [marks, setMarks] = useState<Record<string, RubricMark>>(() => ({ ...((initial?.criteria as Record<string, RubricMark> | undefined) ?? {}) }));
  const [active, setActive] = useState(0);
  const notes = useRef<(HTMLTextAreaElement | null)[]>([]);

  const update = (index: number, change: Partial<RubricMark>) => {
    if (disabled) return;
    const id = criteria[index].id;
    setMarks((m) => ({ ...m, [id]: { ...m[id], ...change } }));
  };

  useViewKeys(keys, (event) => {
    const c = criteria[active];
    const digit = digitOf(event);
    if (c && digit !== undefined && digit >= c.scale.min && digit <= c.scale.max) {
      update(active, { score: digit, not_applicable: false });
      setActive(Math.min(criteria.length - 1, active + 1));
      return true;
    }
    const letter = letterOf(event);
    if (c && letter === 'n') {
      update(active, { not_applicable: !marks[c.id]?.not_applicable });
      return true;
    }
    if (letter === 'j') {
      notes.current[active]?.focus();
      return true;
    }
    if (!onChoiceInput(event) && (event.key === 'ArrowDown' || event.key === 'ArrowUp')) {
      setActive((a) => Math.max(0, Math.min(criteria.length - 1, a + (event.key === 'ArrowDown' ? 1 : -1))));
      return true;
    }
    return false;
  });

  const complete = criteria.length > 0 && criteria.every((c) => marks[c.id]?.not_applicable || marks[c.id]?.score !== undefined);
  const totals = rubricTotals(criteria, marks);
  const answer = complete
    ? {
        criteria: Object.fromEntries(
          criteria.map((c) => {
            const m = marks[c.id] ?? {};
            return [c.id, { ...(m.not_applicable ? { not_applicable: true } : { score: m.score }), ...(m.justification?.trim() && { justification: m.justification }) }];
          }),
        ),
        ...totals,
      }
    : undefined;
  useReport(onChange, answer);

  return (
    <div className="view view-rubric">
      <Chat messages={messagesOf(p.prompt)} label={t('views.prompt')} />
      <Chat messages={messagesOf(p.completion, 'assistant')} label={t('views.response')} />
      <fieldset className="rows" disabled={disabled}>
        <legend>{t('views.rubric.legend')}</legend>
        {criteria.map((c, i) => {
          const m = marks[c.id] ?? {};
          const titleId = `rubric-${task.id}-${i}`;
          return (
            // biome-ignore lint/a11y/noStaticElementInteractions: focus inside moves the active row
            <div key={c.id} className={`row-item rubric-row ${i === active ? 'is-active' : ''} ${m.not_applicable ? 'is-na' : ''}`} data-criterion={c.id} onFocusCapture={() => setActive(i)} onPointerDown={() => setActive(i)}>
              <div className="row-title">
                <span id={titleId} dir="auto">
                  {c.description || c.id}
                </span>{' '}
                <span className="muted small">{t('views.rubric.weight', { weight: formatNumber(c.weight, i18n.language) })}</span>
              </div>
              <div className="rubric-controls">
                <ScaleRow name={titleId} scale={c.scale} value={m.not_applicable ? undefined : m.score} onPick={(v) => update(i, { score: v, not_applicable: false })} labelledBy={titleId} />
                <label className="check">
                  <input type="checkbox" checked={!!m.not_applicable} onChange={(e) => update(i, { not_applicable: e.target.checked })} aria-keyshortcuts="N" data-testid="not-applicable" />
                  {t('views.rubric.notApplicable')} <Key>N</Key>
                </label>
              </div>
              <label className="visually-hidden" htmlFor={`${titleId}-why`}>
                {t('views.rubric.justificationFor', { criterion: c.description || c.id })}
              </label>
              <textarea
                id={`${titleId}-why`}
                ref={(el) => {
                  notes.current[i] = el;
                }}
                rows={1}
                dir="auto"
                placeholder={t('views.rubric.justification')}
                value={m.justification ?? ''}
                onChange={(e) => update(i, { justification: e.target.value })}
              />
            </div>
          );
        })}
      </fieldset>
      <dl className="stats stats-small" aria-live="polite">
        <div className="stat">
          <dt>{t('views.rubric.total')}</dt>
          <dd data-testid="rubric-total" data-value={totals.total_score}>
            {formatNumber(totals.total_score, i18n.language)}
          </dd>
        </div>
        <div className="stat">
          <dt>{t('views.rubric.percentage')}</dt>
          <dd data-testid="rubric-percentage" data-value={totals.percentage ?? ''}>
            {totals.percentage === undefined ? '–' : formatPercent(totals.percentage / 100, i18n.language)}
          </dd>
        </div>
      </dl>
      <KeyLine
        items={[
          ['0…9', t('views.rubric.keyScore')],
          ['N', t('views.rubric.notApplicable')],
          ['J', t('views.rubric.keyJustify')],
          ['↑ ↓', t('views.keyRows')],
        ]}
      />
    </div>
  );
}
