/**
 * @module The pods-by-node index the node controllers share on the pods informer.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';

export const podsByNodeIndex = 'node-lifecycle/spec.nodeName';
export const podNodeName = (p: Pod & KubeObject): string[] => (p.spec?.nodeName ? [p.spec.nodeName] : []);
