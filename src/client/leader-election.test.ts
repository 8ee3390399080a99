/**
 * Lease leader election between candidates on one real in-process API server: one leader at a
 * time, a clean hand-over on stop, re-acquiring one's own Lease at once, and losing leadership
 * when the Lease is taken.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { KubeObject } from '../api/object.ts';
import { realClock } from '../util/clock.ts';
import { silentLogger } from '../util/log.ts';
import { startInProcessApi, type InProcessApi } from '../../test/support/in-process-api.ts';
import { eventually } from '../../test/support/kubectl.ts';
import { LeaderElector, type LeaderElectionConfig } from './leader-election.ts';
import { refs } from './refs.ts';
import type { Client } from './rest.ts';

type LeaseObject = Lease & KubeObject;

describe('LeaderElector', () => {
  let server: InProcessApi;
  let client: Client;
  const leases = () => client.resource<LeaseObject>(refs.leases);

  before(async () => {
    server = await startInProcessApi({ namespaces: ['kube-system'] });
    client = server.client;
  });
  after(() => server.stop());

  // A long lease, so a hand-over that is quick can only come from the release, not from expiry.
  const elector = (name: string, identity: string, extra: Partial<LeaderElectionConfig> = {}) =>
    new LeaderElector(client, { name, identity, leaseDurationSeconds: 30, renewDeadlineMs: 1000, retryPeriodMs: 50, ...extra }, realClock, silentLogger);

  /** Runs a candidate; records its terms and how many candidates lead at once. */
  function campaign(e: LeaderElector, shared: { leaders: number; maxLeaders: number }) {
    const ctl = new AbortController();
    const state = { terms: 0, leading: false, termEnded: 0 };
    const done = e.lead(ctl.signal, async (leading) => {
      state.terms++;
      state.leading = true;
      shared.leaders++;
      shared.maxLeaders = Math.max(shared.maxLeaders, shared.leaders);
      await new Promise<void>((r) => (leading.aborted ? r() : leading.addEventListener('abort', () => r(), { once: true })));
      shared.leaders--;
      state.leading = false;
      state.termEnded = performance.now();
    });
    return { ctl, state, done };
  }

  it('elects exactly one of two candidates and hands over quickly when the leader stops', async () => {
    const shared = { leaders: 0, maxLeaders: 0 };
    const ea = elector('le-handover', 'a');
    const eb = elector('le-handover', 'b');
    const a = campaign(ea, shared);
    const b = campaign(eb, shared);
    try {
      await eventually(() => shared.leaders === 1, 5000, 'a leader');
      // Let several retry periods pass: the follower must keep following.
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(shared.maxLeaders, 1, 'never two leaders at once');
      assert.equal(ea.isLeader !== eb.isLeader, true, 'exactly one reports isLeader');
      const [leader, follower, followerId] = ea.isLeader ? [a, b, 'b'] : [b, a, 'a'];
      const before = await leases().get('le-handover', 'kube-system');
      assert.equal(before.spec?.holderIdentity, ea.isLeader ? 'a' : 'b');
      assert.equal(before.spec?.leaseDurationSeconds, 30);
      assert.match(before.spec?.renewTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/, 'MicroTime format');

      const stoppedAt = performance.now();
      leader.ctl.abort();
      await leader.done;
      assert.equal(leader.state.leading, false, 'work signal aborted before lead returned');
      await eventually(() => follower.state.leading, 5000, 'follower takes over');
      const handover = performance.now() - stoppedAt;
      assert.ok(handover < 3000, `hand-over took ${handover.toFixed(0)} ms, well under the 30 s lease`);
      assert.equal(shared.maxLeaders, 1);
      const after = await leases().get('le-handover', 'kube-system');
      assert.equal(after.spec?.holderIdentity, followerId);
      assert.equal(after.spec?.leaseTransitions, (before.spec?.leaseTransitions ?? 0) + 1, 'a transition was counted');
    } finally {
      a.ctl.abort();
      b.ctl.abort();
      await Promise.all([a.done, b.done]);
    }
    const released = await leases().get('le-handover', 'kube-system');
    assert.equal(released.spec?.holderIdentity, undefined, 'the last leader released the Lease on stop');
  });

  it('re-acquires its own unexpired Lease at once while others must wait', async () => {
    const first = elector('le-restart', 'me');
    assert.equal(await first.tryAcquireOrRenew(), true, 'creates the Lease');
    // "Crash" (no release), then restart with the same identity.
    const again = elector('le-restart', 'me');
    assert.equal(await again.tryAcquireOrRenew(), true, 'same identity takes its own Lease without waiting');
    assert.equal(await elector('le-restart', 'other').tryAcquireOrRenew(), false, 'another identity waits for expiry');
    const lease = await leases().get('le-restart', 'kube-system');
    assert.equal(lease.spec?.holderIdentity, 'me');
    assert.equal(lease.spec?.leaseTransitions, 0, 're-acquiring is not a transition');
  });

  it('takes over an expired Lease', async () => {
    const old = elector('le-expired', 'old', { leaseDurationSeconds: 1 });
    assert.equal(await old.tryAcquireOrRenew(), true);
    const next = elector('le-expired', 'next');
    assert.equal(await next.tryAcquireOrRenew(), false);
    await eventually(() => next.tryAcquireOrRenew(), 5000, 'takes the Lease once expired');
    const lease = await leases().get('le-expired', 'kube-system');
    assert.equal(lease.spec?.holderIdentity, 'next');
    assert.equal(lease.spec?.leaseTransitions, 1);
  });

  it('stops leading when it cannot renew before the renew deadline', async () => {
    const shared = { leaders: 0, maxLeaders: 0 };
    const e = elector('le-lost', 'victim', { renewDeadlineMs: 600 });
    const c = campaign(e, shared);
    try {
      await eventually(() => c.state.leading, 5000, 'leading');
      // Someone else takes the Lease (an operator, or a candidate with a skewed clock).
      const lease = await leases().get('le-lost', 'kube-system');
      const now = new Date().toISOString().replace('Z', '000Z');
      await leases().update({ ...lease, spec: { ...lease.spec, holderIdentity: 'usurper', renewTime: now } });
      const takenAt = performance.now();
      await eventually(() => c.state.terms >= 1 && !c.state.leading, 5000, 'leadership lost');
      const lostAfter = c.state.termEnded - takenAt;
      // The last renew was at most one retry period (plus a request) before the take-over.
      assert.ok(lostAfter >= 300, `kept trying until the renew deadline, not the first failure (${lostAfter.toFixed(0)} ms)`);
      assert.equal(e.isLeader, false);
    } finally {
      c.ctl.abort();
      await c.done;
    }
    const lease = await leases().get('le-lost', 'kube-system');
    assert.equal(lease.spec?.holderIdentity, 'usurper', 'a candidate that lost does not release what it no longer holds');
  });
});
