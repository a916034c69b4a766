import { useTranslation } from 'react-i18next';
import type { Attachment } from '../api.ts';
import { Markdown } from './Markdown.tsx';

function text(content: unknown): string {
  return typeof content === 'string' ? content : JSON.stringify(content, null, 2);
}

/** A task's attachments: text as written, markdown rendered (no raw HTML), images, audio, PDFs, chats. */
export function Attachments({ attachments }: { attachments: Attachment[] }) {
  const { t } = useTranslation();
  return (
    <div className="attachments" data-testid="attachments">
      {attachments.map((a, i) => {
        const key = `${i}-${a.type}`;
        switch (a.type) {
          case 'text':
            return (
              <div key={key} className="attachment attachment-text" dir="auto" data-testid="attachment-text">
                {text(a.content)}
              </div>
            );
          case 'markdown':
            return (
              <div key={key} className="attachment">
                <Markdown>{text(a.content)}</Markdown>
              </div>
            );
          case 'image':
            return (
              <figure key={key} className="attachment attachment-image">
                <img src={text(a.content)} alt={t('work.imageAlt', { n: i + 1 })} loading="eager" decoding="async" />
              </figure>
            );
          case 'audio':
            return (
              <div key={key} className="attachment">
                {/* biome-ignore lint/a11y/useMediaCaption: task audio comes without captions; transcribing it is often the task */}
                <audio controls src={text(a.content)} aria-label={t('work.audio', { n: i + 1 })} />
              </div>
            );
          case 'pdf':
            return (
              <p key={key} className="attachment">
                <a href={text(a.content)} target="_blank" rel="noopener noreferrer">
                  {t('work.openPdf', { n: i + 1 })}
                </a>
              </p>
            );
          case 'messages': {
            const messages = Array.isArray(a.content) ? (a.content as { role: string; content: string }[]) : [];
            return (
              <ol key={key} className="attachment chat">
                {messages.map((m, j) => (
                  <li key={`${j}-${m.role}`} className={`chat-${m.role}`}>
                    <span className="chat-role">{t(`work.role.${m.role}`, { defaultValue: m.role })}</span>
                    <div dir="auto" className="chat-text">
                      {m.content}
                    </div>
                  </li>
                ))}
              </ol>
            );
          }
          default:
            return (
              <pre key={key} className="attachment" dir="ltr">
                {text(a.content)}
              </pre>
            );
        }
      })}
    </div>
  );
}

/** Fetches a task's images ahead of time so it appears at once. */
export function preloadImages(attachments: Attachment[]): void {
  for (const a of attachments) {
    if (a.type === 'image' && typeof a.content === 'string') {
      const img = new Image();
      img.src = a.content;
    }
  }
}
