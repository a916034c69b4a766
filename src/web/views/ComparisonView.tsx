import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { shuffled } from './logic.ts';
import { Chat, digitOf, Key, KeyLine, letterOf, type Message, messagesOf, onChoiceInput, useReport, useViewKeys } from './shared.tsx';
import type { ViewProps } from './types.ts';

interface ModelResponse {
  id: string;
  model?: string;
  messages: Message[];
}

const SIDES = ['A', 'B'] as const;

/**
 * Two model responses side by side in a random order, judged blind (model names hidden). The
 * answer names responses by id, never by side, and records the order shown (left to right) as
 * display_order. Keys: A / B pick the response shown as A or B, T a tie, X both bad, digits the
 * strength; ↑ ↓ move between the overall choice and the criteria.
 */
export function ComparisonView({ task, disabled, initial, onChange, keys }: ViewProps) {
  const { t, i18n } = useTranslation();
  const p = task.params;
  const responses = (p.responses as ModelResponse[] | undefined) ?? [];
  const criteria = (p.criteria as string[] | undefined) ?? [];
  const allowTie = p.allow_tie !== false;
  const allowBothBad = p.allow_both_bad === true;
  const strengthMax = (p.strength_scale as number | undefined) ?? 3;
  const ids = responses.map((r) => r.id);

  // The order shown is drawn once per task (a stored answer keeps its own order).
  const [order] = useState<string[]>(() => {
    const given = initial?.display_order as string[] | undefined;
    return given && given.length === 2 && given.every((id) => ids.includes(id)) ? given : shuffled(ids);
  });
  const [winner, setWinner] = useState<string | undefined>(initial?.winner as string | undefined);
  const [strength, setStrength] = useState<number | undefined>(initial?.strength as number | undefined);
  const [perCriterion, setPerCriterion] = useState<Record<string, string>>(() => ({ ...((initial?.criteria as Record<string, string> | undefined) ?? {}) }));
  const [rationale, setRationale] = useState<string>(String(initial?.rationale ?? ''));
  const [active, setActive] = useState(0);
  const rationaleRef = useRef<HTMLTextAreaElement>(null);
  const columns = useRef<(HTMLElement | null)[]>([]);
  const [visual, setVisual] = useState<string[]>(order);

  // display_order is what the eye saw, left to right: in a right-to-left page "A" sits on the right.
  const measure = () => {
    const [a, b] = columns.current.map((c) => c?.getBoundingClientRect().left);
    setVisual(a !== undefined && b !== undefined && Math.abs(a - b) > 1 && b < a ? [order[1], order[0]] : order);
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: re-measure when the direction may have changed
  useLayoutEffect(measure, [order, i18n.language]);
  useEffect(() => {
    window.addEventListener('resize', measure);
    return () => window.removeEventListener('resize', measure);
  });

  const byId = new Map(responses.map((r) => [r.id, r]));
  const sideOf = (id: string) => SIDES[order.indexOf(id)] ?? id;
  const rows = 1 + criteria.length;

  const pick = (row: number, choice: string) => {
    if (disabled) return;
    if (row === 0) {
      if (choice === 'tie' && !allowTie) return;
      if (choice === 'both_bad' && !allowBothBad) return;
      setWinner(choice);
    } else {
      if (choice === 'both_bad') return;
      setPerCriterion((c) => ({ ...c, [criteria[row - 1]]: choice }));
    }
    setActive(Math.min(rows - 1, row + 1));
  };

  useViewKeys(keys, (event) => {
    const letter = letterOf(event);
    if (letter === 'a' || letter === 'b') {
      pick(active, order[letter === 'a' ? 0 : 1]);
      return true;
    }
    if (letter === 't') {
      pick(active, 'tie');
      return true;
    }
    if (letter === 'x' && active === 0) {
      pick(0, 'both_bad');
      return true;
    }
    if (letter === 'r') {
      rationaleRef.current?.focus();
      return true;
    }
    const digit = digitOf(event);
    if (digit !== undefined && digit >= 1 && digit <= strengthMax && !disabled) {
      setStrength(digit);
      return true;
    }
    if (!onChoiceInput(event) && (event.key === 'ArrowDown' || event.key === 'ArrowUp')) {
      setActive((a) => Math.max(0, Math.min(rows - 1, a + (event.key === 'ArrowDown' ? 1 : -1))));
      return true;
    }
    return false;
  });

  const complete = winner !== undefined && criteria.every((c) => perCriterion[c] !== undefined);
  const decisive = winner !== undefined && ids.includes(winner);
  useReport(
    onChange,
    complete
      ? {
          winner,
          ...(decisive && strength !== undefined && { strength }),
          ...(criteria.length > 0 && { criteria: Object.fromEntries(criteria.map((c) => [c, perCriterion[c]])) }),
          ...(rationale.trim() && { rationale }),
          display_order: visual,
        }
      : undefined,
  );

  const choiceLabel = (choice: string) =>
    choice === 'tie' ? t('views.comparison.tie') : choice === 'both_bad' ? t('views.comparison.bothBad') : t('views.comparison.better', { side: sideOf(choice) });
  const choiceKey = (choice: string) => (choice === 'tie' ? 'T' : choice === 'both_bad' ? 'X' : sideOf(choice));

  const overallChoices = [...order, ...(allowTie ? ['tie'] : []), ...(allowBothBad ? ['both_bad'] : [])];
  const strengthLabel = (n: number) => (strengthMax === 3 ? t(`views.comparison.strength${n}`) : String(n));

  return (
    <div className="view view-comparison">
      <Chat messages={messagesOf(p.prompt)} label={t('views.prompt')} />
      <div className="side-by-side" data-testid="comparison-sides">
        {order.map((id, i) => (
          <section
            key={id}
            ref={(el) => {
              columns.current[i] = el;
            }}
            className={`side card ${winner === id ? 'is-chosen' : ''}`}
            aria-labelledby={`side-${task.id}-${i}`}
            data-side={SIDES[i]}
            data-response-id={id}
          >
            <h3 id={`side-${task.id}-${i}`}>
              {t('views.comparison.response', { side: SIDES[i] })} <Key>{SIDES[i]}</Key>
            </h3>
            <Chat messages={byId.get(id)?.messages ?? []} />
          </section>
        ))}
      </div>
      <fieldset className="rows" disabled={disabled}>
        <legend className="visually-hidden">{t('views.comparison.legend')}</legend>
        {/* biome-ignore lint/a11y/noStaticElementInteractions: focus inside moves the active row */}
        <div className={`row-item ${active === 0 ? 'is-active' : ''}`} onFocusCapture={() => setActive(0)} onPointerDown={() => setActive(0)}>
          <span id={`overall-${task.id}`} className="row-title">
            {t('views.comparison.overall')}
          </span>
          <div className="segmented" role="radiogroup" aria-labelledby={`overall-${task.id}`}>
            {overallChoices.map((choice) => (
              <label key={choice} className={`segment ${winner === choice ? 'is-selected' : ''}`} data-choice={choice}>
                <input type="radio" name={`winner-${task.id}`} checked={winner === choice} onChange={() => pick(0, choice)} aria-keyshortcuts={choiceKey(choice)} />
                <span>{choiceLabel(choice)}</span> <Key>{choiceKey(choice)}</Key>
              </label>
            ))}
          </div>
        </div>
        <div className="row-item">
          <span id={`strength-${task.id}`} className="row-title">
            {t('views.comparison.strength')}
          </span>
          <div className="segmented" role="radiogroup" aria-labelledby={`strength-${task.id}`}>
            {Array.from({ length: strengthMax }, (_, i) => i + 1).map((n) => (
              <label key={n} className={`segment ${strength === n ? 'is-selected' : ''}`} data-strength={n}>
                <input type="radio" name={`strength-${task.id}`} checked={strength === n} onChange={() => setStrength(n)} disabled={!decisive} aria-keyshortcuts={String(n)} />
                <span>{strengthLabel(n)}</span> <Key>{n}</Key>
              </label>
            ))}
          </div>
        </div>
        {criteria.map((c, i) => (
          // biome-ignore lint/a11y/noStaticElementInteractions: focus inside moves the active row
          <div key={c} className={`row-item ${active === i + 1 ? 'is-active' : ''}`} data-criterion={c} onFocusCapture={() => setActive(i + 1)} onPointerDown={() => setActive(i + 1)}>
            <span id={`crit-${task.id}-${i}`} className="row-title" dir="auto">
              {c}
            </span>
            <div className="segmented" role="radiogroup" aria-labelledby={`crit-${task.id}-${i}`}>
              {[...order, 'tie'].map((choice) => (
                <label key={choice} className={`segment ${perCriterion[c] === choice ? 'is-selected' : ''}`} data-choice={choice}>
                  <input type="radio" name={`crit-${task.id}-${i}`} checked={perCriterion[c] === choice} onChange={() => pick(i + 1, choice)} />
                  <span>{choice === 'tie' ? t('views.comparison.tie') : sideOf(choice)}</span>
                </label>
              ))}
            </div>
          </div>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor={`rationale-${task.id}`}>
          {t('views.comparison.rationale')} <span className="muted small">({t('views.form.optional')})</span> <Key>R</Key>
        </label>
        <textarea id={`rationale-${task.id}`} ref={rationaleRef} rows={2} dir="auto" value={rationale} onChange={(e) => setRationale(e.target.value)} disabled={disabled} aria-keyshortcuts="R" />
      </div>
      <KeyLine
        items={[
          ['A B', t('views.comparison.keyPick')],
          ...(allowTie ? ([['T', t('views.comparison.tie')]] as [string, string][]) : []),
          ...(allowBothBad ? ([['X', t('views.comparison.bothBad')]] as [string, string][]) : []),
          [`1…${strengthMax}`, t('views.comparison.strength')],
          ['↑ ↓', t('views.keyRows')],
        ]}
      />
    </div>
  );
}
