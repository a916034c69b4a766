import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Markdown } from '../components/Markdown.tsx';
import { Chat, Key, KeyLine, letterOf, messagesOf, useReport, useViewKeys } from './shared.tsx';
import type { ViewProps } from './types.ts';

/** The assistant text of a draft (several assistant turns are joined by a blank line). */
function draftText(draft: unknown): string {
  return messagesOf(draft, 'assistant')
    .filter((m) => m.role === 'assistant')
    .map((m) => m.content)
    .join('\n\n');
}

/**
 * Write the assistant's reply, or rewrite the draft the task brings, in Markdown with a live
 * preview. E edits, P shows or hides the preview, Ctrl+Enter submits from the editor.
 */
export function SftView({ task, disabled, initial, onChange, keys }: ViewProps) {
  const { t } = useTranslation();
  const p = task.params;
  const draft = draftText(p.draft);
  const stored = (initial?.completion as { content?: string }[] | undefined)?.[0]?.content;
  const [text, setText] = useState(stored ?? draft);
  const [preview, setPreview] = useState(true);
  const editor = useRef<HTMLTextAreaElement>(null);

  useViewKeys(keys, (event) => {
    const letter = letterOf(event);
    if (letter === 'e') {
      editor.current?.focus();
      return true;
    }
    if (letter === 'p') {
      setPreview((v) => !v);
      return true;
    }
    return false;
  });

  useReport(onChange, text.trim() ? { completion: [{ role: 'assistant', content: text }] } : undefined);

  const editorId = `sft-editor-${task.id}`;
  return (
    <div className="view view-sft">
      <Chat messages={messagesOf(p.prompt)} label={t('views.prompt')} />
      {draft && (
        <details className="draft">
          <summary>{t('views.sft.draftShown')}</summary>
          <Chat messages={[{ role: 'assistant', content: draft }]} />
        </details>
      )}
      <div className={`sft-panes ${preview ? '' : 'no-preview'}`}>
        <div className="field">
          <label htmlFor={editorId}>
            {draft ? t('views.sft.rewrite') : t('views.sft.write')} <Key>E</Key>
          </label>
          <textarea
            id={editorId}
            ref={editor}
            className="sft-editor"
            rows={12}
            dir="auto"
            value={text}
            onChange={(e) => setText(e.target.value)}
            disabled={disabled}
            aria-describedby={`${editorId}-help`}
            aria-keyshortcuts="E"
            data-testid="sft-editor"
          />
          <p id={`${editorId}-help`} className="help">
            {t('views.sft.help')}
          </p>
        </div>
        {preview && (
          <section className="sft-preview" aria-label={t('views.sft.preview')} data-testid="sft-preview">
            <p className="preview-label">{t('views.sft.preview')}</p>
            {text.trim() ? <Markdown>{text}</Markdown> : <p className="muted">{t('views.sft.empty')}</p>}
          </section>
        )}
      </div>
      <div className="row">
        <button type="button" className="button button-small" onClick={() => setPreview((v) => !v)} aria-pressed={preview} aria-keyshortcuts="P">
          {preview ? t('views.sft.hidePreview') : t('views.sft.showPreview')} <Key>P</Key>
        </button>
        {draft && (
          <button type="button" className="button button-small" onClick={() => setText(draft)} disabled={disabled || text === draft}>
            {t('views.sft.restoreDraft')}
          </button>
        )}
      </div>
      <KeyLine
        items={[
          ['E', t('views.sft.keyEdit')],
          ['Esc', t('views.keyLeaveField')],
          ['Ctrl+Enter', t('views.keySubmitTyping')],
          ['P', t('views.sft.keyPreview')],
        ]}
      />
    </div>
  );
}
