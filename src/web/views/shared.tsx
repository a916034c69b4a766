/*
 * Pieces every view uses: key helpers that work on any keyboard layout, conversations, and the
 * hook that hands a view's key handler to the shell.
 */
import { type ReactNode, type RefObject, useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { Answer, KeyHandler } from './types.ts';

/**
 * Gives the shell this view's key handler. The latest handler is always used, so it may read
 * current state without re-registering.
 */
export function useViewKeys(keys: RefObject<KeyHandler | undefined>, handler: KeyHandler): void {
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => {
    const call: KeyHandler = (event) => latest.current(event);
    keys.current = call;
    return () => {
      if (keys.current === call) keys.current = undefined;
    };
  }, [keys]);
}

/** Reports the answer to the shell whenever it changes (by value). */
export function useReport(onChange: (answer: Answer | undefined) => void, answer: Answer | undefined): void {
  const text = answer === undefined ? '' : JSON.stringify(answer);
  const latest = useRef(onChange);
  latest.current = onChange;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the serialised answer stands for it
  useEffect(() => {
    latest.current(answer);
  }, [text]);
}

/**
 * The digit 0-9 of a key without Shift, by character or by physical key (AZERTY's 1 key types "&",
 * Arabic layouts type Arabic-Indic digits).
 */
export function digitOf(event: KeyboardEvent): number | undefined {
  if (event.shiftKey) return undefined;
  if (/^[0-9]$/.test(event.key)) return Number(event.key);
  if (/^[\u0660-\u0669]$/.test(event.key)) return event.key.charCodeAt(0) - 0x0660;
  const m = /^(?:Digit|Numpad)([0-9])$/.exec(event.code);
  return m ? Number(m[1]) : undefined;
}

/** The digit 1-9 pressed with Shift (Shift+1 types "!" on US keyboards), by physical key. */
export function shiftDigitOf(event: KeyboardEvent): number | undefined {
  if (!event.shiftKey) return undefined;
  const m = /^Digit([1-9])$/.exec(event.code);
  return m ? Number(m[1]) : undefined;
}

/**
 * The Latin letter a key stands for, lower case: the character when it is a Latin letter, else
 * the physical key (so A/B/T work on Arabic, Korean or Japanese layouts).
 */
export function letterOf(event: KeyboardEvent): string | undefined {
  if (/^[a-z]$/i.test(event.key)) return event.key.toLowerCase();
  const m = /^Key([A-Z])$/.exec(event.code);
  return m ? m[1].toLowerCase() : undefined;
}

/** True when the key event comes from a radio or checkbox (arrow keys belong to it there). */
export function onChoiceInput(event: KeyboardEvent): boolean {
  const target = event.target;
  return target instanceof HTMLInputElement && (target.type === 'radio' || target.type === 'checkbox');
}

/** True when the interface reads right to left (Arrow keys swap meaning on horizontal scales). */
export function pageIsRtl(): boolean {
  return document.documentElement.dir === 'rtl';
}

export interface Message {
  role: string;
  content: string;
}

/** Messages from a Messages param, or a plain string as one user message. */
export function messagesOf(value: unknown, role = 'user'): Message[] {
  if (typeof value === 'string') return [{ role, content: value }];
  if (!Array.isArray(value)) return [];
  return value.filter((m): m is Message => !!m && typeof m === 'object' && typeof (m as Message).content === 'string').map((m) => ({ role: String(m.role), content: m.content }));
}

/** A conversation, each turn with its role named in the interface language. */
export function Chat({ messages, label, lang, testId }: { messages: Message[]; label?: string; lang?: string; testId?: string }) {
  const { t } = useTranslation();
  if (messages.length === 0) return null;
  return (
    <ol className="chat" aria-label={label} lang={lang} data-testid={testId}>
      {messages.map((m, i) => (
        <li key={`${i}-${m.role}`} className={`chat-${m.role}`}>
          <span className="chat-role">{t(`work.role.${m.role}`, { defaultValue: m.role })}</span>
          <div dir="auto" className="chat-text">
            {m.content}
          </div>
        </li>
      ))}
    </ol>
  );
}

/** A key hint beside a control: read by eye; screen readers get aria-keyshortcuts instead. */
export function Key({ children }: { children: ReactNode }) {
  return (
    <kbd dir="ltr" aria-hidden="true">
      {children}
    </kbd>
  );
}

/** A short line of key hints under a view. */
export function KeyLine({ items }: { items: [ReactNode, string][] }) {
  return (
    <p className="key-line muted small">
      {items.map(([key, what], i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list
        <span key={i} className="key-hint">
          <Key>{key}</Key> {what}
        </span>
      ))}
    </p>
  );
}
