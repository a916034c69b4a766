import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ScaleRow } from './RatingView.tsx';
import { digitOf, KeyLine, useReport, useViewKeys } from './shared.tsx';
import type { ViewProps } from './types.ts';

interface Field {
  field_id: string;
  type: 'category' | 'text' | 'number' | 'rating' | 'boolean';
  title: string;
  description?: string;
  choices?: string[];
  required?: boolean;
  min?: number;
  max?: number;
}

type Value = string | number | boolean;

/** The rating scale of a rating field: its min/max, else 1 to 5. */
function ratingScale(f: Field): { min: number; max: number } {
  return { min: f.min ?? 1, max: f.max ?? Math.max(f.min ?? 1, 5) };
}

/** The answer of one field, or undefined when it is blank (or not a valid number). */
function fieldAnswer(f: Field, raw: Value | undefined): Value | undefined {
  if (raw === undefined) return undefined;
  if (f.type === 'text') return typeof raw === 'string' && raw.trim() !== '' ? raw : undefined;
  if (f.type === 'number') {
    if (typeof raw === 'number') return raw;
    if (typeof raw !== 'string' || raw.trim() === '') return undefined;
    const n = Number(raw.replace(',', '.'));
    return Number.isFinite(n) ? n : undefined;
  }
  return raw;
}

/** A form of typed fields (category, text, number, rating, yes/no); required ones are marked. */
export function TextCollectionView({ task, disabled, initial, onChange, keys }: ViewProps) {
  const { t } = useTranslation();
  const fields = (task.params.fields as Field[] | undefined) ?? [];
  const [values, setValues] = useState<Record<string, Value>>(() => {
    const given = (initial?.annotations as Record<string, { response: Value }> | undefined) ?? {};
    return Object.fromEntries(Object.entries(given).map(([k, v]) => [k, v.response]));
  });
  const set = (id: string, value: Value) => setValues((v) => ({ ...v, [id]: value }));

  // Digits choose within the field that holds the focus (a category, rating or yes/no field).
  useViewKeys(keys, (event) => {
    const digit = digitOf(event);
    const holder = (event.target instanceof Element ? event.target : document.activeElement)?.closest('[data-field]');
    const f = fields.find((x) => x.field_id === holder?.getAttribute('data-field'));
    if (!f || digit === undefined || disabled) return false;
    if (f.type === 'category' && f.choices && digit >= 1 && digit <= Math.min(9, f.choices.length)) set(f.field_id, f.choices[digit - 1]);
    else if (f.type === 'boolean' && (digit === 1 || digit === 2)) set(f.field_id, digit === 1);
    else if (f.type === 'rating' && digit >= ratingScale(f).min && digit <= ratingScale(f).max) set(f.field_id, digit);
    else return false;
    return true;
  });

  const annotations: Record<string, { type: string; response: Value }> = {};
  let complete = true;
  for (const f of fields) {
    const answer = fieldAnswer(f, values[f.field_id]);
    if (answer !== undefined) annotations[f.field_id] = { type: f.type, response: answer };
    else if (f.required) complete = false;
  }
  useReport(onChange, complete ? { annotations } : undefined);

  return (
    <div className="view view-form">
      <fieldset className="form-fields" disabled={disabled}>
        <legend className="visually-hidden">{t('views.form.legend')}</legend>
        {fields.map((f, index) => {
          const id = `field-${task.id}-${index}`;
          const title = (
            <>
              <span dir="auto">{f.title}</span>
              {f.required ? (
                <span className="required" aria-hidden="true">
                  {' '}
                  *
                </span>
              ) : (
                <span className="muted small"> ({t('views.form.optional')})</span>
              )}
            </>
          );
          const help = f.description ? (
            <p id={`${id}-help`} className="help" dir="auto">
              {f.description}
            </p>
          ) : null;
          const describedBy = f.description ? `${id}-help` : undefined;
          switch (f.type) {
            case 'text':
              return (
                <div key={f.field_id} className="field" data-field={f.field_id}>
                  <label htmlFor={id}>{title}</label>
                  {help}
                  <textarea id={id} rows={3} dir="auto" value={String(values[f.field_id] ?? '')} onChange={(e) => set(f.field_id, e.target.value)} required={f.required} aria-describedby={describedBy} />
                </div>
              );
            case 'number':
              return (
                <div key={f.field_id} className="field" data-field={f.field_id}>
                  <label htmlFor={id}>{title}</label>
                  {help}
                  <input
                    id={id}
                    type="number"
                    inputMode="decimal"
                    step="any"
                    min={f.min}
                    max={f.max}
                    value={values[f.field_id] === undefined ? '' : String(values[f.field_id])}
                    onChange={(e) => set(f.field_id, e.target.value)}
                    required={f.required}
                    aria-describedby={describedBy}
                  />
                </div>
              );
            case 'rating':
              return (
                <div key={f.field_id} className="field" data-field={f.field_id}>
                  <span id={id} className="field-title">
                    {title}
                  </span>
                  {help}
                  <ScaleRow name={id} scale={ratingScale(f)} value={values[f.field_id] as number | undefined} onPick={(v) => set(f.field_id, v)} labelledBy={id} />
                </div>
              );
            case 'boolean':
            case 'category': {
              const options: [string, Value][] = f.type === 'boolean' ? [[t('views.yes'), true], [t('views.no'), false]] : (f.choices ?? []).map((c) => [c, c]);
              return (
                <fieldset key={f.field_id} className="field plain" data-field={f.field_id} aria-describedby={describedBy}>
                  <legend>{title}</legend>
                  {help}
                  <div className="checks">
                    {options.map(([label, value], i) => (
                      <label key={String(value)} className="check" data-choice={String(value)}>
                        <input type="radio" name={id} checked={values[f.field_id] === value} onChange={() => set(f.field_id, value)} aria-keyshortcuts={i < 9 ? String(i + 1) : undefined} />
                        {i < 9 && <kbd aria-hidden="true">{i + 1}</kbd>}
                        <span dir="auto">{label}</span>
                      </label>
                    ))}
                  </div>
                </fieldset>
              );
            }
            default:
              return null;
          }
        })}
      </fieldset>
      <KeyLine
        items={[
          ['Tab', t('views.form.keyNext')],
          ['1…9', t('views.form.keyChoose')],
          ['Ctrl+Enter', t('views.keySubmitTyping')],
        ]}
      />
    </div>
  );
}
