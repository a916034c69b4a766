// The only door into label aggregation: pure functions over plain arrays, no I/O, no database.
export type { Answer, CategoricalResult, Method } from './types.ts';
export { majorityVote, type MajorityVoteOptions } from './majority-vote.ts';
export { weightedMajority } from './weighted-majority.ts';
export { dawidSkene, type DawidSkeneOptions } from './dawid-skene.ts';
export { oneCoinDawidSkene, type OneCoinOptions } from './one-coin.ts';
export { glad, type GladOptions } from './glad.ts';
export { wawa } from './wawa.ts';
export { aggregate, isMethod, DEFAULT_METHOD, METHODS, type AggregateOptions } from './aggregate.ts';
export {
  dynamicOverlapDecision,
  posteriorFromSkills,
  type OverlapDecision,
  type OverlapPolicy,
  type SkillPosteriorOptions,
} from './dynamic-overlap.ts';
export { aggregateMultiLabel, type MultiLabelAnswer, type MultiLabelResult } from './multi-label.ts';
export { aggregateRatings, type RatingAnswer, type RatingSummary } from './ratings.ts';
export { voteSpansExact, voteSpansByToken, type Span, type SpanAnswer, type TextUnit, type VotedSpan } from './spans.ts';
export { aggregateBoxes, iou, type AggregatedBox, type Box, type BoxAnswer } from './boxes.ts';
export { aggregateComparisons, type ComparisonAnswer, type ComparisonResult } from './comparison.ts';
export { createPrng, shuffleInPlace, type Prng } from './prng.ts';
// Low level, for callers that fit large sets repeatedly (the benchmark, background jobs): encode once,
// then fit on integer ids.
export { encodeAnswers, type EncodedAnswers } from './encode.ts';
export { fitDawidSkene, type DawidSkeneFit } from './dawid-skene.ts';
export { simulateCrowd, type SimulatedCrowd, type SimulationOptions } from './synthetic.ts';
