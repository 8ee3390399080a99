/**
 * @module Carries out a DaemonSet plan (upstream syncNodes): records expectations first, then
 * creates pods pinned to their nodes in slow-start batches (1, 2, 4, … so a failing create —
 * quota, admission — fails once, not hundreds of times) and deletes pods, with the pod
 * control's SuccessfulCreate / FailedCreate / SuccessfulDelete / FailedDelete events.
 */
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { isNotFound } from '../../machinery/status.ts';
import type { EventRecorder } from '../../client/events/recorder.ts';
import { refs } from '../../client/refs.ts';
import type { Client } from '../../client/rest.ts';
import type { Expectations } from '../framework/expectations.ts';
import { newControllerRef } from '../framework/owner.ts';
import { daemonPodTemplate, templateGeneration, type P } from './pods.ts';
import { daemonSetKind } from './revisions.ts';
import { pinToNode } from './should-run.ts';

type DS = DaemonSet & KubeObject;

/** Upstream's burstReplicas: at most this many creations or deletions per pass. */
export const burstReplicas = 250;

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export async function syncNodes(
  deps: { client: Client; recorder: EventRecorder; expectations: Expectations },
  key: string,
  ds: DS,
  podsToDelete: readonly string[],
  nodesNeedingPods: readonly string[],
  hash: string,
): Promise<void> {
  const { client, recorder, expectations } = deps;
  const pods = client.resource<P>(refs.pods);
  const ns = ds.metadata?.namespace;
  const creates = nodesNeedingPods.slice(0, burstReplicas);
  const deletes = podsToDelete.slice(0, burstReplicas);
  expectations.expect(key, creates.length, deletes.length);
  const errors: unknown[] = [];

  const template = daemonPodTemplate(ds.spec?.template, templateGeneration(ds), hash);
  const createOne = async (node: string) => {
    const pod: P = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        ...structuredClone(template.metadata ?? {}),
        name: undefined,
        generateName: `${ds.metadata?.name}-`,
        namespace: ns,
        ownerReferences: [newControllerRef(ds, daemonSetKind)],
      },
      spec: { ...structuredClone(template.spec!), affinity: pinToNode(template.spec?.affinity, node) },
    };
    try {
      const created = await pods.create(pod, ns);
      recorder.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name}`);
    } catch (err) {
      expectations.creationObserved(key);
      recorder.event(ds, 'Warning', 'FailedCreate', `Error creating: ${errorText(err)}`);
      errors.push(err);
    }
  };
  for (let pos = 0, batch = Math.min(creates.length, 1); pos < creates.length; pos += batch, batch = Math.min(2 * batch, creates.length - pos)) {
    const before = errors.length;
    await Promise.all(creates.slice(pos, pos + batch).map(createOne));
    if (errors.length > before) {
      // Skipped creations will never be observed: stop expecting them.
      for (let i = pos + batch; i < creates.length; i++) expectations.creationObserved(key);
      break;
    }
  }

  await Promise.all(
    deletes.map(async (name) => {
      try {
        await pods.delete(name, { namespace: ns });
        recorder.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
      } catch (err) {
        expectations.deletionObserved(key);
        if (isNotFound(err)) return;
        recorder.event(ds, 'Warning', 'FailedDelete', `Error deleting: ${errorText(err)}`);
        errors.push(err);
      }
    }),
  );
  if (errors.length) throw errors[0];
}
