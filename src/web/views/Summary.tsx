/*
 * An answer in words, for gold feedback and for reviewers: what was chosen, marked or written,
 * never raw JSON unless the type is unknown.
 */
import { useTranslation } from 'react-i18next';
import { formatNumber, formatPercent } from '../format.ts';
import { codePointSlice } from '../../shared/task-types.ts';
import { categoriesOf } from '../work.ts';

type R = Record<string, unknown>;

export function AnswerSummary({ type, params, response }: { type: string; params: R; response: R | null | undefined }) {
  const { t, i18n } = useTranslation();
  const locale = i18n.language;
  if (!response) return <span className="muted">{t('common.none')}</span>;
  const json = <code className="summary-json">{JSON.stringify(response)}</code>;
  switch (type) {
    case 'categorization': {
      const c = categoriesOf(response);
      return c ? <span dir="auto">{c.join(', ')}</span> : json;
    }
    case 'rating': {
      const ratings = (response.ratings ?? {}) as Record<string, number>;
      return (
        <span className="summary-list">
          {Object.entries(ratings).map(([k, v]) => (
            <span key={k}>
              <span dir="auto">{k}</span>: <strong>{formatNumber(v, locale)}</strong>
            </span>
          ))}
        </span>
      );
    }
    case 'textcollection': {
      const fields = (params.fields as { field_id: string; title: string }[] | undefined) ?? [];
      const a = (response.annotations ?? {}) as Record<string, { response: unknown }>;
      return (
        <span className="summary-list">
          {Object.entries(a).map(([k, v]) => (
            <span key={k}>
              <span dir="auto">{fields.find((f) => f.field_id === k)?.title ?? k}</span>:{' '}
              <strong dir="auto">{typeof v.response === 'boolean' ? (v.response ? t('views.yes') : t('views.no')) : String(v.response)}</strong>
            </span>
          ))}
        </span>
      );
    }
    case 'comparison': {
      const order = (response.display_order as string[] | undefined) ?? [];
      const name = (id: string) => {
        const at = order.indexOf(id);
        return at >= 0 ? t('views.summary.responseShown', { id, side: at === 0 ? t('views.summary.left') : t('views.summary.right') }) : id;
      };
      const w = String(response.winner ?? '');
      const criteria = (response.criteria ?? {}) as Record<string, string>;
      return (
        <span className="summary-list">
          <span>
            {t('views.summary.winner')}: <strong>{w === 'tie' ? t('views.comparison.tie') : w === 'both_bad' ? t('views.comparison.bothBad') : name(w)}</strong>
            {typeof response.strength === 'number' && ` (${t('views.comparison.strength')}: ${formatNumber(response.strength, locale)})`}
          </span>
          {Object.entries(criteria).map(([c, v]) => (
            <span key={c}>
              <span dir="auto">{c}</span>: {v === 'tie' ? t('views.comparison.tie') : name(v)}
            </span>
          ))}
          {typeof response.rationale === 'string' && <span dir="auto">“{response.rationale}”</span>}
        </span>
      );
    }
    case 'ranking': {
      const groups = (response.ranking as string[][] | undefined) ?? [];
      return <span dir="ltr">{groups.map((g) => g.join(' = ')).join(' > ')}</span>;
    }
    case 'binaryfeedback':
      return (
        <span className="summary-list">
          <strong>{response.label ? `👍 ${t('views.binary.good')}` : `👎 ${t('views.binary.bad')}`}</strong>
          {typeof response.reason === 'string' && <span dir="auto">“{response.reason}”</span>}
        </span>
      );
    case 'sft': {
      const text = (response.completion as { content: string }[] | undefined)?.map((m) => m.content).join('\n\n') ?? '';
      return (
        <span className="summary-text" dir="auto">
          {text}
        </span>
      );
    }
    case 'rubric': {
      const c = (response.criteria ?? {}) as Record<string, { score?: number; not_applicable?: boolean; justification?: string }>;
      return (
        <span className="summary-list">
          {Object.entries(c).map(([id, m]) => (
            <span key={id}>
              <span dir="auto">{id}</span>: <strong>{m.not_applicable ? t('views.rubric.notApplicable') : formatNumber(m.score ?? 0, locale)}</strong>
              {m.justification && <span dir="auto"> — {m.justification}</span>}
            </span>
          ))}
          {typeof response.percentage === 'number' && (
            <span>
              {t('views.rubric.total')}: {formatNumber(Number(response.total_score ?? 0), locale)} · {formatPercent(response.percentage / 100, locale)}
            </span>
          )}
        </span>
      );
    }
    case 'refusalaudit': {
      const flags = (response.flags as string[] | undefined) ?? [];
      return (
        <span className="summary-list">
          <strong>{t(`views.refusal.labels.${String(response.label)}.name`, { defaultValue: String(response.label) })}</strong>
          {flags.length > 0 && <span>{flags.map((f) => t(`views.refusal.flagNames.${f}`, { defaultValue: f })).join(', ')}</span>}
          {typeof response.notes === 'string' && <span dir="auto">“{response.notes}”</span>}
        </span>
      );
    }
    case 'namedentityrecognition': {
      const spans = (response.spans as { start: number; end: number; label: string; text?: string }[] | undefined) ?? [];
      if (spans.length === 0) return <span className="muted">{t('views.ner.none')}</span>;
      const text = String(params.text ?? '');
      return (
        <span className="summary-list">
          {spans.map((s) => (
            <span key={`${s.start}-${s.end}-${s.label}`}>
              <strong dir="auto">{s.label}</strong>: <span dir="auto">“{s.text ?? codePointSlice(text, s.start, s.end)}”</span>{' '}
              <span className="muted small" dir="ltr">
                [{s.start}, {s.end})
              </span>
            </span>
          ))}
        </span>
      );
    }
    case 'imageannotation': {
      const shapes = (response.annotations as { label: string; type: string }[] | undefined) ?? [];
      if (shapes.length === 0) return <span className="muted">{t('views.image.none')}</span>;
      const counts = new Map<string, number>();
      for (const s of shapes) counts.set(`${s.label} (${s.type === 'box' ? t('views.image.box') : t('views.image.polygon')})`, (counts.get(`${s.label} (${s.type === 'box' ? t('views.image.box') : t('views.image.polygon')})`) ?? 0) + 1);
      return (
        <span className="summary-list">
          {[...counts].map(([k, n]) => (
            <span key={k}>
              <span dir="auto">{k}</span> × {formatNumber(n, locale)}
            </span>
          ))}
        </span>
      );
    }
    default:
      return json;
  }
}
