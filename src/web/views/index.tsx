/*
 * One view per task type, chosen by the task's type. Image annotation lives in a chunk of its own
 * (React.lazy), so a worker on text tasks never downloads it.
 */
import { type ComponentType, lazy, Suspense } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { Loading } from '../components/Bits.tsx';
import { BinaryFeedbackView } from './BinaryFeedbackView.tsx';
import { CategorizationView } from './CategorizationView.tsx';
import { ComparisonView } from './ComparisonView.tsx';
import { NerView } from './NerView.tsx';
import { RankingView } from './RankingView.tsx';
import { RatingView } from './RatingView.tsx';
import { RefusalAuditView } from './RefusalAuditView.tsx';
import { RubricView } from './RubricView.tsx';
import { SftView } from './SftView.tsx';
import { TextCollectionView } from './TextCollectionView.tsx';
import type { KeyHelp, ViewProps } from './types.ts';

const ImageView = lazy(() => import('./ImageView.tsx'));

/** Starts downloading the image view early (when an image task was claimed), so it shows at once. */
export function preloadView(type: string): void {
  if (type === 'imageannotation') void import('./ImageView.tsx');
}

const VIEWS: Record<string, ComponentType<ViewProps>> = {
  categorization: CategorizationView,
  rating: RatingView,
  textcollection: TextCollectionView,
  comparison: ComparisonView,
  ranking: RankingView,
  binaryfeedback: BinaryFeedbackView,
  sft: SftView,
  rubric: RubricView,
  refusalaudit: RefusalAuditView,
  namedentityrecognition: NerView,
  imageannotation: ImageView,
};

/** True when the workbench has a view for this type. */
export function hasView(type: string): boolean {
  return type in VIEWS;
}

/** The view of the task's type (with a loading note while a lazy one arrives). */
export function TaskView(props: ViewProps) {
  const { t } = useTranslation();
  const View = VIEWS[props.task.type];
  if (!View) return <p className="note">{t('work.unsupported', { type: t(`types.${props.task.type}.title`, { defaultValue: props.task.type }) })}</p>;
  return (
    <Suspense fallback={<Loading />}>
      <View {...props} />
    </Suspense>
  );
}

/** The keys of a type's view, for the "?" list (the shell adds Enter, S, ? and Esc). */
export function viewKeyHelp(type: string, t: TFunction, params: Record<string, unknown>): KeyHelp[] {
  switch (type) {
    case 'categorization':
      return [['1 … 9', t('shortcuts.choose')]];
    case 'rating':
      return [
        ['0 … 9', t('views.rating.keyRate')],
        ['↑ ↓', t('views.keyRows')],
        ['← →', t('views.rating.keyAdjust')],
      ];
    case 'textcollection':
      return [
        ['Tab', t('views.form.keyNext')],
        ['1 … 9', t('views.form.keyChoose')],
      ];
    case 'comparison':
      return [
        ['A', t('views.comparison.better', { side: 'A' })],
        ['B', t('views.comparison.better', { side: 'B' })],
        ...(params.allow_tie !== false ? ([['T', t('views.comparison.tie')]] as KeyHelp[]) : []),
        ...(params.allow_both_bad ? ([['X', t('views.comparison.bothBad')]] as KeyHelp[]) : []),
        ['1 … 9', t('views.comparison.strength')],
        ['↑ ↓', t('views.keyRows')],
        ['R', t('views.comparison.rationale')],
      ];
    case 'ranking':
      return [
        ['↑ ↓', t('views.ranking.keySelect')],
        ['1 … 9', t('views.ranking.keySelect')],
        ['Shift+↑ ↓', t('views.ranking.keyMove')],
        ...(params.allow_ties ? ([['T', t('views.ranking.keyTie')]] as KeyHelp[]) : []),
      ];
    case 'binaryfeedback':
      return [
        ['Y / 1', t('views.binary.good')],
        ['N / 2', t('views.binary.bad')],
        ['R', t('views.binary.reason')],
      ];
    case 'sft':
      return [
        ['E', t('views.sft.keyEdit')],
        ['P', t('views.sft.keyPreview')],
      ];
    case 'rubric':
      return [
        ['0 … 9', t('views.rubric.keyScore')],
        ['N', t('views.rubric.notApplicable')],
        ['J', t('views.rubric.keyJustify')],
        ['↑ ↓', t('views.keyRows')],
      ];
    case 'refusalaudit':
      return [
        ['1 … 9', t('views.refusal.keyLabel')],
        ['Shift+1 … 5', t('views.refusal.keyFlag')],
        ['N', t('views.refusal.notes')],
      ];
    case 'namedentityrecognition':
      return [
        ['← →', t('views.ner.keyCaret')],
        ['Shift+← →', t('views.ner.keySelect')],
        ['Alt+← →', t('views.ner.keyWord')],
        ['1 … 9', t('views.ner.keyLabel')],
        ['Del', t('views.ner.keyRemove')],
        ['Esc', t('views.ner.keyClear')],
      ];
    case 'imageannotation':
      return [
        ['B / P / V', t('views.image.keyTools')],
        ['1 … 9', t('views.image.keyLabel')],
        ['N', t('views.image.keyNew')],
        ['← ↑ → ↓', t('views.image.keyMove')],
        ['Shift+←↑→↓', t('views.image.keyMoveFast')],
        ['Alt+←↑→↓', t('views.image.keyResize')],
        ['[ ]', t('views.image.keyCycle')],
        ['Enter', t('views.image.keyClose')],
        ['Esc', t('views.image.keyCancel')],
        ['Del', t('views.image.keyDelete')],
        ['+ / − / 0', t('views.image.keyZoom')],
      ];
    default:
      return [];
  }
}
