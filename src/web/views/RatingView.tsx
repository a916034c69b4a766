import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Chat, digitOf, KeyLine, messagesOf, onChoiceInput, pageIsRtl, useReport, useViewKeys } from './shared.tsx';
import type { ViewProps } from './types.ts';

interface Scale {
  min: number;
  max: number;
  labels?: string[];
}

/** The values of a scale, min to max. */
export function scaleValues(scale: Scale): number[] {
  const out: number[] = [];
  for (let v = scale.min; v <= scale.max && out.length < 101; v++) out.push(v);
  return out;
}

/**
 * One row of radio buttons for a value on a scale: a native radio group (arrow keys move within it,
 * screen readers announce "3 of 5"), with the scale's labels under their values.
 */
export function ScaleRow({
  name,
  scale,
  value,
  onPick,
  disabled,
  labelledBy,
  testId,
}: {
  name: string;
  scale: Scale;
  value: number | undefined;
  onPick(value: number): void;
  disabled?: boolean;
  labelledBy: string;
  testId?: string;
}) {
  const values = scaleValues(scale);
  return (
    <div className="scale" role="radiogroup" aria-labelledby={labelledBy} data-testid={testId}>
      {values.map((v, i) => {
        const label = scale.labels?.[i];
        return (
          <label key={v} className={`scale-option ${value === v ? 'is-selected' : ''}`} data-value={v}>
            <input type="radio" name={name} value={v} checked={value === v} onChange={() => onPick(v)} disabled={disabled} aria-keyshortcuts={v >= 0 && v <= 9 ? String(v) : undefined} />
            <span className="scale-number">{v}</span>
            {label && (
              <span className="scale-label" dir="auto">
                {label}
              </span>
            )}
          </label>
        );
      })}
    </div>
  );
}

/** Rate the item on one scale per criterion. Digits rate the active criterion, then move on. */
export function RatingView({ task, disabled, initial, onChange, keys }: ViewProps) {
  const { t } = useTranslation();
  const p = task.params;
  const scale = (p.scale as Scale | undefined) ?? { min: 1, max: 5 };
  const criteria = (p.criteria as string[] | undefined) ?? [];
  const [ratings, setRatings] = useState<Record<string, number>>(() => ({ ...((initial?.ratings as Record<string, number> | undefined) ?? {}) }));
  const [active, setActive] = useState(0);

  const rate = (index: number, value: number, advance: boolean) => {
    if (disabled) return;
    setRatings((r) => ({ ...r, [criteria[index]]: value }));
    setActive(advance ? Math.min(criteria.length - 1, index + 1) : index);
  };

  useViewKeys(keys, (event) => {
    const digit = digitOf(event);
    if (digit !== undefined && digit >= scale.min && digit <= scale.max) {
      rate(active, digit, true);
      return true;
    }
    if (onChoiceInput(event)) return false;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      setActive((a) => Math.max(0, Math.min(criteria.length - 1, a + (event.key === 'ArrowDown' ? 1 : -1))));
      return true;
    }
    if (event.key === 'ArrowLeft' || event.key === 'ArrowRight') {
      const up = (event.key === 'ArrowRight') !== pageIsRtl();
      const current = ratings[criteria[active]];
      const next = current === undefined ? (up ? scale.min : scale.max) : Math.max(scale.min, Math.min(scale.max, current + (up ? 1 : -1)));
      rate(active, next, false);
      return true;
    }
    return false;
  });

  const complete = criteria.length > 0 && criteria.every((c) => typeof ratings[c] === 'number');
  useReport(onChange, complete ? { ratings: Object.fromEntries(criteria.map((c) => [c, ratings[c]])) } : undefined);

  return (
    <div className="view view-rating">
      <Chat messages={messagesOf(p.prompt)} label={t('views.prompt')} />
      <Chat messages={messagesOf(p.completion, 'assistant')} label={t('views.response')} />
      <fieldset className="rows" disabled={disabled}>
        <legend>{t('views.rating.legend', { min: scale.min, max: scale.max })}</legend>
        {criteria.map((c, i) => (
          // biome-ignore lint/a11y/noStaticElementInteractions: focus inside moves the active row; the radios are the controls
          <div key={c} className={`row-item ${i === active ? 'is-active' : ''}`} data-criterion={c} onFocusCapture={() => setActive(i)} onPointerDown={() => setActive(i)}>
            <span id={`rating-${task.id}-${i}`} className="row-title" dir="auto">
              {c}
            </span>
            <ScaleRow name={`rating-${task.id}-${i}`} scale={scale} value={ratings[c]} onPick={(v) => rate(i, v, false)} labelledBy={`rating-${task.id}-${i}`} />
          </div>
        ))}
      </fieldset>
      <KeyLine
        items={[
          [`${scale.min}…${Math.min(9, scale.max)}`, t('views.rating.keyRate')],
          ['↑ ↓', t('views.keyRows')],
          ['← →', t('views.rating.keyAdjust')],
        ]}
      />
    </div>
  );
}
