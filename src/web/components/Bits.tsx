import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { formatNumber, formatPercent } from '../format.ts';

/** A project or task status as a coloured chip with the status word in the interface language. */
export function StatusBadge({ status, kind = 'project' }: { status: string; kind?: 'project' | 'task' | 'import' | 'batch' }) {
  const { t } = useTranslation();
  return (
    <span className={`badge badge-${status}`} data-status={status}>
      {t(`status.${kind}.${status}`, { defaultValue: status })}
    </span>
  );
}

/** A labelled progress bar; `value` of `max`, announced as a percentage. */
export function ProgressBar({ value, max, label }: { value: number; max: number; label: string }) {
  const { i18n } = useTranslation();
  const fraction = max > 0 ? Math.min(1, value / max) : 0;
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(fraction * 100)}
      aria-valuetext={formatPercent(fraction, i18n.language)}
    >
      <div className="progress-fill" style={{ inlineSize: `${fraction * 100}%` }} />
    </div>
  );
}

/** One figure with its label; the raw number stays in data-value for scripts and tests. */
export function Stat({ label, value, testId, tone }: { label: string; value: number; testId?: string; tone?: string }) {
  const { i18n } = useTranslation();
  return (
    <div className={`stat ${tone ? `stat-${tone}` : ''}`}>
      <dt>{label}</dt>
      <dd data-testid={testId} data-value={value}>
        {formatNumber(value, i18n.language)}
      </dd>
    </div>
  );
}

export function PageHeader({ title, children, sub }: { title: ReactNode; children?: ReactNode; sub?: ReactNode }) {
  return (
    <div className="page-header">
      <div>
        <h1 tabIndex={-1}>{title}</h1>
        {sub && <div className="page-sub">{sub}</div>}
      </div>
      {children && <div className="page-actions">{children}</div>}
    </div>
  );
}

export function Loading() {
  const { t } = useTranslation();
  return (
    <p className="loading" aria-live="polite">
      {t('common.loading')}
    </p>
  );
}
