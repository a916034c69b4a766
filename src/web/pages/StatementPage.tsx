/*
 * The worker statement (FAIRWORK "Reports"): per workweek, hours by category (paid and unpaid),
 * earnings by kind, deductions, top-up, overtime, the floor it was held to, payouts and the week's
 * link in the hash chain; then the period's totals, which reconcile: earned = paid out + balance.
 */
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, apiUrl } from '../api.ts';
import { Loading, PageHeader } from '../components/Bits.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { formatDateTime, formatMoney } from '../format.ts';
import { useLoad, usePageTitle } from '../hooks.ts';
import { CATEGORIES, type Money, type Statement, type StatementWeek, formatHours, formatWeekSpan } from '../ledger.ts';
import { Link, navigate, usePath } from '../router.tsx';

function Amounts({ list, testId }: { list: Money[]; testId?: string }) {
  const { i18n } = useTranslation();
  if (list.length === 0)
    return (
      <span className="muted" data-testid={testId} data-value="">
        –
      </span>
    );
  return (
    <span data-testid={testId} data-value={list.map((m) => `${m.amount_minor} ${m.currency}`).join(';')}>
      {list.map((m) => formatMoney(m.amount_minor, m.currency, i18n.language)).join(' · ')}
    </span>
  );
}

function Week({ w, timezone }: { w: StatementWeek; timezone: string }) {
  const { t, i18n } = useTranslation();
  const locale = i18n.language;
  const money = (m: { amount_minor: number; currency: string }) => formatMoney(m.amount_minor, m.currency, locale);
  return (
    <article className="card statement-week" aria-labelledby={`week-${w.week}`} data-testid="statement-week" data-week={w.week} data-status={w.status}>
      <h2 id={`week-${w.week}`}>
        {t('statement.week', { span: formatWeekSpan(w.start_at, w.end_at, locale, timezone) })}{' '}
        <span className={`badge badge-${w.status === 'closed' ? 'done' : 'pending'}`}>{t(`statement.status.${w.status}`)}</span>
      </h2>
      <div className="statement-grid">
        <section aria-label={t('statement.hours')}>
          <h3>{t('statement.hours')}</h3>
          <table className="table table-compact">
            <tbody>
              {CATEGORIES.filter((c) => (w.hours.by_category_ms[c] ?? 0) > 0).map((c) => (
                <tr key={c}>
                  <th scope="row">{t(`pay.categories.${c}`)}</th>
                  <td className="num">{formatHours(w.hours.by_category_ms[c] ?? 0, locale)}</td>
                </tr>
              ))}
              <tr>
                <th scope="row">{t('statement.paidTime')}</th>
                <td className="num" data-testid="week-paid" data-value={w.hours.paid_ms}>
                  <strong>{formatHours(w.hours.paid_ms, locale)}</strong>
                </td>
              </tr>
              <tr>
                <th scope="row">{t('statement.unpaidTime')}</th>
                <td className="num">{formatHours(w.hours.unpaid_ms, locale)}</td>
              </tr>
            </tbody>
          </table>
        </section>
        <section aria-label={t('statement.money')}>
          <h3>{t('statement.money')}</h3>
          <table className="table table-compact">
            <tbody>
              {w.earnings.map((e) => (
                <tr key={`${e.kind}-${e.currency}`} data-kind={e.kind} data-testid="earning">
                  <th scope="row">{t(`statement.kinds.${e.kind}`, { defaultValue: e.kind })}</th>
                  <td className="num" data-value={e.amount_minor}>
                    {money(e)}
                  </td>
                </tr>
              ))}
              {w.deductions.length > 0 && (
                <tr>
                  <th scope="row">{t('statement.deductions')}</th>
                  <td className="num">
                    <Amounts list={w.deductions} />
                  </td>
                </tr>
              )}
              {w.topups.length > 0 && (
                <tr>
                  <th scope="row">{t('statement.topup')}</th>
                  <td className="num">
                    <Amounts list={w.topups} testId="week-topup" />
                  </td>
                </tr>
              )}
              {w.overtime.length > 0 && (
                <tr>
                  <th scope="row">{t('statement.overtime')}</th>
                  <td className="num">
                    <Amounts list={w.overtime} />
                  </td>
                </tr>
              )}
              {w.adjustments_for_past_weeks.length > 0 && (
                <tr>
                  <th scope="row">{t('statement.pastAdjustments')}</th>
                  <td className="num">
                    <Amounts list={w.adjustments_for_past_weeks} />
                  </td>
                </tr>
              )}
              <tr className="total-row">
                <th scope="row">{t('statement.total')}</th>
                <td className="num">
                  <strong>
                    <Amounts list={w.total} testId="week-total" />
                  </strong>
                </td>
              </tr>
            </tbody>
          </table>
        </section>
      </div>
      <dl className="facts facts-inline">
        {w.floor && (
          <>
            <dt>{t('statement.floorRequired')}</dt>
            <dd>{formatMoney(w.floor.required_minor, w.floor.currency, locale)}</dd>
          </>
        )}
        {w.effective_hourly?.per_paid_minor != null && (
          <>
            <dt>{t('pay.effectiveHourly')}</dt>
            <dd>{t('money.perHour', { amount: formatMoney(w.effective_hourly.per_paid_minor, w.effective_hourly.currency, locale) })}</dd>
          </>
        )}
        <dt>{t('statement.payouts')}</dt>
        <dd>
          <Amounts list={w.payouts} />
          {w.pay_date && <span className="muted"> · {w.pay_date}</span>}
        </dd>
      </dl>
      {w.hash && (
        <p className="muted small">
          {t('statement.hash')} <code className="hash">{w.hash}</code>
        </p>
      )}
    </article>
  );
}

export function StatementPage() {
  const { t, i18n } = useTranslation();
  const locale = i18n.language;
  usePageTitle(t('statement.title'));
  const path = usePath();
  const query = new URLSearchParams(path.split('?')[1] ?? '');
  const range = { from: query.get('from') ?? undefined, to: query.get('to') ?? undefined };
  const statement = useLoad((signal) => api<Statement>('/work/statement', { signal, query: range }), [range.from, range.to]);
  const s = statement.data;
  const [from, setFrom] = useState(range.from ?? '');
  const [to, setTo] = useState(range.to ?? '');
  const choose = (event: FormEvent) => {
    event.preventDefault();
    navigate(`/work/statement?${new URLSearchParams({ ...(from && { from }), ...(to && { to }) })}`);
  };

  return (
    <section className="page">
      <PageHeader title={t('statement.title')} sub={s && t('statement.period', { from: s.period.from, to: s.period.to, tz: s.timezone })}>
        {s && (
          <a className="button" href={apiUrl('/work/statement', { from: s.period.from, to: s.period.to, format: 'csv' })} download data-testid="statement-csv">
            {t('statement.csv')}
          </a>
        )}
      </PageHeader>
      <form className="card inline-form" onSubmit={choose}>
        <label htmlFor="statement-from">{t('statement.from')}</label>
        <input id="statement-from" type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        <label htmlFor="statement-to">{t('statement.to')}</label>
        <input id="statement-to" type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        <button type="submit" className="button">
          {t('statement.show')}
        </button>
      </form>
      <ErrorNote error={statement.error} />
      {statement.loading && !s && <Loading />}
      {s && (
        <>
          <section className="card" aria-labelledby="statement-totals" data-testid="statement-totals">
            <h2 id="statement-totals">{t('statement.totals')}</h2>
            <dl className="facts facts-work">
              <dt>{t('statement.earned')}</dt>
              <dd>
                <Amounts list={s.totals.earned} testId="total-earned" />
              </dd>
              <dt>{t('statement.paidOut')}</dt>
              <dd>
                <Amounts list={s.totals.paid_out} testId="total-paid-out" />
              </dd>
              <dt>{t('statement.balance')}</dt>
              <dd>
                <Amounts list={s.totals.balance_after} testId="total-balance" />
              </dd>
            </dl>
            <p className="muted small">{t('statement.reconciles')}</p>
          </section>
          {s.weeks.length === 0 && <p className="empty card">{t('statement.empty')}</p>}
          {s.weeks.map((w) => (
            <Week key={w.week} w={w} timezone={s.timezone} />
          ))}
          {s.rejections.length > 0 && (
            <section className="card" aria-labelledby="statement-rejections">
              <h2 id="statement-rejections">{t('statement.rejections')}</h2>
              <ul className="link-list">
                {s.rejections.map((r) => (
                  <li key={r.decision_id} data-testid="statement-rejection" data-status={r.status}>
                    {formatDateTime(r.decided_at, locale)} · {r.reason_code ? t(`reviewPage.reasons.${r.reason_code}`, { defaultValue: r.reason_code }) : '–'} ·{' '}
                    {t(`decisions.status.${r.status}`, { defaultValue: r.status })}
                  </li>
                ))}
              </ul>
              <Link to="/work/decisions">{t('pay.decisions')}</Link>
            </section>
          )}
        </>
      )}
    </section>
  );
}
