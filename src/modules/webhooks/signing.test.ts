import { describe, expect, it } from 'vitest';
import { MAX_ATTEMPTS, retryDelayMs, signWebhook, verifyWebhook } from './signing.ts';

describe('webhook signatures', () => {
  // The example from the Standard Webhooks specification's reference implementations.
  it('matches the Standard Webhooks reference example', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const body = '{"test": 2432232314}';
    expect(signWebhook(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, body)).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('verifies its own signatures and refuses tampering and stale timestamps', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const signature = signWebhook(secret, 'id1', 1000, 'body');
    expect(verifyWebhook(secret, { id: 'id1', timestamp: '1000', signature }, 'body', 1010)).toBe(true);
    expect(verifyWebhook(secret, { id: 'id1', timestamp: '1000', signature: `v1,bogus ${signature}` }, 'body', 1010)).toBe(true);
    expect(verifyWebhook(secret, { id: 'id1', timestamp: '1000', signature }, 'body!', 1010)).toBe(false);
    expect(verifyWebhook(secret, { id: 'id2', timestamp: '1000', signature }, 'body', 1010)).toBe(false);
    expect(verifyWebhook(secret, { id: 'id1', timestamp: '1000', signature }, 'body', 5000)).toBe(false);
  });

  it('spreads 20 attempts over about a day', () => {
    let total = 0;
    for (let a = 1; a < MAX_ATTEMPTS; a++) total += retryDelayMs(a, () => 0.5);
    expect(total / 3600_000).toBeGreaterThan(20);
    expect(total / 3600_000).toBeLessThan(26);
    expect(retryDelayMs(1, () => 0)).toBe(4_000);
    expect(retryDelayMs(1, () => 1)).toBe(6_000);
  });
});
