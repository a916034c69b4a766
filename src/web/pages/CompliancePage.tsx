/*
 * The requester's fair-work report for one project (FAIRWORK "Reports"): effective hourly pay before
 * top-up, the share of worker-weeks below the floor and what the top-ups cost, estimate accuracy,
 * rejections, appeals, review latency and sanctions; and, when the project pays below the floor at
 * the time its work really takes, why it hands out no work and the two ways to resume.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, apiUrl } from '../api.ts';
import { Loading, PageHeader } from '../components/Bits.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { formatDuration, formatMoney, formatNumber, formatPercent } from '../format.ts';
import { useLoad, usePageTitle } from '../hooks.ts';
import type { Money } from '../ledger.ts';
import { Link } from '../router.tsx';

interface Compliance {
  period: { from: string; to: string };
  worker_weeks: number;
  weeks: { currency: string }[];
  hourly_before_topup: { p10_minor: number | null; p50_minor: number | null; p90_minor: number | null };
  below_floor_before_topup: { count: number; share: number | null };
  topup_cost: Money[];
  estimate: { answers: number; shown_median_seconds: number | null; actual_median_seconds: number | null; actual_p75_seconds: number | null };
  rejections: { count: number; rate: number | null; reasons: Record<string, number> };
  appeals: { count: number; rate: number | null; resolved: number; overturned: number; overturn_rate: number | null };
  review_latency: { reviewed: number; p50_seconds: number | null; p90_seconds: number | null };
  sanctions: Record<string, number>;
}

interface PayStatus {
  estimate: { seconds: number; median_seconds: number | null; p75_seconds: number | null; from_submissions: number };
  work_stopped: { p75_seconds: number; piece_rate_minor: number; hourly_at_p75_minor: number; floor_hourly_minor: number; currency: string; piece_rate_needed_minor: number } | null;
}

export function CompliancePage({ name }: { name: string }) {
  const { t, i18n } = useTranslation();
  const locale = i18n.language;
  usePageTitle(`${t('compliance.title')} · ${name}`);
  const report = useLoad((signal) => api<Compliance>(`/projects/${encodeURIComponent(name)}/compliance`, { signal }), [name]);
  const status = useLoad((signal) => api<PayStatus>(`/projects/${encodeURIComponent(name)}/pay_status`, { signal }), [name]);
  const [error, setError] = useState<unknown>();
  const r = report.data;
  const currency = r?.weeks[0]?.currency ?? r?.topup_cost[0]?.currency;
  const money = (minor: number | null) => (minor === null || !currency ? '–' : formatMoney(minor, currency, locale));
  const seconds = (s: number | null) => (s === null ? '–' : formatDuration(s, locale));
  const pct = (f: number | null) => (f === null ? '–' : formatPercent(f, locale));
  const stop = status.data?.work_stopped;

  const acceptTopups = async () => {
    setError(undefined);
    try {
      await api(`/projects/${encodeURIComponent(name)}/accept_topups`, { method: 'POST', body: {} });
      status.reload();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section className="page">
      <PageHeader title={t('compliance.title')} sub={<span dir="auto">{name}</span>}>
        <a className="button" href={apiUrl(`/projects/${encodeURIComponent(name)}/compliance`, { format: 'csv', ...(r && { from: r.period.from, to: r.period.to }) })} download data-testid="compliance-csv">
          {t('compliance.csv')}
        </a>
      </PageHeader>
      <ErrorNote error={report.error ?? status.error ?? error} />
      {stop && (
        <div className="note note-error" role="alert" data-testid="work-stopped">
          <p>
            <strong>{t('compliance.stopped')}</strong>
          </p>
          <p>
            {t('compliance.stoppedWhy', {
              p75: formatDuration(stop.p75_seconds, locale),
              hourly: formatMoney(stop.hourly_at_p75_minor, stop.currency, locale),
              floor: formatMoney(stop.floor_hourly_minor, stop.currency, locale),
              needed: formatMoney(stop.piece_rate_needed_minor, stop.currency, locale),
            })}
          </p>
          <button type="button" className="button" onClick={acceptTopups} data-testid="accept-topups">
            {t('compliance.acceptTopups')}
          </button>
        </div>
      )}
      {(report.loading || status.loading) && !r && <Loading />}
      {r && (
        <div className="card" data-testid="compliance">
          <p className="muted">{t('compliance.period', { from: r.period.from, to: r.period.to, n: formatNumber(r.worker_weeks, locale) })}</p>
          <dl className="facts facts-work">
            <dt>{t('compliance.hourly')}</dt>
            <dd>{t('compliance.quantiles', { p10: money(r.hourly_before_topup.p10_minor), p50: money(r.hourly_before_topup.p50_minor), p90: money(r.hourly_before_topup.p90_minor) })}</dd>
            <dt>{t('compliance.belowFloor')}</dt>
            <dd data-testid="below-floor" data-value={r.below_floor_before_topup.count}>
              {formatNumber(r.below_floor_before_topup.count, locale)} ({pct(r.below_floor_before_topup.share)})
            </dd>
            <dt>{t('compliance.topupCost')}</dt>
            <dd>{r.topup_cost.length ? r.topup_cost.map((m) => formatMoney(m.amount_minor, m.currency, locale)).join(' · ') : money(0)}</dd>
            <dt>{t('compliance.estimate')}</dt>
            <dd>{t('compliance.estimateVsActual', { shown: seconds(r.estimate.shown_median_seconds), actual: seconds(r.estimate.actual_median_seconds), p75: seconds(r.estimate.actual_p75_seconds) })}</dd>
            <dt>{t('compliance.rejections')}</dt>
            <dd data-testid="rejections" data-value={r.rejections.count}>
              {formatNumber(r.rejections.count, locale)} ({pct(r.rejections.rate)})
              {Object.entries(r.rejections.reasons).map(([code, n]) => ` · ${t(`reviewPage.reasons.${code}`, { defaultValue: code })}: ${formatNumber(n, locale)}`)}
            </dd>
            <dt>{t('compliance.appeals')}</dt>
            <dd data-testid="appeals" data-value={r.appeals.count}>
              {t('compliance.appealFigures', { n: formatNumber(r.appeals.count, locale), resolved: formatNumber(r.appeals.resolved, locale), overturned: formatNumber(r.appeals.overturned, locale), rate: pct(r.appeals.overturn_rate) })}
            </dd>
            <dt>{t('compliance.latency')}</dt>
            <dd>{t('compliance.latencyFigures', { p50: seconds(r.review_latency.p50_seconds), p90: seconds(r.review_latency.p90_seconds) })}</dd>
            <dt>{t('compliance.sanctions')}</dt>
            <dd>{Object.keys(r.sanctions).length === 0 ? '0' : Object.entries(r.sanctions).map(([level, n]) => `${t(`decisions.kinds.${level}`, { defaultValue: level })}: ${formatNumber(n, locale)}`).join(' · ')}</dd>
          </dl>
        </div>
      )}
      <p>
        <Link to={`/projects/${encodeURIComponent(name)}`} className="back-link">
          {t('compliance.back')}
        </Link>
      </p>
    </section>
  );
}
