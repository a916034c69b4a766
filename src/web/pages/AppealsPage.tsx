/*
 * Appeals to hear (FAIRWORK rule 7): those assigned to me (an admin sees all), never one about my own
 * decision. Each shows the original decision and the worker's words; I uphold or overturn with a
 * written answer, and an overturn restores the pay and the answer's standing at once.
 */
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { Loading, PageHeader } from '../components/Bits.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { formatDateTime, formatMoney, formatNumber } from '../format.ts';
import { useLoad, usePageTitle } from '../hooks.ts';
import type { Appeal } from '../ledger.ts';
import { MIN_REASON_TEXT } from '../../shared/task-types.ts';

function ResolveForm({ appeal, onDone }: { appeal: Appeal; onDone(outcome: string): void }) {
  const { t, i18n } = useTranslation();
  const [outcome, setOutcome] = useState<'upheld' | 'overturned'>('overturned');
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const id = `resolve-${appeal.id}`;
  const length = Array.from(text.trim()).length;
  const send = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api(`/appeals/${encodeURIComponent(appeal.id)}/resolve`, { method: 'POST', body: { outcome, text: text.trim() } });
      onDone(outcome);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="decision" onSubmit={send} data-testid="resolve-form">
      <fieldset className="plain">
        <legend>{t('appeals.outcome')}</legend>
        {(['overturned', 'upheld'] as const).map((o) => (
          <label key={o} className="choice">
            <input type="radio" name={`${id}-outcome`} value={o} checked={outcome === o} onChange={() => setOutcome(o)} data-testid={`outcome-${o}`} />
            {t(`decisions.outcomes.${o}`)}
          </label>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor={`${id}-text`}>{t('appeals.answer')}</label>
        <textarea id={`${id}-text`} rows={3} dir="auto" value={text} onChange={(e) => setText(e.target.value)} data-testid="resolve-text" />
        <p className={`help ${length < MIN_REASON_TEXT ? 'help-warn' : ''}`}>{t('reviewPage.textCount', { n: formatNumber(length, i18n.language), min: formatNumber(MIN_REASON_TEXT, i18n.language) })}</p>
      </div>
      <ErrorNote error={error} />
      <button type="submit" className="button button-primary" disabled={busy} data-testid="send-resolution">
        {t('appeals.resolve')}
      </button>
    </form>
  );
}

export function AppealsPage() {
  const { t, i18n } = useTranslation();
  const locale = i18n.language;
  usePageTitle(t('appeals.title'));
  const appeals = useLoad((signal) => api<{ docs: Appeal[] }>('/appeals', { signal }), []);
  const [done, setDone] = useState<string>();
  const docs = appeals.data?.docs ?? [];
  return (
    <section className="page">
      <PageHeader title={t('appeals.title')} />
      <p className="lead">{t('appeals.lead')}</p>
      {done && (
        <p className="note note-good" role="status" data-testid="appeal-done">
          {done}
        </p>
      )}
      <ErrorNote error={appeals.error} />
      {appeals.loading && !appeals.data && <Loading />}
      {appeals.data && docs.length === 0 && (
        <p className="empty card" data-testid="no-appeals">
          {t('appeals.none')}
        </p>
      )}
      <ul className="plain-list">
        {docs.map((a) => (
          <li key={a.id} className="card" data-testid="appeal-to-hear" data-id={a.id}>
            <header className="answer-head">
              <strong>{t(`decisions.subjects.${a.subject.kind}`, { defaultValue: a.subject.kind })}</strong>
              <span className="muted small">{formatDateTime(a.filed_at, locale)}</span>
              {a.due_at && <span className="muted small">{t('appeals.due', { date: formatDateTime(a.due_at, locale) })}</span>}
            </header>
            {a.decision && (
              <dl className="facts facts-inline" data-testid="appealed-decision">
                <dt>{t('appeals.decision')}</dt>
                <dd>{t(`decisions.kinds.${a.decision.kind}`, { defaultValue: a.decision.kind })}</dd>
                {a.decision.project && (
                  <>
                    <dt>{t('decisions.project')}</dt>
                    <dd dir="auto">{a.decision.project}</dd>
                  </>
                )}
                {a.decision.task_id && (
                  <>
                    <dt>{t('project.taskId')}</dt>
                    <dd>
                      <code>{a.decision.task_id}</code>
                    </dd>
                  </>
                )}
                {a.decision.reason_code && (
                  <>
                    <dt>{t('reviewPage.reason')}</dt>
                    <dd>{t(`reviewPage.reasons.${a.decision.reason_code}`, { defaultValue: a.decision.reason_code })}</dd>
                  </>
                )}
                {a.decision.text && (
                  <>
                    <dt>{t('appeals.decisionText')}</dt>
                    <dd dir="auto">{a.decision.text}</dd>
                  </>
                )}
              </dl>
            )}
            {a.claimed_minor !== null && a.currency && <p>{t('appeals.claimed', { amount: formatMoney(a.claimed_minor, a.currency, locale) })}</p>}
            <h3 className="small">{t('appeals.workerSays')}</h3>
            <blockquote dir="auto" data-testid="appeal-text-shown">
              {a.text}
            </blockquote>
            <ResolveForm
              appeal={a}
              onDone={(outcome) => {
                setDone(t(`appeals.done.${outcome}`));
                appeals.reload();
              }}
            />
          </li>
        ))}
      </ul>
    </section>
  );
}
