import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, type Project, type TaskTypeInfo } from '../api.ts';
import { Loading, PageHeader } from '../components/Bits.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { Markdown } from '../components/Markdown.tsx';
import { currencyDigits, decimalToMinor, formatDuration, formatMoney, impliedHourlyMinor, minorToDecimal } from '../format.ts';
import { useLoad, usePageTitle } from '../hooks.ts';
import { LOCALE_NAMES, LOCALES, type Locale } from '../i18n.ts';
import { navigate } from '../router.tsx';
import { useApp } from '../session.tsx';

/** Typical seconds per item for each type: the starting estimate that sets the default pay. */
const TYPICAL_SECONDS: Record<string, number> = {
  categorization: 15,
  rating: 45,
  textcollection: 90,
  comparison: 60,
  ranking: 90,
  binaryfeedback: 20,
  sft: 300,
  rubric: 120,
  refusalaudit: 60,
  namedentityrecognition: 60,
  imageannotation: 90,
};

/**
 * The hourly rate the default pay aims at, per currency, in minor units: round starting values for
 * the requester to adjust, not exchange rates. The piece rate is rounded up so it never falls below.
 */
const STARTING_HOURLY_MINOR: Record<string, number> = {
  USD: 1500,
  EUR: 1500,
  GBP: 1300,
  CAD: 2000,
  AUD: 2500,
  CHF: 2500,
  JPY: 1500,
  KRW: 12000,
  INR: 20000,
  BRL: 3000,
  MXN: 10000,
  EGP: 10000,
  MAD: 5000,
  SAR: 5000,
  AED: 5000,
};
const CURRENCIES = Object.keys(STARTING_HOURLY_MINOR);
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

interface Draft {
  name: string;
  type: string;
  categories: string;
  allowMultiple: boolean;
  paramsJson: string;
  instructions: Partial<Record<Locale, string>>;
  overlapMin: number;
  overlapMax: number;
  goldPercent: number;
  reviewMode: 'none' | 'all' | 'sample' | 'low_confidence';
  samplePercent: number;
  deadlineDays: number;
  currency: string;
  piece: string;
  estimatedSeconds: number;
  leaseSeconds: number;
  idleGraceSeconds: number;
  languages: Locale[];
  warnings: string;
  openNow: boolean;
}

/** The default pay per task for an estimate, as the decimal a person would type. */
function pieceFor(seconds: number, currency: string): string {
  const minor = Math.ceil(((STARTING_HOURLY_MINOR[currency] ?? 1500) * seconds) / 3600);
  return minorToDecimal(minor, currencyDigits(currency));
}

/** A fresh draft for a task type, prefilled from the type's example. */
function draftFor(type: TaskTypeInfo, starter: string, locale: Locale, keep?: Partial<Draft>): Draft {
  const seconds = TYPICAL_SECONDS[type.type] ?? 60;
  const example = type.example;
  return {
    name: keep?.name ?? '',
    type: type.type,
    categories: Array.isArray(example.categories) ? (example.categories as string[]).join('\n') : '',
    allowMultiple: example.allow_multiple === true,
    paramsJson: JSON.stringify(example, null, 2),
    instructions: { [locale]: starter },
    overlapMin: 3,
    overlapMax: 5,
    goldPercent: 10,
    reviewMode: 'sample',
    samplePercent: 10,
    deadlineDays: 3,
    currency: 'USD',
    piece: pieceFor(seconds, 'USD'),
    estimatedSeconds: seconds,
    leaseSeconds: 600,
    idleGraceSeconds: 300,
    languages: [],
    warnings: '',
    openNow: true,
  };
}

/** Create a project from a template per task type. */
export function NewProjectPage() {
  const { t, i18n } = useTranslation();
  const { locale } = useApp();
  usePageTitle(t('create.title'));
  const types = useLoad((signal) => api<{ docs: TaskTypeInfo[] }>('/task_types', { signal }), []);
  const [draft, setDraft] = useState<Draft>();
  const [editLang, setEditLang] = useState<Locale>(locale);
  const [error, setError] = useState<unknown>();
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);

  const starter = (type: TaskTypeInfo) => t('create.starter', { title: t(`types.${type.type}.title`, { defaultValue: type.title }) });

  useEffect(() => {
    const first = types.data?.docs.find((d) => d.type === 'categorization') ?? types.data?.docs[0];
    if (first && !draft) setDraft(draftFor(first, starter(first), locale));
    // Only when the types arrive.
    // biome-ignore lint/correctness/useExhaustiveDependencies: once
  }, [types.data]);

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => d && { ...d, [key]: value });
  const digits = draft ? currencyDigits(draft.currency) : 2;
  const pieceMinor = draft ? decimalToMinor(draft.piece, digits) : undefined;
  const hourlyMinor = draft && pieceMinor !== undefined ? impliedHourlyMinor(pieceMinor, draft.estimatedSeconds) : undefined;

  const chooseType = (type: TaskTypeInfo) => {
    setDraft((d) => draftFor(type, starter(type), locale, { name: d?.name }));
    setProblem(undefined);
  };

  const params = useMemo((): Record<string, unknown> | string => {
    if (!draft) return {};
    if (draft.type === 'categorization') {
      const categories = draft.categories
        .split('\n')
        .map((c) => c.trim())
        .filter(Boolean);
      let extra: Record<string, unknown> = {};
      try {
        const parsed = JSON.parse(draft.paramsJson) as Record<string, unknown>;
        extra = parsed.category_descriptions ? { category_descriptions: parsed.category_descriptions } : {};
      } catch {
        extra = {};
      }
      return { ...extra, categories, allow_multiple: draft.allowMultiple };
    }
    try {
      const parsed = JSON.parse(draft.paramsJson) as unknown;
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return t('create.paramsNotObject');
      return parsed as Record<string, unknown>;
    } catch (e) {
      return t('create.paramsNotJson', { message: (e as Error).message });
    }
  }, [draft, t]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!draft) return;
    setError(undefined);
    if (!NAME_PATTERN.test(draft.name)) return setProblem(t('create.nameRule'));
    if (typeof params === 'string') return setProblem(params);
    if (pieceMinor === undefined) return setProblem(t('create.pieceRule'));
    setProblem(undefined);
    const instructions = Object.fromEntries(Object.entries(draft.instructions).filter(([, text]) => text && text.trim()));
    const body = {
      name: draft.name,
      type: draft.type,
      params,
      instructions,
      overlap: { min: draft.overlapMin, max: Math.max(draft.overlapMin, draft.overlapMax) },
      priority: 0,
      gold_rate: draft.goldPercent / 100,
      review_policy: {
        mode: draft.reviewMode,
        deadline_days: draft.deadlineDays,
        ...(draft.reviewMode === 'sample' && { sample_rate: draft.samplePercent / 100 }),
        ...(draft.reviewMode === 'low_confidence' && { confidence_below: 0.7 }),
      },
      pay: { currency: draft.currency, piece_rate_minor: pieceMinor, promised_hourly_minor: hourlyMinor ?? 0, estimated_seconds: draft.estimatedSeconds },
      lease_seconds: draft.leaseSeconds,
      idle_grace_seconds: draft.idleGraceSeconds,
      languages: draft.languages,
      content_warnings: draft.warnings
        .split(',')
        .map((w) => w.trim())
        .filter(Boolean),
      status: draft.openNow ? 'active' : 'draft',
    };
    setBusy(true);
    try {
      const project = await api<Project>('/projects', { method: 'POST', body });
      navigate(`/projects/${encodeURIComponent(project.name)}`);
    } catch (e) {
      setError(e);
      setBusy(false);
      if (e instanceof ApiError && e.code === 'project_exists') document.getElementById('project-name')?.focus();
    }
  };

  if (!draft) {
    return (
      <section className="page">
        <PageHeader title={t('create.title')} />
        <ErrorNote error={types.error} />
        {types.loading && <Loading />}
      </section>
    );
  }

  const num = (key: keyof Draft) => (e: { target: { value: string } }) => set(key, Number(e.target.value) as never);

  return (
    <section className="page">
      <PageHeader title={t('create.title')} />
      <form onSubmit={submit} className="stack" noValidate>
        <fieldset className="card">
          <legend>{t('create.template')}</legend>
          <div className="templates" data-testid="templates">
            {types.data?.docs.map((type) => (
              <label key={type.type} className={`template ${draft.type === type.type ? 'is-selected' : ''}`}>
                <input type="radio" name="type" value={type.type} checked={draft.type === type.type} onChange={() => chooseType(type)} />
                <span className="template-title">{t(`types.${type.type}.title`, { defaultValue: type.title })}</span>
                <span className="template-desc">{t(`types.${type.type}.desc`, { defaultValue: '' })}</span>
              </label>
            ))}
          </div>
        </fieldset>

        <fieldset className="card">
          <legend>{t('create.basics')}</legend>
          <div className="field">
            <label htmlFor="project-name">{t('create.name')}</label>
            <input
              id="project-name"
              required
              value={draft.name}
              onChange={(e) => set('name', e.target.value)}
              pattern={NAME_PATTERN.source}
              aria-describedby="project-name-help"
              dir="ltr"
              autoComplete="off"
            />
            <p id="project-name-help" className="help">
              {t('create.nameHelp')}
            </p>
          </div>
          {draft.type === 'categorization' ? (
            <>
              <div className="field">
                <label htmlFor="project-categories">{t('create.categories')}</label>
                <textarea id="project-categories" rows={4} value={draft.categories} onChange={(e) => set('categories', e.target.value)} aria-describedby="categories-help" dir="auto" />
                <p id="categories-help" className="help">
                  {t('create.categoriesHelp')}
                </p>
              </div>
              <label className="check">
                <input type="checkbox" checked={draft.allowMultiple} onChange={(e) => set('allowMultiple', e.target.checked)} />
                {t('create.allowMultiple')}
              </label>
            </>
          ) : (
            <div className="field">
              <label htmlFor="project-params">{t('create.params')}</label>
              <textarea id="project-params" rows={10} className="code" value={draft.paramsJson} onChange={(e) => set('paramsJson', e.target.value)} aria-describedby="params-help" dir="ltr" spellCheck={false} />
              <p id="params-help" className="help">
                {t('create.paramsHelp')}
              </p>
            </div>
          )}
        </fieldset>

        <fieldset className="card">
          <legend>{t('create.instructions')}</legend>
          <p className="help">{t('create.instructionsHelp')}</p>
          <div className="tabs" role="tablist" aria-label={t('project.instructionLanguage')}>
            {LOCALES.map((l) => (
              <button key={l} type="button" role="tab" className="tab" aria-selected={editLang === l} onClick={() => setEditLang(l)} lang={l} data-filled={draft.instructions[l]?.trim() ? 'yes' : 'no'}>
                {LOCALE_NAMES[l]}
                {draft.instructions[l]?.trim() ? <span className="dot" aria-label={t('create.written')} /> : null}
              </button>
            ))}
          </div>
          <div className="grid-2 editor" role="tabpanel">
            <div className="field">
              <label htmlFor="instructions-text">{t('create.markdownIn', { language: LOCALE_NAMES[editLang] })}</label>
              <textarea
                id="instructions-text"
                rows={12}
                lang={editLang}
                dir={editLang === 'ar' ? 'rtl' : 'ltr'}
                value={draft.instructions[editLang] ?? ''}
                onChange={(e) => set('instructions', { ...draft.instructions, [editLang]: e.target.value })}
              />
            </div>
            <div className="preview" aria-live="off">
              <p className="preview-label">{t('create.preview')}</p>
              <div lang={editLang} dir={editLang === 'ar' ? 'rtl' : 'ltr'} data-testid="instructions-preview">
                <Markdown>{draft.instructions[editLang] ?? ''}</Markdown>
              </div>
            </div>
          </div>
        </fieldset>

        <fieldset className="card">
          <legend>{t('create.quality')}</legend>
          <div className="form-grid">
            <div className="field">
              <label htmlFor="overlap-min">{t('create.overlapMin')}</label>
              <input id="overlap-min" type="number" min={1} max={100} value={draft.overlapMin} onChange={num('overlapMin')} />
            </div>
            <div className="field">
              <label htmlFor="overlap-max">{t('create.overlapMax')}</label>
              <input id="overlap-max" type="number" min={1} max={100} value={draft.overlapMax} onChange={num('overlapMax')} />
            </div>
            <div className="field">
              <label htmlFor="gold-rate">{t('create.goldPercent')}</label>
              <input id="gold-rate" type="number" min={0} max={100} value={draft.goldPercent} onChange={num('goldPercent')} />
            </div>
            <div className="field">
              <label htmlFor="review-mode">{t('create.review')}</label>
              <select id="review-mode" value={draft.reviewMode} onChange={(e) => set('reviewMode', e.target.value as Draft['reviewMode'])}>
                {(['none', 'sample', 'all', 'low_confidence'] as const).map((m) => (
                  <option key={m} value={m}>
                    {t(`review.${m}`)}
                  </option>
                ))}
              </select>
            </div>
            {draft.reviewMode === 'sample' && (
              <div className="field">
                <label htmlFor="sample-rate">{t('create.samplePercent')}</label>
                <input id="sample-rate" type="number" min={0} max={100} value={draft.samplePercent} onChange={num('samplePercent')} />
              </div>
            )}
            <div className="field">
              <label htmlFor="deadline-days">{t('create.deadlineDays')}</label>
              <input id="deadline-days" type="number" min={1} max={14} value={draft.deadlineDays} onChange={num('deadlineDays')} />
            </div>
          </div>
        </fieldset>

        <fieldset className="card">
          <legend>{t('create.payAndTime')}</legend>
          <div className="form-grid">
            <div className="field">
              <label htmlFor="currency">{t('create.currency')}</label>
              <select
                id="currency"
                value={draft.currency}
                onChange={(e) => {
                  const currency = e.target.value;
                  setDraft((d) => d && { ...d, currency, piece: pieceFor(d.estimatedSeconds, currency) });
                }}
              >
                {CURRENCIES.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="piece">{t('create.piece')}</label>
              <input id="piece" inputMode="decimal" value={draft.piece} onChange={(e) => set('piece', e.target.value)} dir="ltr" aria-invalid={pieceMinor === undefined} />
            </div>
            <div className="field">
              <label htmlFor="estimate">{t('create.estimateSeconds')}</label>
              <input id="estimate" type="number" min={1} max={86400} value={draft.estimatedSeconds} onChange={num('estimatedSeconds')} />
            </div>
            <div className="field">
              <label htmlFor="lease">{t('create.leaseSeconds')}</label>
              <input id="lease" type="number" min={30} max={86400} value={draft.leaseSeconds} onChange={num('leaseSeconds')} />
            </div>
            <div className="field">
              <label htmlFor="grace">{t('create.graceSeconds')}</label>
              <input id="grace" type="number" min={60} max={1200} value={draft.idleGraceSeconds} onChange={num('idleGraceSeconds')} />
            </div>
          </div>
          <p className="note" aria-live="polite" data-testid="implied-hourly">
            {hourlyMinor !== undefined
              ? t('create.impliedHourly', {
                  piece: formatMoney(pieceMinor ?? 0, draft.currency, i18n.language),
                  time: formatDuration(draft.estimatedSeconds, i18n.language),
                  hourly: formatMoney(hourlyMinor, draft.currency, i18n.language),
                })
              : t('create.pieceRule')}
          </p>
        </fieldset>

        <fieldset className="card">
          <legend>{t('create.workers')}</legend>
          <fieldset className="plain">
            <legend>{t('create.languages')}</legend>
            <p className="help">{t('create.languagesHelp')}</p>
            <div className="checks">
              {LOCALES.map((l) => (
                <label key={l} className="check" lang={l}>
                  <input
                    type="checkbox"
                    checked={draft.languages.includes(l)}
                    onChange={(e) => set('languages', e.target.checked ? [...draft.languages, l] : draft.languages.filter((x) => x !== l))}
                  />
                  {LOCALE_NAMES[l]}
                </label>
              ))}
            </div>
          </fieldset>
          <div className="field">
            <label htmlFor="warnings">{t('create.warnings')}</label>
            <input id="warnings" value={draft.warnings} onChange={(e) => set('warnings', e.target.value)} aria-describedby="warnings-help" dir="auto" />
            <p id="warnings-help" className="help">
              {t('create.warningsHelp')}
            </p>
          </div>
          <label className="check">
            <input type="checkbox" checked={draft.openNow} onChange={(e) => set('openNow', e.target.checked)} />
            {t('create.openNow')}
          </label>
        </fieldset>

        {problem && (
          <p className="note note-error" role="alert">
            {problem}
          </p>
        )}
        <ErrorNote error={error} />
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={busy} data-testid="create-project">
            {busy ? t('create.creating') : t('create.submit')}
          </button>
        </div>
      </form>
    </section>
  );
}
