import { describe, expect, it } from 'vitest';
import { disputeCheckDue } from './gold-quarantine.ts';

describe('disputeCheckDue', () => {
  it('re-checks a gold item at every one of its first 127 answers', () => {
    for (let n = 1; n < 128; n++) expect(disputeCheckDue(n), `answer ${n}`).toBe(true);
  });

  it('reads fewer than 128 answers per answer on average, and lets no item grow by more than 1/64 unchecked, up to a million answers', () => {
    let rowsRead = 0;
    let lastChecked = 0;
    let widestGap = 0; // answers between two checks, as a share of the item's answers at the first
    for (let n = 1; n <= 1_000_000; n++) {
      if (!disputeCheckDue(n)) continue;
      rowsRead += n; // the check reads every answer the item has
      if (lastChecked > 0) widestGap = Math.max(widestGap, (n - lastChecked - 1) / lastChecked);
      lastChecked = n;
    }
    expect(rowsRead / 1_000_000).toBeLessThan(128);
    expect(widestGap).toBeLessThanOrEqual(1 / 64);
    // The spacing at a large crowd, as the comment says: every 2nd from 128, every 4th from 256.
    expect([128, 129, 130, 256, 258, 260].map(disputeCheckDue)).toEqual([true, false, true, true, false, true]);
  });
});
