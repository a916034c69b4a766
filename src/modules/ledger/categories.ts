/**
 * Time categories (FAIRWORK "Time"). Counted task time and pre-work are always paid; long idle is
 * recorded and never paid; search and a voluntary break are recorded and unpaid unless a rate card
 * chooses to pay them.
 */
export const TIME_CATEGORIES = ['task_active', 'short_idle', 'long_idle', 'instructions', 'qualification', 'training', 'review_rework', 'search', 'break'] as const;
export type TimeCategory = (typeof TIME_CATEGORIES)[number];

/** Paid under every rate card: a card that leaves one out is refused (FAIRWORK rule 3). */
export const ALWAYS_PAID: readonly TimeCategory[] = ['task_active', 'short_idle', 'instructions', 'qualification', 'training', 'review_rework'];
/** A card may add these to what it pays. */
export const OPTIONALLY_PAID: readonly TimeCategory[] = ['search', 'break'];
/** Categories an activity session (time outside a task) can record. */
export const ACTIVITY_CATEGORIES = ['instructions', 'qualification', 'training', 'review_rework', 'search', 'break'] as const;
export type ActivityCategory = (typeof ACTIVITY_CATEGORIES)[number];

export function isPaidCategory(category: string, paidCategories: readonly string[]): boolean {
  if (category === 'long_idle') return false;
  return (ALWAYS_PAID as readonly string[]).includes(category) || paidCategories.includes(category);
}
