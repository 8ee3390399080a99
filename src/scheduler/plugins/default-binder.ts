/**
 * @module DefaultBinder (Bind): writes the decision as a Binding to `pods/NAME/binding`.
 */
import type { CycleState } from '../framework/cycle-state.ts';
import type { Handle } from '../framework/handle.ts';
import type { PodInfo } from '../framework/pod-info.ts';
import { refs } from '../../client/refs.ts';
import { errorStatus, type BindPlugin, type Status } from '../framework/types.ts';

export class DefaultBinder implements BindPlugin {
  static readonly pluginName = 'DefaultBinder';
  readonly name = DefaultBinder.pluginName;

  constructor(private readonly handle: Handle) {}

  async bind(_s: CycleState, pod: PodInfo, nodeName: string): Promise<Status | null> {
    const binding = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: pod.name, namespace: pod.namespace, uid: pod.uid },
      target: { kind: 'Node', name: nodeName },
    };
    try {
      await this.handle.client.resource(refs.pods).createSubresource(pod.name, 'binding', binding, pod.namespace);
      return null;
    } catch (err) {
      return errorStatus(this.name, err);
    }
  }
}
