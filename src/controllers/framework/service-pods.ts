/**
 * @module The wiring the Endpoints and EndpointSlice controllers share: a Service is queued
 * when it changes, and when a pod its selector matches is added, changed (before and after)
 * or deleted. Services without a selector (manual endpoints) are never queued for pods.
 */
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import type { Informer } from '../../client/cache/informer.ts';
import { keyOf } from '../../client/refs.ts';
import { selectorFromSet } from '../../machinery/labels.ts';

type S = Service & KubeObject;
type P = Pod & KubeObject;

export function enqueueServicesOfPods(services: Informer<S>, pods: Informer<P>, enqueue: (key: string) => void): void {
  const enqueueSvc = (s: S) => enqueue(keyOf(s));
  services.addEventHandler({ onAdd: enqueueSvc, onUpdate: (_o, n) => enqueueSvc(n), onDelete: enqueueSvc });
  const enqueueFor = (p: P) => {
    for (const s of services.store.byIndex('namespace', p.metadata?.namespace ?? ''))
      if (s.spec?.selector && Object.keys(s.spec.selector).length && selectorFromSet(s.spec.selector).matches(p.metadata?.labels ?? {}))
        enqueue(keyOf(s));
  };
  pods.addEventHandler({
    onAdd: enqueueFor,
    onUpdate: (o, n) => {
      enqueueFor(o);
      enqueueFor(n);
    },
    onDelete: enqueueFor,
  });
}
