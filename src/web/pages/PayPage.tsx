/*
 * The worker's pay dashboard (FAIRWORK "Reports"): this week's paid and unpaid hours, earnings, the
 * effective hourly rate beside the floor, the top-up the week close would add now, answers waiting
 * for review, open appeals and the balance not yet paid out.
 */
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { Loading, PageHeader } from '../components/Bits.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { formatMoney, formatNumber } from '../format.ts';
import { useLoad, usePageTitle } from '../hooks.ts';
import { CATEGORIES, type Dashboard, formatHours, formatWeekSpan } from '../ledger.ts';
import { Link } from '../router.tsx';

export function PayPage() {
  const { t, i18n } = useTranslation();
  const locale = i18n.language;
  usePageTitle(t('pay.title'));
  const board = useLoad((signal) => api<Dashboard>('/work/dashboard', { signal }), []);
  const d = board.data;
  const currency = d?.earnings.currency ?? d?.rate.currency ?? null;
  const money = (minor: number | null) => (minor === null || currency === null ? '–' : formatMoney(minor, currency, locale));

  return (
    <section className="page">
      <PageHeader title={t('pay.title')}>
        <Link to="/work/statement" className="button" data-testid="open-statement">
          {t('pay.statement')}
        </Link>
        <Link to="/work/decisions" className="button">
          {t('pay.decisions')}
        </Link>
      </PageHeader>
      <p className="lead">{t('pay.lead')}</p>
      <ErrorNote error={board.error} />
      {board.loading && !d && <Loading />}
      {d && (
        <>
          <section className="card" aria-labelledby="pay-week" data-testid="pay-week">
            <h2 id="pay-week">{t('pay.thisWeek', { span: formatWeekSpan(d.week.start_at, d.week.end_at, locale, d.week.timezone) })}</h2>
            <dl className="facts facts-work">
              <dt>{t('pay.paidHours')}</dt>
              <dd data-testid="paid-hours" data-value={d.hours.paid_ms}>
                {formatHours(d.hours.paid_ms, locale)}
              </dd>
              <dt>{t('pay.unpaidHours')}</dt>
              <dd data-value={d.hours.unpaid_ms}>{formatHours(d.hours.unpaid_ms, locale)}</dd>
              <dt>{t('pay.net')}</dt>
              <dd data-testid="net" data-value={d.earnings.net_minor}>
                <strong>{money(d.earnings.net_minor)}</strong>
              </dd>
              <dt>{t('pay.effectiveHourly')}</dt>
              <dd data-testid="effective-hourly" data-value={d.rate.effective_hourly_minor ?? ''}>
                {d.rate.effective_hourly_minor === null ? '–' : t('money.perHour', { amount: money(d.rate.effective_hourly_minor) })}
              </dd>
              <dt>{t('pay.floor')}</dt>
              <dd data-value={d.rate.floor_hourly_minor ?? ''}>{d.rate.floor_hourly_minor === null ? '–' : t('money.perHour', { amount: money(d.rate.floor_hourly_minor) })}</dd>
              <dt>{t('pay.projectedTopup')}</dt>
              <dd data-testid="projected-topup" data-value={d.projected_topup_minor ?? ''}>
                {d.projection_problem ? t(`pay.problems.${d.projection_problem}`, { defaultValue: d.projection_problem }) : money(d.projected_topup_minor)}
              </dd>
            </dl>
            <p className={`note ${d.rate.below_floor ? 'note-warn' : 'note-good'}`} data-testid="floor-note">
              {d.rate.below_floor ? t('pay.belowFloor') : t('pay.atFloor')}
            </p>
            <details>
              <summary>{t('pay.byCategory')}</summary>
              <table className="table table-compact">
                <tbody>
                  {CATEGORIES.filter((c) => (d.hours.by_category_ms[c] ?? 0) > 0).map((c) => (
                    <tr key={c}>
                      <th scope="row">{t(`pay.categories.${c}`)}</th>
                      <td className="num">{formatHours(d.hours.by_category_ms[c] ?? 0, locale)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          </section>
          <section className="card" aria-labelledby="pay-waiting">
            <h2 id="pay-waiting">{t('pay.waiting')}</h2>
            <dl className="facts facts-work">
              <dt>{t('pay.pendingReviews')}</dt>
              <dd data-testid="pending-reviews" data-value={d.pending_reviews}>
                {formatNumber(d.pending_reviews, locale)}
              </dd>
              <dt>{t('pay.openAppeals')}</dt>
              <dd data-testid="open-appeals" data-value={d.open_appeals.count}>
                <Link to="/work/decisions">{formatNumber(d.open_appeals.count, locale)}</Link>
              </dd>
              <dt>{t('pay.balance')}</dt>
              <dd data-testid="balance">{d.balance.length === 0 ? money(0) : d.balance.map((b) => formatMoney(b.amount_minor, b.currency, locale)).join(' · ')}</dd>
            </dl>
          </section>
        </>
      )}
    </section>
  );
}
