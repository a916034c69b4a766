/*
 * Review: tasks waiting in a project's review queue, one at a time, with the aggregate and every
 * answer. A reviewer accepts the aggregate, fixes it with the type's own view, or sends one answer
 * back or rejects it, always with a published reason, a written explanation and (to reject)
 * evidence (FAIRWORK rule 5). Workers appear by answer, never by name.
 */
import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, type Project, type ReviewDoc, type ReviewQueue, type WorkProject } from '../api.ts';
import { Attachments } from '../components/Attachments.tsx';
import { Loading, PageHeader } from '../components/Bits.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { formatNumber, formatPercent } from '../format.ts';
import { useLoad, usePageTitle } from '../hooks.ts';
import { Link, navigate } from '../router.tsx';
import { hasRole, useUser } from '../session.tsx';
import { MIN_REASON_TEXT } from '../../shared/task-types.ts';
import { checkAnswer } from '../validate.ts';
import { TaskView } from '../views/index.tsx';
import { Key, letterOf } from '../views/shared.tsx';
import { AnswerSummary } from '../views/Summary.tsx';
import type { Answer, KeyHandler } from '../views/types.ts';

/** Review errors a person can act on, worded in the interface language. */
const EXPLAINED = new Set(['reason_required', 'evidence_required', 'own_work', 'task_not_in_review', 'invalid_response', 'assignment_not_found', 'evidence_invalid', 'review_deadline_passed', 'written_reason_required']);

function ReviewError({ error }: { error: unknown }) {
  const { t } = useTranslation();
  if (!(error instanceof ApiError) || !EXPLAINED.has(error.code)) return <ErrorNote error={error} />;
  return (
    <div className="note note-error" role="alert" data-code={error.code} data-testid="review-error">
      <strong>{t(`reviewPage.errors.${error.code}`)}</strong>
      <span className="muted small"> ({error.message})</span>
    </div>
  );
}

/** Projects this person may review, to pick a queue. */
export function ReviewHomePage() {
  const { t } = useTranslation();
  const user = useUser();
  usePageTitle(t('reviewPage.title'));
  const requester = hasRole(user, 'requester');
  const projects = useLoad(
    async (signal): Promise<{ name: string; type: string; mode?: string }[]> => {
      if (requester) return (await api<{ docs: Project[] }>('/projects', { signal })).docs.map((p) => ({ name: p.name, type: p.type, mode: p.review_policy.mode }));
      return (await api<{ docs: WorkProject[] }>('/work/projects', { signal })).docs.map((p) => ({ name: p.name, type: p.type }));
    },
    [requester],
  );
  const [name, setName] = useState('');
  const open = (event: FormEvent) => {
    event.preventDefault();
    if (name.trim()) navigate(`/review/${encodeURIComponent(name.trim())}`);
  };
  return (
    <section className="page">
      <PageHeader title={t('reviewPage.title')} />
      <p className="lead">{t('reviewPage.lead')}</p>
      <ErrorNote error={projects.error} />
      {projects.loading && !projects.data && <Loading />}
      {projects.data && projects.data.length === 0 && <p className="empty card">{t('reviewPage.noProjects')}</p>}
      {projects.data && projects.data.length > 0 && (
        <ul className="card link-list" data-testid="review-projects">
          {projects.data.map((p) => (
            <li key={p.name}>
              <Link to={`/review/${encodeURIComponent(p.name)}`} dir="auto">
                {p.name}
              </Link>{' '}
              <span className="muted small">
                {t(`types.${p.type}.title`, { defaultValue: p.type })}
                {p.mode && ` · ${t(`review.${p.mode}`)}`}
              </span>
            </li>
          ))}
        </ul>
      )}
      <form className="card inline-form" onSubmit={open}>
        <label htmlFor="review-project">{t('reviewPage.openByName')}</label>
        <input id="review-project" value={name} onChange={(e) => setName(e.target.value)} dir="auto" />
        <button type="submit" className="button">
          {t('reviewPage.open')}
        </button>
      </form>
    </section>
  );
}

type Decision = 'revise' | 'reject';

/** Sends one answer back (revise) or rejects it: reason code, explanation, evidence. */
function DecisionForm({ doc, assignmentId, action, reasonCodes, onDone, onCancel }: { doc: ReviewDoc; assignmentId: string; action: Decision; reasonCodes: string[]; onDone(): void; onCancel(): void }) {
  const { t, i18n } = useTranslation();
  const [code, setCode] = useState('');
  const [text, setText] = useState('');
  const [criterion, setCriterion] = useState('');
  const [gold, setGold] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const length = Array.from(text.trim()).length;
  const id = `decision-${assignmentId}`;

  const send = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    const goldIds = gold
      .split(/[\s,;]+/)
      .map((s) => s.trim())
      .filter(Boolean);
    const evidence: Record<string, unknown> = {
      ...(criterion.trim() && { instruction_criterion: criterion.trim() }),
      ...(goldIds.length > 0 && { gold_items: goldIds }),
    };
    try {
      await api(`/review/tasks/${encodeURIComponent(doc.task_id)}`, {
        method: 'POST',
        body: { action, assignment_id: assignmentId, reason_code: code || undefined, text, ...(Object.keys(evidence).length > 0 && { evidence }) },
      });
      onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="decision" onSubmit={send} aria-labelledby={`${id}-title`} data-testid="decision-form" data-action={action}>
      <h4 id={`${id}-title`}>{action === 'reject' ? t('reviewPage.rejectTitle') : t('reviewPage.reviseTitle')}</h4>
      <div className="field">
        <label htmlFor={`${id}-code`}>{t('reviewPage.reason')}</label>
        <select id={`${id}-code`} value={code} onChange={(e) => setCode(e.target.value)} data-testid="reason-code">
          <option value="">{t('reviewPage.chooseReason')}</option>
          {reasonCodes.map((c) => (
            <option key={c} value={c}>
              {t(`reviewPage.reasons.${c}`, { defaultValue: c })}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-text`}>{t('reviewPage.explain')}</label>
        <textarea id={`${id}-text`} rows={3} dir="auto" value={text} onChange={(e) => setText(e.target.value)} aria-describedby={`${id}-count`} data-testid="reason-text" />
        <p id={`${id}-count`} className={`help ${length < MIN_REASON_TEXT ? 'help-warn' : ''}`} aria-live="polite">
          {t('reviewPage.textCount', { n: formatNumber(length, i18n.language), min: formatNumber(MIN_REASON_TEXT, i18n.language) })}
        </p>
      </div>
      {action === 'reject' && (
        <fieldset className="plain">
          <legend>{t('reviewPage.evidence')}</legend>
          <p className="help">{t('reviewPage.evidenceHelp')}</p>
          <div className="field">
            <label htmlFor={`${id}-criterion`}>{t('reviewPage.criterion')}</label>
            <input id={`${id}-criterion`} value={criterion} onChange={(e) => setCriterion(e.target.value)} dir="auto" data-testid="evidence-criterion" />
          </div>
          <div className="field">
            <label htmlFor={`${id}-gold`}>{t('reviewPage.goldIds')}</label>
            <input id={`${id}-gold`} value={gold} onChange={(e) => setGold(e.target.value)} dir="ltr" data-testid="evidence-gold" />
          </div>
        </fieldset>
      )}
      <ReviewError error={error} />
      <div className="row">
        <button type="submit" className={`button ${action === 'reject' ? 'button-danger' : 'button-primary'}`} disabled={busy} data-testid="send-decision">
          {action === 'reject' ? t('reviewPage.reject') : t('reviewPage.revise')}
        </button>
        <button type="button" className="button button-quiet" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

/** One project's review queue. */
export function ReviewPage({ project }: { project: string }) {
  const { t, i18n } = useTranslation();
  const locale = i18n.language;
  usePageTitle(`${t('reviewPage.title')} · ${project}`);
  const queue = useLoad((signal) => api<ReviewQueue>('/review/queue', { signal, query: { project, limit: 50 } }), [project]);
  const [taskId, setTaskId] = useState<string>();
  const [deciding, setDeciding] = useState<{ assignment: string; action: Decision }>();
  const [fixing, setFixing] = useState(false);
  const [fix, setFix] = useState<Answer | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const viewKeys = useRef<KeyHandler | undefined>(undefined);
  const docs = queue.data?.docs ?? [];
  const doc = docs.find((d) => d.task_id === taskId) ?? docs[0];
  const index = doc ? docs.indexOf(doc) : -1;

  const reset = useCallback(() => {
    setDeciding(undefined);
    setFixing(false);
    setFix(undefined);
    setError(undefined);
  }, []);

  const finished = useCallback(
    (message: string) => {
      reset();
      setDone(message);
      setTaskId(undefined);
      queue.reload();
    },
    [queue, reset],
  );

  const decide = useCallback(
    async (body: Record<string, unknown>) => {
      if (!doc) return;
      setBusy(true);
      setError(undefined);
      try {
        await api(`/review/tasks/${encodeURIComponent(doc.task_id)}`, { method: 'POST', body });
        finished(body.action === 'fix' ? t('reviewPage.fixed', { id: doc.task_id }) : t('reviewPage.accepted', { id: doc.task_id }));
      } catch (e) {
        setError(e);
      } finally {
        setBusy(false);
      }
    },
    [doc, finished, t],
  );

  const saveFix = useCallback(() => {
    if (!doc) return;
    if (!fix) {
      setError(new ApiError(0, 'incomplete', t('work.incomplete')));
      return;
    }
    const problem = checkAnswer(doc.type, doc.params, fix);
    if (problem) {
      setError(new ApiError(0, 'invalid_response', t('work.invalid', { problem: `${problem.path} ${problem.message}`.trim() })));
      return;
    }
    void decide({ action: 'fix', response: fix });
  }, [doc, fix, decide, t]);

  const go = useCallback(
    (step: number) => {
      const next = docs[index + step];
      if (next) {
        reset();
        setTaskId(next.task_id);
      }
    },
    [docs, index, reset],
  );

  // A accepts, F opens the fix, J / K move through the queue; a view's own keys work while fixing.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.isComposing || event.ctrlKey || event.metaKey || !doc || busy) return;
      const target = event.target as HTMLElement | null;
      if (target && (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement || (target instanceof HTMLInputElement && target.type !== 'radio' && target.type !== 'checkbox'))) return;
      if (fixing) {
        if (viewKeys.current?.(event)) event.preventDefault();
        return;
      }
      if (deciding) return;
      const letter = letterOf(event);
      if (letter === 'a') void decide({ action: 'accept' });
      else if (letter === 'f') setFixing(true);
      else if (letter === 'j') go(1);
      else if (letter === 'k') go(-1);
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [doc, busy, fixing, deciding, decide, go]);

  const result = doc?.result;
  return (
    <section className="page">
      <PageHeader title={t('reviewPage.queueTitle', { project })} sub={queue.data && <span data-testid="queue-size" data-value={docs.length}>{t('reviewPage.waiting', { n: formatNumber(docs.length, locale) })}</span>}>
        <button type="button" className="button" onClick={() => queue.reload()}>
          {t('reviewPage.refresh')}
        </button>
      </PageHeader>
      {done && (
        <p className="note note-good" role="status" data-testid="review-done">
          {done}
        </p>
      )}
      <ErrorNote error={queue.error} />
      {queue.loading && !queue.data && <Loading />}
      {queue.data && docs.length === 0 && (
        <p className="empty card" data-testid="queue-empty">
          {t('reviewPage.empty')}
        </p>
      )}
      {doc && (
        <div className="review-layout">
          <nav className="card review-list" aria-label={t('reviewPage.tasks')}>
            <ol>
              {docs.map((d) => (
                <li key={d.task_id}>
                  <button type="button" className="button-link" aria-current={d === doc ? 'true' : undefined} onClick={() => {
                      reset();
                      setTaskId(d.task_id);
                    }}>
                    {t('reviewPage.taskN', { id: d.task_id })}
                  </button>
                </li>
              ))}
            </ol>
          </nav>
          <article className="card review-task" aria-labelledby="review-task-title" data-testid="review-task" data-task={doc.task_id}>
            <h2 id="review-task-title">
              {t('reviewPage.taskN', { id: doc.task_id })} <span className="muted small">{t(`types.${doc.type}.title`, { defaultValue: doc.type })}</span>
            </h2>
            <Attachments attachments={doc.attachments} />
            <section aria-labelledby="aggregate-title" className="review-aggregate">
              <h3 id="aggregate-title">{fixing ? t('reviewPage.fixTitle') : t('reviewPage.aggregate')}</h3>
              {result && !fixing && (
                <dl className="facts facts-inline">
                  <dt>{t('reviewPage.confidence')}</dt>
                  <dd data-testid="confidence">{result.confidence === null ? '–' : formatPercent(result.confidence, locale)}</dd>
                  <dt>{t('reviewPage.answers')}</dt>
                  <dd>{formatNumber(result.n_answers, locale)}</dd>
                  <dt>{t('reviewPage.method')}</dt>
                  <dd>
                    <code>{result.method}</code>
                  </dd>
                </dl>
              )}
              <TaskView
                key={`${doc.task_id}-${fixing}`}
                task={{ id: doc.task_id, type: doc.type, params: doc.params, attachments: doc.attachments }}
                disabled={!fixing || busy}
                initial={result?.answer ?? doc.answers[0]?.response}
                onChange={setFix}
                keys={viewKeys}
              />
            </section>
            <ReviewError error={error} />
            <div className="task-actions">
              {fixing ? (
                <>
                  <button type="button" className="button button-primary" onClick={saveFix} disabled={busy} data-testid="save-fix">
                    {t('reviewPage.saveFix')}
                  </button>
                  <button type="button" className="button" onClick={reset}>
                    {t('common.cancel')}
                  </button>
                </>
              ) : (
                <>
                  <button type="button" className="button button-primary" onClick={() => void decide({ action: 'accept' })} disabled={busy} data-testid="accept" aria-keyshortcuts="A">
                    {t('reviewPage.accept')} <Key>A</Key>
                  </button>
                  <button type="button" className="button" onClick={() => setFixing(true)} disabled={busy} data-testid="fix" aria-keyshortcuts="F">
                    {t('reviewPage.fix')} <Key>F</Key>
                  </button>
                  <span className="muted small key-hint">
                    <Key>J</Key> <Key>K</Key> {t('reviewPage.keyMove')}
                  </span>
                </>
              )}
            </div>
            <section aria-labelledby="answers-title">
              <h3 id="answers-title">{t('reviewPage.answerList', { n: formatNumber(doc.answers.length, locale) })}</h3>
              <ol className="answer-list">
                {doc.answers.map((a, i) => (
                  <li key={a.assignment_id} data-assignment={a.assignment_id} className="answer-item">
                    <div className="answer-head">
                      <strong>{t('reviewPage.answerN', { n: i + 1 })}</strong>
                      <span className="muted small">#{a.assignment_id}</span>
                      <span className="row">
                        <button type="button" className="button button-small" onClick={() => setDeciding({ assignment: a.assignment_id, action: 'revise' })} data-testid="revise">
                          {t('reviewPage.revise')}
                        </button>
                        <button type="button" className="button button-small button-danger" onClick={() => setDeciding({ assignment: a.assignment_id, action: 'reject' })} data-testid="reject">
                          {t('reviewPage.reject')}
                        </button>
                      </span>
                    </div>
                    <div className="answer-body">
                      <AnswerSummary type={doc.type} params={doc.params} response={a.response} />
                    </div>
                    {deciding?.assignment === a.assignment_id && (
                      <DecisionForm
                        key={deciding.action}
                        doc={doc}
                        assignmentId={a.assignment_id}
                        action={deciding.action}
                        reasonCodes={queue.data?.reason_codes ?? []}
                        onCancel={() => setDeciding(undefined)}
                        onDone={() => finished(deciding.action === 'reject' ? t('reviewPage.rejected', { id: doc.task_id }) : t('reviewPage.sentBack', { id: doc.task_id }))}
                      />
                    )}
                  </li>
                ))}
              </ol>
            </section>
          </article>
        </div>
      )}
      <p>
        <Link to="/review" className="back-link">
          {t('reviewPage.back')}
        </Link>
      </p>
    </section>
  );
}
