import { answerOf, type PresentedTask, type ProblemSink } from './export-task.ts';

/** An entity span in code points, end exclusive (the task type's own convention). */
export interface EntitySpan {
  start: number;
  end: number;
  label: string;
  text: string;
}

/** The task's text (namedentityrecognition `params.text`). */
export function nerText(task: PresentedTask): string {
  const text = (task.params as Record<string, unknown>).text;
  return typeof text === 'string' ? text : '';
}

/** The aggregated spans of an NER task, sorted by start then longest first; undefined (reported) when it has none. */
export function nerSpans(task: PresentedTask, problem?: ProblemSink): EntitySpan[] | undefined {
  const spans = answerOf(task)?.spans;
  if (!Array.isArray(spans)) {
    problem?.(task.task_id, 'no_answer', 'the task has no aggregated spans');
    return undefined;
  }
  return spans
    .filter((s): s is EntitySpan => s && typeof s.start === 'number' && typeof s.end === 'number' && typeof s.label === 'string')
    .map((s) => ({ start: s.start, end: s.end, label: s.label, text: typeof s.text === 'string' ? s.text : '' }))
    .sort((x, y) => x.start - y.start || y.end - x.end);
}
