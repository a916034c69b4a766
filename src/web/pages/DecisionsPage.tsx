/*
 * Decisions about my work and my appeals (FAIRWORK rules 5-8): every review, audit, automatic
 * approval and sanction in my language, with its reason, the pay it withheld and what I can do next;
 * an appeal form on each decision that still allows one; and my appeals with their outcome.
 */
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../api.ts';
import { Loading, PageHeader } from '../components/Bits.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { formatDateTime, formatMoney } from '../format.ts';
import { useLoad, usePageTitle } from '../hooks.ts';
import type { Appeal, Decision } from '../ledger.ts';
import { Link } from '../router.tsx';

const MIN_APPEAL_TEXT = 10;

function AppealForm({ decision, onFiled }: { decision: Decision; onFiled(): void }) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const id = `appeal-${decision.type}-${decision.id}`;
  const send = async (event: FormEvent) => {
    event.preventDefault();
    if (Array.from(text.trim()).length < MIN_APPEAL_TEXT) {
      setError(new ApiError(0, 'appeal_text_short', t('decisions.appealTooShort', { n: MIN_APPEAL_TEXT })));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await api('/work/appeals', { method: 'POST', body: { subject_kind: decision.type, subject_id: decision.id, text: text.trim() } });
      onFiled();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="decision" onSubmit={send} data-testid="appeal-form">
      <div className="field">
        <label htmlFor={id}>{t('decisions.appealWhy')}</label>
        <textarea id={id} rows={3} dir="auto" value={text} onChange={(e) => setText(e.target.value)} data-testid="appeal-text" />
      </div>
      <ErrorNote error={error} />
      <button type="submit" className="button button-primary" disabled={busy} data-testid="send-appeal">
        {t('decisions.sendAppeal')}
      </button>
    </form>
  );
}

function DecisionItem({ d, onFiled }: { d: Decision; onFiled(): void }) {
  const { t, i18n } = useTranslation();
  const locale = i18n.language;
  const [appealing, setAppealing] = useState(false);
  const reason = d.type === 'sanction' ? d.statement : d.text;
  return (
    <li className="card decision-item" data-testid="decision" data-kind={d.kind} data-status={d.status} data-id={d.id}>
      <header className="answer-head">
        <strong data-testid="decision-kind">{t(`decisions.kinds.${d.kind}`, { defaultValue: d.kind })}</strong>
        <span className="badge" data-testid="decision-status">
          {t(`decisions.status.${d.status}`, { defaultValue: d.status })}
        </span>
        <span className="muted small">{formatDateTime(d.decided_at, locale)}</span>
      </header>
      <dl className="facts facts-inline">
        {d.project && (
          <>
            <dt>{t('decisions.project')}</dt>
            <dd dir="auto">{d.project}</dd>
          </>
        )}
        {d.task_id && (
          <>
            <dt>{t('project.taskId')}</dt>
            <dd>
              <code>{d.task_id}</code>
            </dd>
          </>
        )}
        {d.reason_code && (
          <>
            <dt>{t('reviewPage.reason')}</dt>
            <dd>{t(`reviewPage.reasons.${d.reason_code}`, { defaultValue: d.reason_code })}</dd>
          </>
        )}
        {d.decided_by?.kind === 'rule' && (
          <>
            <dt>{t('decisions.decidedBy')}</dt>
            <dd>{t(`decisions.rules.${d.decided_by.rule}`, { defaultValue: d.decided_by.rule })}</dd>
          </>
        )}
        {d.pay && d.pay.withheld_minor > 0 && d.pay.currency && (
          <>
            <dt>{t('decisions.withheld')}</dt>
            <dd data-testid="withheld">{formatMoney(d.pay.withheld_minor, d.pay.currency, locale)}</dd>
          </>
        )}
      </dl>
      {reason && (
        <blockquote dir="auto" className="decision-text">
          {reason}
        </blockquote>
      )}
      {d.hold_reason && <p className="note">{t(`decisions.holds.${d.hold_reason}`, { defaultValue: d.hold_reason })}</p>}
      <ul className="next-steps" aria-label={t('decisions.nextSteps')}>
        {d.next_steps
          .filter((s) => s !== 'none')
          .map((s) => (
            <li key={s}>{t(`decisions.steps.${s}`, { date: formatDateTime(d.appeal.deadline, locale), defaultValue: s })}</li>
          ))}
      </ul>
      {d.appeal.appeal_id && <p className="muted small">{t(d.appeal.appeal_status === 'resolved' ? 'decisions.appealResolved' : 'decisions.appealOpen')}</p>}
      {d.appeal.allowed &&
        (appealing ? (
          <AppealForm decision={d} onFiled={onFiled} />
        ) : (
          <button type="button" className="button" onClick={() => setAppealing(true)} data-testid="appeal">
            {t('decisions.appeal')}
          </button>
        ))}
    </li>
  );
}

function AppealItem({ a }: { a: Appeal }) {
  const { t, i18n } = useTranslation();
  const locale = i18n.language;
  const r = a.resolution;
  return (
    <li className="card" data-testid="my-appeal" data-status={a.status} data-outcome={a.outcome ?? ''}>
      <header className="answer-head">
        <strong>{t(`decisions.subjects.${a.subject.kind}`, { defaultValue: a.subject.kind })}</strong>
        <span className="badge">{a.outcome ? t(`decisions.outcomes.${a.outcome}`) : t(`decisions.appealStatus.${a.status}`)}</span>
        <span className="muted small">{formatDateTime(a.filed_at, locale)}</span>
      </header>
      <blockquote dir="auto">{a.text}</blockquote>
      {a.due_at && !r && <p className="muted small">{t('decisions.dueAt', { date: formatDateTime(a.due_at, locale) })}</p>}
      {r && (
        <div className="note note-good" data-testid="appeal-resolution">
          <p>
            {t(`decisions.outcomes.${r.outcome}`)}
            {r.by.kind === 'rule' && ` · ${t(`decisions.rules.${r.by.rule}`, { defaultValue: r.by.rule })}`}
          </p>
          {r.text && <p dir="auto">{r.text}</p>}
          {r.restored_minor !== null && r.restored_minor > 0 && a.currency && (
            <p data-testid="restored" data-value={r.restored_minor}>
              {t('decisions.restored', { amount: formatMoney(r.restored_minor, a.currency, locale) })}
            </p>
          )}
        </div>
      )}
    </li>
  );
}

export function DecisionsPage() {
  const { t } = useTranslation();
  usePageTitle(t('decisions.title'));
  const decisions = useLoad((signal) => api<{ docs: Decision[] }>('/work/decisions', { signal }), []);
  const appeals = useLoad((signal) => api<{ docs: Appeal[] }>('/work/appeals', { signal }), []);
  const [filed, setFiled] = useState(false);
  const list = decisions.data?.docs ?? [];
  const reload = () => {
    setFiled(true);
    decisions.reload();
    appeals.reload();
  };
  return (
    <section className="page">
      <PageHeader title={t('decisions.title')}>
        <Link to="/work/pay" className="button">
          {t('pay.title')}
        </Link>
      </PageHeader>
      <p className="lead">{t('decisions.lead')}</p>
      {filed && (
        <p className="note note-good" role="status" data-testid="appeal-filed">
          {t('decisions.filed')}
        </p>
      )}
      <ErrorNote error={decisions.error} />
      {decisions.loading && !decisions.data && <Loading />}
      {decisions.data && list.length === 0 && <p className="empty card">{t('decisions.none')}</p>}
      <ul className="plain-list" data-testid="decisions">
        {list.map((d) => (
          <DecisionItem key={`${d.type}-${d.id}`} d={d} onFiled={reload} />
        ))}
      </ul>
      <h2>{t('decisions.myAppeals')}</h2>
      <ErrorNote error={appeals.error} />
      {appeals.data && appeals.data.docs.length === 0 && <p className="muted">{t('decisions.noAppeals')}</p>}
      <ul className="plain-list" data-testid="my-appeals">
        {appeals.data?.docs.map((a) => (
          <AppealItem key={a.id} a={a} />
        ))}
      </ul>
    </section>
  );
}
