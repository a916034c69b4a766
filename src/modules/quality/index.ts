export { accuracyEstimate } from './beta.ts';
export { type GoldScore, scoreGold } from './gold-scoring.ts';
export { type AnswerDecision, applyDecision, currentResult, decideAfterAnswer, skillOf } from './quality.service.ts';
export { reestimateDueProjects, reestimateProject } from './reestimate.job.ts';
export { qualityRoutes } from './quality.routes.ts';
export { acceptOverdueReviews, decideReview, reviewQueue } from './review.service.ts';
export { aggregateTask, categoricalView, type TaskResult } from './task-result.ts';
export { quarantineIfDisputed } from './gold-quarantine.ts';
