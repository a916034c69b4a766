/*
 * The contract between the workbench shell and a task type's view. The shell claims, submits,
 * skips and owns Enter / S / ? / Esc; a view renders the task from its params and reports the
 * answer it currently holds (undefined while incomplete), and may take other keys first.
 */
import type { RefObject } from 'react';
import type { Attachment } from '../api.ts';

export type Answer = Record<string, unknown>;

/** Returns true when the view used the key (the shell then stops it). */
export type KeyHandler = (event: KeyboardEvent) => boolean;

export interface ViewTask {
  id: string | number;
  type: string;
  params: Record<string, unknown>;
  attachments: Attachment[];
}

export interface ViewProps {
  task: ViewTask;
  /** While sending, or when a reviewer only reads: nothing can change. */
  disabled: boolean;
  /** An answer to start from (a reviewer fixing the aggregate). */
  initial?: Answer;
  /** Called with the complete answer, or undefined while something required is missing. */
  onChange(answer: Answer | undefined): void;
  /** Where the view puts its key handler; the shell calls it before its own keys. */
  keys: RefObject<KeyHandler | undefined>;
}

/** A key and what it does, for the "?" list. */
export type KeyHelp = [keys: string, what: string];
