import { bruteForceDecider, IpBlockedError, type BruteForceEvent } from '../../core/auth0/bruteForceDecider.js';
import { spec } from '../support/givenWhenThen.js';

const t0 = new Date('2026-11-22T10:00:00.000Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);
const failedAt = (s: number, consecutive: number): BruteForceEvent => ({
  type: 'LoginFailedFromIp',
  data: { consecutive, at: at(s).toISOString() },
});

describe('brute-force protection decider (Auth0)', () => {
  const bf = spec(bruteForceDecider);
  const fail = (s: number) => ({ type: 'RecordLoginFailure' as const, now: at(s), limit: 10, blockMinutes: 60 });
  const nine = Array.from({ length: 9 }, (_, i) => failedAt(i, i + 1));

  it('counts consecutive failures', () => {
    bf.given([failedAt(0, 1)])
      .when(fail(1))
      .then([failedAt(1, 2)]);
  });

  it('blocks the IP for the user on the tenth consecutive failure', () => {
    bf.given(nine)
      .when(fail(10))
      .then([
        failedAt(10, 10),
        { type: 'IpBlockedForUser', data: { until: at(10 + 3600).toISOString(), failures: 10, at: at(10).toISOString() } },
      ]);
  });

  it('refuses while blocked, and lets the block lift', () => {
    const block: BruteForceEvent = {
      type: 'IpBlockedForUser',
      data: { until: at(3600).toISOString(), failures: 10, at: t0.toISOString() },
    };
    bf.given([...nine, block])
      .when({ type: 'CheckIp', now: at(60) })
      .then(IpBlockedError);
    bf.given([...nine, block])
      .when({ type: 'CheckIp', now: at(3600) })
      .then([]);
  });

  it('lets an admin lift a block at once, and does nothing when there is none', () => {
    const block: BruteForceEvent = {
      type: 'IpBlockedForUser',
      data: { until: at(3600).toISOString(), failures: 10, at: t0.toISOString() },
    };
    const lifted: BruteForceEvent = { type: 'IpUnblockedForUser', data: { at: at(60).toISOString() } };
    bf.given([...nine, block])
      .when({ type: 'UnblockIp', now: at(60) })
      .then([lifted]);
    bf.given([...nine, block, lifted])
      .when({ type: 'CheckIp', now: at(61) })
      .then([]);
    bf.given(nine)
      .when({ type: 'UnblockIp', now: at(60) })
      .then([]);
  });

  it('a success resets the count', () => {
    bf.given(nine)
      .when({ type: 'RecordLoginSuccess', now: at(20) })
      .then([{ type: 'LoginSucceededFromIp', data: { at: at(20).toISOString() } }]);
    bf.given([...nine, { type: 'LoginSucceededFromIp', data: { at: at(20).toISOString() } }])
      .when(fail(21))
      .then([failedAt(21, 1)]);
  });
});
