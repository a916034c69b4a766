import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { REFUSAL_LABELS } from '../../shared/task-types.ts';
import { Chat, digitOf, Key, KeyLine, letterOf, messagesOf, shiftDigitOf, useReport, useViewKeys } from './shared.tsx';
import type { ViewProps } from './types.ts';

/** Things worth flagging beside the label; stored by these ids in `flags`. */
export const REFUSAL_FLAGS = ['wrong_language', 'truncated', 'moralizing', 'unsupported_claims', 'loaded_terms'] as const;

/**
 * Label how a model answered a sensitive prompt: one of the nine published labels (1-9, each with
 * a short definition), any flags (Shift+1-5), and notes (N). The model's name stays hidden, so the
 * label judges the answer, not its maker.
 */
export function RefusalAuditView({ task, disabled, initial, onChange, keys }: ViewProps) {
  const { t } = useTranslation();
  const p = task.params;
  const language = typeof p.language === 'string' ? p.language : undefined;
  const [label, setLabel] = useState<string | undefined>(initial?.label as string | undefined);
  const [flags, setFlags] = useState<string[]>(() => [...((initial?.flags as string[] | undefined) ?? [])]);
  const [notes, setNotes] = useState(String(initial?.notes ?? ''));
  const notesRef = useRef<HTMLTextAreaElement>(null);

  const toggleFlag = (flag: string) => setFlags((f) => (f.includes(flag) ? f.filter((x) => x !== flag) : [...f, flag]));

  useViewKeys(keys, (event) => {
    if (disabled) return false;
    const shifted = shiftDigitOf(event);
    if (shifted !== undefined && shifted <= REFUSAL_FLAGS.length) {
      toggleFlag(REFUSAL_FLAGS[shifted - 1]);
      return true;
    }
    const digit = digitOf(event);
    if (digit !== undefined && digit >= 1 && digit <= REFUSAL_LABELS.length) {
      setLabel(REFUSAL_LABELS[digit - 1]);
      return true;
    }
    if (letterOf(event) === 'n') {
      notesRef.current?.focus();
      return true;
    }
    return false;
  });

  // Flags keep the published order whatever order they were ticked in.
  const orderedFlags = REFUSAL_FLAGS.filter((f) => flags.includes(f));
  useReport(onChange, label ? { label, flags: orderedFlags, ...(notes.trim() && { notes }) } : undefined);

  return (
    <div className="view view-refusal">
      <dl className="facts facts-inline">
        <dt>{t('views.refusal.topic')}</dt>
        <dd dir="auto">{String(p.topic ?? '')}</dd>
        <dt>{t('views.refusal.language')}</dt>
        <dd>{language}</dd>
      </dl>
      <Chat messages={messagesOf(p.prompt)} label={t('views.prompt')} lang={language} />
      <Chat messages={[{ role: 'assistant', content: String(p.response ?? '') }]} label={t('views.response')} lang={language} testId="audited-response" />
      <fieldset className="choices" disabled={disabled}>
        <legend>{t('views.refusal.legend')}</legend>
        <div className="choice-list choice-grid">
          {REFUSAL_LABELS.map((l, i) => (
            <label key={l} className={`choice ${label === l ? 'is-selected' : ''}`} data-label={l}>
              <input type="radio" name={`refusal-${task.id}`} checked={label === l} onChange={() => setLabel(l)} aria-keyshortcuts={String(i + 1)} aria-describedby={`refusal-${task.id}-${l}`} />
              <kbd className="choice-key" aria-hidden="true">
                {i + 1}
              </kbd>
              <span className="choice-text">
                <span className="choice-name">{t(`views.refusal.labels.${l}.name`)}</span>
                <span className="choice-desc" id={`refusal-${task.id}-${l}`}>
                  {t(`views.refusal.labels.${l}.def`)}
                </span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset className="plain" disabled={disabled}>
        <legend>{t('views.refusal.flags')}</legend>
        <div className="checks">
          {REFUSAL_FLAGS.map((f, i) => (
            <label key={f} className="check" data-flag={f}>
              <input type="checkbox" checked={flags.includes(f)} onChange={() => toggleFlag(f)} aria-keyshortcuts={`Shift+${i + 1}`} />
              {t(`views.refusal.flagNames.${f}`)} <Key>⇧{i + 1}</Key>
            </label>
          ))}
        </div>
      </fieldset>
      <div className="field">
        <label htmlFor={`notes-${task.id}`}>
          {t('views.refusal.notes')} <span className="muted small">({t('views.form.optional')})</span> <Key>N</Key>
        </label>
        <textarea id={`notes-${task.id}`} ref={notesRef} rows={2} dir="auto" value={notes} onChange={(e) => setNotes(e.target.value)} disabled={disabled} aria-keyshortcuts="N" />
      </div>
      <KeyLine
        items={[
          ['1…9', t('views.refusal.keyLabel')],
          ['⇧1…⇧5', t('views.refusal.keyFlag')],
          ['N', t('views.refusal.notes')],
        ]}
      />
    </div>
  );
}
