/**
 * Acceptance for image pulls as the kubelet reports them (upstream `images/image_manager.go`):
 * a missing tag is `ErrImagePull` and then `ImagePullBackOff` in `kubectl get pod` with the
 * `Failed` / `BackOff` events; `imagePullPolicy: Never` without the image is
 * `ErrImageNeverPull`; `IfNotPresent` reuses a present image while `Always` pulls again.
 * Real kubectl, the runc runtime, images in the built-in registry (needs root, runc, skopeo).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runcSkipReason } from '../support/busybox-image.ts';
import { eventually } from '../support/kubectl.ts';
import { startRuncCluster, type RuncCluster } from '../support/runc-cluster.ts';
import type { TestCluster } from '../support/server.ts';

const skip = runcSkipReason();

interface Ev {
  reason?: string;
  message?: string;
  type?: string;
}

describe('image pull errors on runc', { skip }, () => {
  let env: RuncCluster;
  let c: TestCluster;
  let registry: string;

  const pod = (name: string, image: string, imagePullPolicy?: string) =>
    c.kubectl.ok(['apply', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'main', image, imagePullPolicy, command: ['sleep', '3600'] }] } }),
    });
  const status = async (name: string) => (await c.kubectl.ok(['get', 'pod', name, '--no-headers'])).trim().split(/\s+/)[2];
  const events = async (name: string): Promise<Ev[]> =>
    (JSON.parse(await c.kubectl.ok(['get', 'events', '--field-selector', `involvedObject.name=${name}`, '-o', 'json'])) as { items: Ev[] }).items;

  before(async () => {
    env = await startRuncCluster({ nodeName: 'skiff-runc-pull', bridge: 'skrpull0', clusterCidr: '10.62.0.0/16' });
    c = env.cluster;
    registry = c.server.registry.address!;
  });
  after(async () => {
    await env?.stop();
  });

  it('a missing tag is ErrImagePull, then ImagePullBackOff, with Failed and BackOff events', async () => {
    const image = `${registry}/busybox:no-such-tag`;
    await pod('missing', image);
    const seen = new Set<string>();
    await eventually(async () => {
      const s = await status('missing');
      if (s) seen.add(s);
      return seen.has('ImagePullBackOff') ? true : undefined;
    }, 40_000, 'ImagePullBackOff in the STATUS column');
    const evs = await eventually(async () => {
      const e = await events('missing');
      return e.some((x) => x.reason === 'BackOff') && e.some((x) => x.reason === 'Failed') ? e : undefined;
    }, 20_000, 'Failed and BackOff events');
    const failed = evs.find((x) => x.reason === 'Failed' && x.message?.startsWith('Failed to pull'))!;
    assert.equal(failed.type, 'Warning');
    assert.ok(failed.message?.startsWith(`Failed to pull image "${image}"`), failed.message);
    assert.equal(evs.find((x) => x.reason === 'BackOff')!.message, `Back-off pulling image "${image}"`);
    const waiting = JSON.parse(await c.kubectl.ok(['get', 'pod', 'missing', '-o', 'jsonpath={.status.containerStatuses[0].state.waiting}'])) as { reason: string };
    assert.ok(['ErrImagePull', 'ImagePullBackOff'].includes(waiting.reason), waiting.reason);
    // The first failed attempt shows as ErrImagePull until the next sync (about a second here,
    // so a slow poll may miss it in the STATUS column); upstream's events record both.
    await eventually(async () => {
      const errors = (await events('missing')).filter((x) => x.reason === 'Failed').map((x) => x.message);
      return errors.includes('Error: ErrImagePull') && errors.includes('Error: ImagePullBackOff') ? true : undefined;
    }, 20_000, 'the Error: ErrImagePull and Error: ImagePullBackOff events');
    await c.kubectl.ok(['delete', 'pod', 'missing', '--timeout=60s']);
  });

  it('imagePullPolicy Never without the image is ErrImageNeverPull', async () => {
    await pod('never', `${registry}/busybox:not-pulled`, 'Never');
    await eventually(async () => (await status('never')) === 'ErrImageNeverPull', 30_000, 'ErrImageNeverPull');
    const e = await eventually(async () => (await events('never')).find((x) => x.reason === 'ErrImageNeverPull'), 10_000, 'the event');
    assert.equal(e.message, `Container image "${registry}/busybox:not-pulled" is not present with pull policy of Never`);
    await c.kubectl.ok(['delete', 'pod', 'never', '--timeout=60s']);
  });

  it('IfNotPresent reuses a present image, Always pulls it again', async () => {
    const image = `${registry}/busybox:1.36`;
    await pod('first', image, 'IfNotPresent');
    await c.kubectl.ok(['wait', '--for=condition=Ready', 'pod/first', '--timeout=60s']);
    await pod('again', image, 'IfNotPresent');
    await pod('always', image, 'Always');
    await c.kubectl.ok(['wait', '--for=condition=Ready', 'pod/again', 'pod/always', '--timeout=60s']);
    const again = await eventually(async () => (await events('again')).find((x) => x.reason === 'Pulled'), 10_000, 'Pulled event');
    assert.equal(again.message, `Container image "${image}" already present on machine`);
    const always = await eventually(async () => (await events('always')).find((x) => x.reason === 'Pulled'), 10_000, 'Pulled event');
    assert.match(always.message ?? '', /^Successfully pulled image ".*" in [\d.]+s/);
    assert.ok((await events('always')).some((x) => x.reason === 'Pulling'));
    await c.kubectl.ok(['delete', 'pod', 'first', 'again', 'always', '--timeout=60s']);
  });
});
