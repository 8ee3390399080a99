/**
 * @module The ReplicationController controller ("replicationcontroller-controller"): the
 * ReplicaSet engine over core/v1 ReplicationControllers, as upstream runs the ReplicaSet code
 * through a conversion adapter. The only difference that matters here is the selector, a
 * plain label map (an empty one means "the template's labels", which defaulting fills in).
 */
import type { ReplicationController } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/object.ts';
import { refs } from '../client/refs.ts';
import { nothingSelector, selectorFromSet } from '../machinery/labels.ts';
import type { ControllerContext } from './framework/controller.ts';
import { ReplicaSetEngine, type ReplicaSetKind, type ReplicaSetLike } from './replicaset.ts';

type RC = ReplicationController & KubeObject & ReplicaSetLike;

export const replicationControllerKind: ReplicaSetKind<RC> = {
  controllerName: 'replicationcontroller-controller',
  ref: refs.replicationcontrollers,
  gvk: { apiVersion: 'v1', kind: 'ReplicationController' },
  // An RC with no selector selects nothing rather than everything (labels.SelectorFromSet of
  // an empty map would be Everything, which upstream never lets through validation).
  selector: (rc) => (Object.keys(rc.spec?.selector ?? {}).length ? selectorFromSet(rc.spec?.selector) : nothingSelector()),
};

export class ReplicationControllerController extends ReplicaSetEngine<RC> {
  constructor(ctx: ControllerContext) {
    super(ctx, replicationControllerKind);
  }
}
