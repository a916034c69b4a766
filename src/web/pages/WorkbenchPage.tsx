import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, type Assignment, api, type Feedback, type WorkProject } from '../api.ts';
import { Attachments, preloadImages } from '../components/Attachments.tsx';
import { Loading } from '../components/Bits.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { Markdown } from '../components/Markdown.tsx';
import { formatDuration, formatMoney, formatNumber } from '../format.ts';
import { useLoad, usePageTitle } from '../hooks.ts';
import { Link, navigate } from '../router.tsx';
import { useApp, useUser } from '../session.tsx';
import { checkAnswer } from '../validate.ts';
import { preloadView, TaskView, viewKeyHelp } from '../views/index.tsx';
import { letterOf } from '../views/shared.tsx';
import { AnswerSummary } from '../views/Summary.tsx';
import type { Answer, KeyHandler } from '../views/types.ts';
import { HEARTBEAT_MS, pickInstructions, trackInput } from '../work.ts';

/** Codes meaning the task on screen is no longer this worker's: show why and offer the next one. */
const LOST = new Set(['lease_expired', 'assignment_not_active', 'assignment_not_found']);

type Phase =
  | { kind: 'claiming' }
  | { kind: 'working'; assignment: Assignment }
  | { kind: 'sending'; assignment: Assignment }
  | { kind: 'feedback'; feedback: Feedback; answer: Answer; task: Assignment['task'] }
  | { kind: 'empty' }
  | { kind: 'break' }
  | { kind: 'error'; error: unknown };

/** Performance marks around "submit, then the next task can be worked on" (read by bench/browser.bench.ts). */
export const MARK_SUBMIT = 'tessera:submit';
export const MARK_READY = 'tessera:next-task-ready';
export const MEASURE_NEXT = 'tessera:submit-to-next-task';

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && target.type !== 'radio' && target.type !== 'checkbox';
}

function KeysDialog({ open, onClose, task }: { open: boolean; onClose(): void; task?: Assignment['task'] }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  const keys: [string, string][] = [
    ...(task ? viewKeyHelp(task.type, t, task.params) : []),
    ['Enter', t('shortcuts.submit')],
    ['Ctrl+Enter', t('views.keySubmitTyping')],
    ['Esc', t('views.keyLeaveField')],
    ['S', t('shortcuts.skip')],
    ['?', t('shortcuts.toggle')],
    ['Esc', t('shortcuts.close')],
  ];
  return (
    <dialog ref={ref} className="dialog" aria-labelledby="keys-title" onClose={onClose} data-testid="keys-dialog">
      <h2 id="keys-title">{t('shortcuts.title')}</h2>
      <table className="table table-compact">
        <tbody>
          {keys.map(([key, what]) => (
            <tr key={`${key}-${what}`}>
              <th scope="row">
                <kbd dir="ltr">{key}</kbd>
              </th>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" className="button" onClick={onClose} autoFocus>
        {t('common.close')}
      </button>
    </dialog>
  );
}

/** The workbench: instructions, the task in its type's view, keyboard-first answering, gold feedback. */
export function WorkbenchPage({ project }: { project: string }) {
  const { t, i18n } = useTranslation();
  const locale = i18n.language;
  const { locale: uiLocale } = useApp();
  const user = useUser();
  usePageTitle(project);
  const meta = useLoad(async (signal) => (await api<{ docs: WorkProject[] }>('/work/projects', { signal })).docs.find((p) => p.name === project), [project]);
  const [phase, setPhase] = useState<Phase>({ kind: 'claiming' });
  const [answer, setAnswer] = useState<Answer | undefined>();
  const answerRef = useRef<Answer | undefined>(undefined);
  const viewKeys = useRef<KeyHandler | undefined>(undefined);
  /** True from a submit until the next task is ready, to measure that time. */
  const measuring = useRef(false);
  const [done, setDone] = useState(0);
  const [helpOpen, setHelpOpen] = useState(false);
  const [showInstructions, setShowInstructions] = useState(true);
  const [actionError, setActionError] = useState<unknown>();
  const [heartbeatTrouble, setHeartbeatTrouble] = useState(false);
  /** The assignment whose lease this page holds (heartbeats go to it), or undefined. */
  const held = useRef<Assignment | undefined>(undefined);
  /** The next task, claimed right after a submit whose feedback is still on screen. */
  const nextClaim = useRef<Promise<Assignment | null> | undefined>(undefined);
  const taskRef = useRef<HTMLDivElement>(null);
  const started = useRef(false);
  const base = `/work/projects/${encodeURIComponent(project)}`;

  const claim = useCallback(async (): Promise<Assignment | null> => {
    const answer = await api<{ assignment: Assignment } | undefined>(`${base}/claim`, { method: 'POST' });
    const assignment = answer?.assignment ?? null;
    held.current = assignment ?? undefined;
    if (assignment) {
      preloadImages(assignment.task.attachments);
      preloadView(assignment.task.type);
    }
    return assignment;
  }, [base]);

  const show = useCallback((assignment: Assignment | null) => {
    answerRef.current = undefined;
    setAnswer(undefined);
    setActionError(undefined);
    setPhase(assignment ? { kind: 'working', assignment } : { kind: 'empty' });
  }, []);

  const claimAndShow = useCallback(async () => {
    setPhase({ kind: 'claiming' });
    try {
      show(await claim());
    } catch (error) {
      setPhase({ kind: 'error', error });
    }
  }, [claim, show]);

  const heartbeat = useCallback(async (overrides: { visible?: boolean; input_active?: boolean } = {}, tracker?: ReturnType<typeof trackInput>) => {
    const assignment = held.current;
    if (!assignment) return;
    try {
      await api(`/work/assignments/${assignment.id}/heartbeat`, {
        method: 'POST',
        body: { visible: document.visibilityState === 'visible', input_active: tracker ? tracker.activeWithin(HEARTBEAT_MS) : true, ...overrides },
      });
      setHeartbeatTrouble(false);
    } catch (error) {
      if (error instanceof ApiError && LOST.has(error.code)) {
        held.current = undefined;
        setPhase((p) => ((p.kind === 'working' || p.kind === 'sending') && p.assignment.id === assignment.id ? { kind: 'error', error } : p));
      } else setHeartbeatTrouble(true);
    }
  }, []);

  /** Gives the held task back (break, stop): it returns to the queue at once instead of at lease expiry. */
  const release = useCallback((reason: string) => {
    const assignment = held.current;
    held.current = undefined;
    if (!assignment) return Promise.resolve();
    return api(`/work/assignments/${assignment.id}/skip`, { method: 'POST', body: { reason } }).catch(() => undefined);
  }, []);

  // On arrival: resume a task this worker still holds here (after a reload), else claim one.
  // Leaving without "stop" keeps the lease, so coming back within it resumes the same task.
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    void (async () => {
      try {
        const active = await api<{ docs: Assignment[] }>(`${base}/assignments`);
        const resumed = active.docs[0];
        if (resumed) {
          held.current = resumed;
          preloadImages(resumed.task.attachments);
          preloadView(resumed.task.type);
          show(resumed);
          return;
        }
      } catch {
        // Nothing to resume (or the server cannot tell): claim as usual.
      }
      await claimAndShow();
    })();
  }, [base, claimAndShow, show]);

  // Heartbeats: every 15 s and on visibility change. Only two booleans leave the page, never content.
  useEffect(() => {
    const tracker = trackInput();
    const timer = window.setInterval(() => void heartbeat({}, tracker), HEARTBEAT_MS);
    const onVisibility = () => void heartbeat({}, tracker);
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisibility);
      tracker.stop();
    };
  }, [heartbeat]);

  // A new task takes the focus, so screen readers start reading it.
  const shownId = phase.kind === 'working' ? phase.assignment.id : undefined;
  // Effects run children first, so the view's keys are registered by now: the task is ready to work on.
  useEffect(() => {
    if (shownId === undefined) return;
    taskRef.current?.focus({ preventScroll: true });
    if (measuring.current) {
      measuring.current = false;
      performance.mark(MARK_READY);
      performance.measure(MEASURE_NEXT, MARK_SUBMIT, MARK_READY);
    }
  }, [shownId]);

  const current = phase.kind === 'working' || phase.kind === 'sending' ? phase.assignment : undefined;

  const onAnswer = useCallback((next: Answer | undefined) => {
    answerRef.current = next;
    setAnswer(next);
    setActionError(undefined);
  }, []);

  const submit = useCallback(async () => {
    if (phase.kind !== 'working') return;
    const assignment = phase.assignment;
    const response = answerRef.current;
    if (!response) {
      setActionError(new ApiError(0, 'incomplete', t('work.incomplete')));
      return;
    }
    // The same check the server makes, so a malformed answer never leaves the page.
    const problem = checkAnswer(assignment.task.type, assignment.task.params, response);
    if (problem) {
      setActionError(new ApiError(0, 'invalid_response', t('work.invalid', { problem: `${problem.path} ${problem.message}`.trim() })));
      return;
    }
    performance.mark(MARK_SUBMIT);
    measuring.current = true;
    setPhase({ kind: 'sending', assignment });
    setActionError(undefined);
    let result: { feedback?: Feedback } | undefined;
    try {
      result = await api<{ feedback?: Feedback }>(`/work/assignments/${assignment.id}/submit`, { method: 'POST', body: { response } });
    } catch (error) {
      measuring.current = false;
      if (error instanceof ApiError && LOST.has(error.code)) {
        held.current = undefined;
        setPhase({ kind: 'error', error });
        return;
      }
      setActionError(error);
      setPhase({ kind: 'working', assignment });
      return;
    }
    held.current = undefined;
    setDone((d) => d + 1);
    // Claim the next task only now that this one is in, so the worker never holds two leases.
    const next = claim();
    if (result?.feedback) {
      measuring.current = false;
      nextClaim.current = next;
      next.catch(() => undefined);
      setPhase({ kind: 'feedback', feedback: result.feedback, answer: response, task: assignment.task });
      return;
    }
    try {
      show(await next);
    } catch (error) {
      setPhase({ kind: 'error', error });
    }
  }, [phase, claim, show, t]);

  const continueAfterFeedback = useCallback(async () => {
    const next = nextClaim.current;
    nextClaim.current = undefined;
    if (!next) return claimAndShow();
    setPhase({ kind: 'claiming' });
    try {
      show(await next);
    } catch (error) {
      setPhase({ kind: 'error', error });
    }
  }, [claimAndShow, show]);

  const skip = useCallback(async () => {
    if (phase.kind !== 'working') return;
    const assignment = phase.assignment;
    setPhase({ kind: 'sending', assignment });
    try {
      await api(`/work/assignments/${assignment.id}/skip`, { method: 'POST', body: {} });
      held.current = undefined;
    } catch (error) {
      setActionError(error);
      setPhase({ kind: 'working', assignment });
      return;
    }
    await claimAndShow();
  }, [phase, claimAndShow]);

  const takeBreak = useCallback(async () => {
    await heartbeat({ input_active: true });
    if (nextClaim.current) {
      // A task claimed behind the feedback panel goes back too.
      await nextClaim.current.catch(() => null);
      nextClaim.current = undefined;
    }
    await release('break');
    setPhase({ kind: 'break' });
  }, [heartbeat, release]);

  // Keyboard: the view's keys first, then Enter submits (or continues), S skips, ? shows the keys.
  // Ctrl+Enter submits from a text field; Esc leaves a text field for the task's keys.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.isComposing) return;
      // An open dialog handles its own keys (Esc closes it). Asked of the page, not of helpOpen: the browser
      // closes the dialog on Esc a moment before its close event reaches React.
      if (document.querySelector('dialog[open]')) return;
      const typing = isTyping(event.target);
      if ((event.ctrlKey || event.metaKey) && event.key === 'Enter') {
        if (phase.kind === 'working') {
          event.preventDefault();
          void submit();
        }
        return;
      }
      if (event.ctrlKey || event.metaKey) return;
      if (typing) {
        if (event.key === 'Escape' && event.target instanceof HTMLElement) {
          event.preventDefault();
          event.target.blur();
          taskRef.current?.focus({ preventScroll: true });
        }
        return;
      }
      const question = event.key === '?' || (event.code === 'Slash' && event.shiftKey);
      if (question) {
        event.preventDefault();
        setHelpOpen(true);
        return;
      }
      const onControl = event.target instanceof HTMLButtonElement || event.target instanceof HTMLAnchorElement || event.target instanceof HTMLSelectElement || (event.target instanceof HTMLElement && event.target.tagName === 'SUMMARY');
      if (phase.kind === 'feedback') {
        if (event.key === 'Enter' && !onControl) {
          event.preventDefault();
          void continueAfterFeedback();
        }
        return;
      }
      if (phase.kind !== 'working') return;
      if (viewKeys.current?.(event)) {
        event.preventDefault();
        return;
      }
      if (event.altKey) return;
      if (event.key === 'Enter' && !onControl) {
        event.preventDefault();
        void submit();
      } else if (letterOf(event) === 's' && !event.shiftKey) {
        event.preventDefault();
        void skip();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [phase, submit, skip, continueAfterFeedback]);

  const projectMeta = meta.data;
  const instructions = pickInstructions(projectMeta?.instructions, uiLocale, user.languages);
  // Parsed once, not on every task: the instructions stay while the tasks change.
  const instructionsText = instructions?.[1];
  const instructionsView = useMemo(() => (instructionsText === undefined ? null : <Markdown>{instructionsText}</Markdown>), [instructionsText]);
  const shown = current?.shown ?? projectMeta?.estimate;

  const taskBody = () => {
    switch (phase.kind) {
      case 'claiming':
        return <Loading />;
      case 'empty':
        return (
          <div className="done-panel" role="status" data-testid="no-more-tasks">
            <h2>{t('work.emptyTitle')}</h2>
            <p>{t('work.emptyBody', { n: formatNumber(done, locale) })}</p>
            <Link to="/work" className="button">
              {t('work.backHome')}
            </Link>
          </div>
        );
      case 'break':
        return (
          <div className="done-panel" role="status" data-testid="on-break">
            <h2>{t('work.breakTitle')}</h2>
            <p>{t('work.breakBody')}</p>
            <div className="row">
              <button type="button" className="button button-primary" onClick={() => void claimAndShow()} autoFocus>
                {t('work.resume')}
              </button>
              <Link to="/work" className="button">
                {t('work.backHome')}
              </Link>
            </div>
          </div>
        );
      case 'error': {
        const nothing = phase.error instanceof ApiError && phase.error.code === 'route_not_found';
        const lost = phase.error instanceof ApiError && LOST.has(phase.error.code);
        return (
          <div className="done-panel">
            {nothing ? <p className="note">{t('work.unavailable')}</p> : <ErrorNote error={phase.error} />}
            <div className="row">
              <button type="button" className="button button-primary" onClick={() => void claimAndShow()}>
                {lost ? t('work.nextTask') : t('work.tryAgain')}
              </button>
              <Link to="/work" className="button button-quiet">
                {t('work.backHome')}
              </Link>
            </div>
          </div>
        );
      }
      case 'feedback': {
        return (
          <div className={`feedback ${phase.feedback.correct ? 'feedback-good' : 'feedback-miss'}`} role="status" data-testid="feedback" data-correct={phase.feedback.correct}>
            <h2>{phase.feedback.correct ? t('feedback.correctTitle') : t('feedback.missTitle')}</h2>
            <p>{phase.feedback.correct ? t('feedback.correctBody') : t('feedback.missBody')}</p>
            <dl className="facts">
              <dt>{t('feedback.yours')}</dt>
              <dd data-testid="yours">
                <AnswerSummary type={phase.task.type} params={phase.task.params} response={phase.answer} />
              </dd>
              <dt>{t('feedback.expected')}</dt>
              <dd data-testid="expected">
                <AnswerSummary type={phase.task.type} params={phase.task.params} response={phase.feedback.expected_response} />
              </dd>
            </dl>
            {phase.feedback.explanation && (
              <div className="feedback-why">
                <h3>{t('feedback.why')}</h3>
                <Markdown>{phase.feedback.explanation}</Markdown>
              </div>
            )}
            <button type="button" className="button button-primary" onClick={() => void continueAfterFeedback()} autoFocus data-testid="continue">
              {t('feedback.continue')} <kbd dir="ltr">Enter</kbd>
            </button>
          </div>
        );
      }
      default: {
        const a = phase.assignment;
        const sending = phase.kind === 'sending';
        return (
          <div className="task" ref={taskRef} tabIndex={-1} aria-labelledby="task-title" data-testid="task" data-assignment={a.id} data-task={a.task.id}>
            <h2 id="task-title" className="visually-hidden">
              {t('work.task')}
            </h2>
            {a.task.instruction && (
              <div className="task-instruction">
                <Markdown>{a.task.instruction}</Markdown>
              </div>
            )}
            <Attachments attachments={a.task.attachments} />
            <TaskView key={a.id} task={a.task} disabled={sending} onChange={onAnswer} keys={viewKeys} />
            <ErrorNote error={actionError} />
            <div className="task-actions">
              <button type="button" className="button button-primary" onClick={() => void submit()} disabled={sending || answer === undefined} data-testid="submit" aria-keyshortcuts="Enter Control+Enter">
                {t('work.submit')} <kbd dir="ltr">Enter</kbd>
              </button>
              <button type="button" className="button" onClick={() => void skip()} disabled={sending} data-testid="skip">
                {t('work.skip')} <kbd dir="ltr">S</kbd>
              </button>
            </div>
          </div>
        );
      }
    }
  };

  return (
    <section className="workbench">
      <div className="workbench-bar">
        <div className="workbench-title">
          <h1 tabIndex={-1} dir="auto">
            {project}
          </h1>
          {shown && (
            <p className="muted small" data-testid="shown">
              {t('work.shownLine', {
                time: formatDuration(shown.seconds, locale),
                pay: formatMoney(shown.pay_minor, shown.currency, locale),
                hourly: formatMoney(shown.hourly_minor, shown.currency, locale),
              })}
            </p>
          )}
        </div>
        <p className="muted small" aria-live="polite" data-testid="done-count" data-value={done}>
          {t('work.doneCount', { n: formatNumber(done, locale) })}
        </p>
        <div className="row">
          <button type="button" className="button button-quiet" aria-expanded={showInstructions} aria-controls="instructions-panel" onClick={() => setShowInstructions((s) => !s)}>
            {showInstructions ? t('work.hideInstructions') : t('work.showInstructions')}
          </button>
          <button type="button" className="button button-quiet" onClick={() => setHelpOpen(true)} aria-haspopup="dialog" data-testid="keys-button">
            {t('work.keys')} <kbd dir="ltr">?</kbd>
          </button>
          {(phase.kind === 'working' || phase.kind === 'feedback') && (
            <button type="button" className="button" onClick={() => void takeBreak()} data-testid="break">
              {t('work.takeBreak')}
            </button>
          )}
        </div>
      </div>
      {heartbeatTrouble && <p className="note">{t('work.connectionTrouble')}</p>}
      <div className={`workbench-body ${showInstructions ? '' : 'no-instructions'}`}>
        {showInstructions && (
          <aside id="instructions-panel" className="instructions-panel card" aria-labelledby="instructions-heading">
            <h2 id="instructions-heading">{t('project.instructions')}</h2>
            {instructions ? (
              <div lang={instructions[0]} data-testid="instructions" data-lang={instructions[0]}>
                {instructionsView}
              </div>
            ) : (
              <p className="muted">{meta.loading ? t('common.loading') : t('project.noInstructions')}</p>
            )}
          </aside>
        )}
        <div className="task-panel card">{taskBody()}</div>
      </div>
      <KeysDialog open={helpOpen} onClose={() => setHelpOpen(false)} task={current?.task} />
      <p className="workbench-foot">
        <button
          type="button"
          className="button button-quiet"
          onClick={async () => {
            await release('stopped');
            navigate('/work');
          }}
        >
          {t('work.stop')}
        </button>
      </p>
    </section>
  );
}
