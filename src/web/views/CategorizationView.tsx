import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { categoriesOf, categorizationAnswer, categorizationForm } from '../work.ts';
import { digitOf, useReport, useViewKeys } from './shared.tsx';
import type { ViewProps } from './types.ts';

/** Pick one category (radio) or several (checkboxes); 1-9 choose. */
export function CategorizationView({ task, disabled, initial, onChange, keys }: ViewProps) {
  const { t } = useTranslation();
  const form = useMemo(() => categorizationForm(task.params), [task.params]);
  const [selected, setSelected] = useState<string[]>(() => categoriesOf(initial) ?? []);
  const multiple = form?.field === 'categories';

  const choose = (category: string) => {
    if (disabled) return;
    setSelected((s) => (multiple ? (s.includes(category) ? s.filter((c) => c !== category) : [...s, category]) : [category]));
  };

  useViewKeys(keys, (event) => {
    const digit = digitOf(event);
    if (!form || digit === undefined || digit < 1 || digit > Math.min(9, form.choices.length)) return false;
    choose(form.choices[digit - 1]);
    return true;
  });

  useReport(onChange, form && selected.length > 0 ? categorizationAnswer(form, selected) : undefined);

  if (!form) return <p className="note">{t('views.badParams')}</p>;
  return (
    <fieldset className="choices" disabled={disabled}>
      <legend>{multiple ? t('work.chooseMany') : t('work.chooseOne')}</legend>
      <div className="choice-list">
        {form.choices.map((c, i) => (
          <label key={c} className={`choice ${selected.includes(c) ? 'is-selected' : ''}`} data-category={c}>
            <input type={multiple ? 'checkbox' : 'radio'} name="category" value={c} checked={selected.includes(c)} onChange={() => choose(c)} aria-keyshortcuts={i < 9 ? String(i + 1) : undefined} />
            {i < 9 && (
              <kbd className="choice-key" aria-hidden="true">
                {i + 1}
              </kbd>
            )}
            <span className="choice-text">
              <span className="choice-name" dir="auto">
                {c}
              </span>
              {form.descriptions[c] && (
                <span className="choice-desc" dir="auto">
                  {form.descriptions[c]}
                </span>
              )}
            </span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
