/**
 * @module Pod strategy: spec defaults, phase Pending and QoS class on create, the spec
 * immutability rules of updates, graceful deletion and field selectors.
 */
import type { Pod, PodSpec } from 'kubernetes-types/core/v1.js';
import { forbidden, type FieldError } from '../../../api/field-error.ts';
import type { KubeObject } from '../../../api/object.ts';
import { defaultPodSpec, defaultRequestsFromLimits } from '../../../api/defaults/pod-spec.ts';
import { validatePodSpec } from '../../../api/validation/pod-spec.ts';
import type { Strategy } from '../strategy.ts';
import { computePodQOS } from '../../../api/qos.ts';
import { coreInfo } from './info.ts';
import { podCells, podColumns } from './pod-table.ts';

type P = Pod & KubeObject;

/** What an update may change in a pod spec (upstream ValidatePodUpdate). */
function mutablePart(spec: PodSpec | undefined): string {
  const s = JSON.parse(JSON.stringify(spec ?? {})) as Record<string, unknown> & { containers?: { image?: string }[]; initContainers?: { image?: string }[] };
  for (const c of [...(s.containers ?? []), ...(s.initContainers ?? [])]) delete c.image;
  delete s.activeDeadlineSeconds;
  delete s.tolerations;
  delete s.terminationGracePeriodSeconds;
  return JSON.stringify(s);
}

export const pods: Strategy<P> = {
  info: coreInfo('pods'),
  defaults(pod) {
    if (!pod.spec) return;
    defaultPodSpec(pod.spec);
    defaultRequestsFromLimits(pod.spec);
  },
  prepareForCreate(pod) {
    // Upstream decodes (defaults) before PrepareForCreate; here defaults run after, so the
    // class is computed with requests already defaulted from limits.
    if (pod.spec) defaultRequestsFromLimits(pod.spec);
    (pod as KubeObject).status = { phase: 'Pending', qosClass: computePodQOS(pod) };
  },
  validate: (pod) => validatePodSpec(pod.spec, 'spec'),
  validateUpdate(pod, old) {
    const errs: FieldError[] = [];
    if (mutablePart(pod.spec) !== mutablePart(old.spec))
      errs.push(
        forbidden(
          'spec',
          'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
        ),
      );
    return errs;
  },
  table: { columns: podColumns, cells: podCells },
  fieldSelectors: {
    'spec.nodeName': (p) => p.spec?.nodeName ?? '',
    'spec.restartPolicy': (p) => p.spec?.restartPolicy,
    'spec.schedulerName': (p) => p.spec?.schedulerName,
    'spec.serviceAccountName': (p) => p.spec?.serviceAccountName ?? '',
    'spec.hostNetwork': (p) => String(p.spec?.hostNetwork ?? false),
    'status.phase': (p) => p.status?.phase,
    'status.podIP': (p) => p.status?.podIP ?? '',
    'status.nominatedNodeName': (p) => p.status?.nominatedNodeName ?? '',
  },
  defaultGracePeriodSeconds(pod) {
    // An unscheduled or finished pod has nothing to stop: it goes at once.
    if (!pod.spec?.nodeName) return 0;
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return 0;
    return pod.spec.terminationGracePeriodSeconds ?? 30;
  },
};
