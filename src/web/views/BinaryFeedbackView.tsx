import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Chat, Key, KeyLine, letterOf, messagesOf, useReport, useViewKeys } from './shared.tsx';
import type { ViewProps } from './types.ts';

/** Is this response good? Y (or 1) for good, N (or 2) for bad, with an optional reason (R). */
export function BinaryFeedbackView({ task, disabled, initial, onChange, keys }: ViewProps) {
  const { t } = useTranslation();
  const p = task.params;
  const [label, setLabel] = useState<boolean | undefined>(initial?.label as boolean | undefined);
  const [reason, setReason] = useState(String(initial?.reason ?? ''));
  const reasonRef = useRef<HTMLTextAreaElement>(null);

  useViewKeys(keys, (event) => {
    const letter = letterOf(event);
    if (disabled) return false;
    if (letter === 'y' || event.key === '1') setLabel(true);
    else if (letter === 'n' || event.key === '2') setLabel(false);
    else if (letter === 'r') reasonRef.current?.focus();
    else return false;
    return true;
  });

  useReport(onChange, label === undefined ? undefined : { label, ...(reason.trim() && { reason }) });

  return (
    <div className="view view-binary">
      <Chat messages={messagesOf(p.prompt)} label={t('views.prompt')} />
      <Chat messages={messagesOf(p.completion, 'assistant')} label={t('views.response')} testId="completion" />
      <fieldset className="thumbs" disabled={disabled}>
        <legend>{t('views.binary.question')}</legend>
        <label className={`choice thumb thumb-good ${label === true ? 'is-selected' : ''}`} data-label="true">
          <input type="radio" name={`label-${task.id}`} checked={label === true} onChange={() => setLabel(true)} aria-keyshortcuts="Y 1" />
          <span aria-hidden="true" className="thumb-icon">
            👍
          </span>
          <span className="choice-name">{t('views.binary.good')}</span> <Key>Y</Key>
        </label>
        <label className={`choice thumb thumb-bad ${label === false ? 'is-selected' : ''}`} data-label="false">
          <input type="radio" name={`label-${task.id}`} checked={label === false} onChange={() => setLabel(false)} aria-keyshortcuts="N 2" />
          <span aria-hidden="true" className="thumb-icon">
            👎
          </span>
          <span className="choice-name">{t('views.binary.bad')}</span> <Key>N</Key>
        </label>
      </fieldset>
      <div className="field">
        <label htmlFor={`reason-${task.id}`}>
          {t('views.binary.reason')} <span className="muted small">({t('views.form.optional')})</span> <Key>R</Key>
        </label>
        <textarea id={`reason-${task.id}`} ref={reasonRef} rows={2} dir="auto" value={reason} onChange={(e) => setReason(e.target.value)} disabled={disabled} aria-keyshortcuts="R" />
      </div>
      <KeyLine
        items={[
          ['Y', t('views.binary.good')],
          ['N', t('views.binary.bad')],
          ['R', t('views.binary.reason')],
        ]}
      />
    </div>
  );
}
