/**
 * @module apps/v1 StatefulSets: SetDefaults_StatefulSet, validation, columns and scale.
 */
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import { forbidden, notSupported, required, type FieldError } from '../../../api/field-error.ts';
import type { Mutable } from '../../../api/object.ts';
import { builtinResources, findResource } from '../../../machinery/resources.ts';
import { ageColumn, ageOf, column, nameColumn } from '../printing.ts';
import type { Strategy } from '../strategy.ts';
import { selectorForScale } from './deployment.ts';
import {
  containerImages,
  containerNames,
  containersColumn,
  defaultTemplate,
  imagesColumn,
  jsonEqual,
  nonNegative,
  validateSelectorAndTemplate,
} from './workload.ts';

type SS = Mutable<StatefulSet>;
type Spec = Mutable<NonNullable<SS['spec']>>;

export const statefulSetStrategy: Strategy<SS> = {
  info: findResource(builtinResources, 'apps', 'v1', 'statefulsets')!,
  defaults(ss) {
    const spec = (ss.spec ??= {} as Spec) as Spec;
    if (spec.replicas === undefined) spec.replicas = 1;
    if (!spec.podManagementPolicy) spec.podManagementPolicy = 'OrderedReady';
    const us = (spec.updateStrategy ??= {}) as Mutable<NonNullable<Spec['updateStrategy']>>;
    if (!us.type) us.type = 'RollingUpdate';
    if (us.type === 'RollingUpdate') {
      const ru = (us.rollingUpdate ??= {}) as Mutable<NonNullable<typeof us.rollingUpdate>>;
      if (ru.partition === undefined) ru.partition = 0;
    }
    if (spec.revisionHistoryLimit === undefined) spec.revisionHistoryLimit = 10;
    const prp = (spec.persistentVolumeClaimRetentionPolicy ??= {}) as Mutable<NonNullable<Spec['persistentVolumeClaimRetentionPolicy']>>;
    if (!prp.whenDeleted) prp.whenDeleted = 'Retain';
    if (!prp.whenScaled) prp.whenScaled = 'Retain';
    for (const pvc of spec.volumeClaimTemplates ?? []) {
      const ps = pvc.spec as Mutable<NonNullable<typeof pvc.spec>> | undefined;
      if (ps && !ps.volumeMode) ps.volumeMode = 'Filesystem';
    }
    defaultTemplate(spec.template);
  },
  validate(ss) {
    const spec = ss.spec;
    if (!spec) return [required('spec')];
    const out: FieldError[] = [...nonNegative(spec.replicas, 'spec.replicas'), ...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds')];
    if (spec.podManagementPolicy && !['OrderedReady', 'Parallel'].includes(spec.podManagementPolicy))
      out.push(notSupported('spec.podManagementPolicy', spec.podManagementPolicy, ['OrderedReady', 'Parallel']));
    const t = spec.updateStrategy?.type;
    if (t && !['RollingUpdate', 'OnDelete'].includes(t)) out.push(notSupported('spec.updateStrategy.type', t, ['OnDelete', 'RollingUpdate']));
    if (t === 'OnDelete' && spec.updateStrategy?.rollingUpdate)
      out.push(forbidden('spec.updateStrategy.rollingUpdate', "only allowed for updateStrategy 'RollingUpdate'"));
    out.push(...nonNegative(spec.updateStrategy?.rollingUpdate?.partition, 'spec.updateStrategy.rollingUpdate.partition'));
    // Containers may mount a volumeClaimTemplate by name: the controller adds that volume to
    // each pod, so the template alone need not declare it.
    const claims = new Set((spec.volumeClaimTemplates ?? []).map((c) => c.metadata?.name));
    const mountsClaim = (e: FieldError) => e.type === 'FieldValueNotFound' && /\.volumeMounts\[\d+\]\.name$/.test(e.field) && claims.has(String(e.value));
    out.push(...validateSelectorAndTemplate(spec.selector, spec.template, 'spec').filter((e) => !mountsClaim(e)));
    const rp = spec.template?.spec?.restartPolicy;
    if (rp && rp !== 'Always') out.push(notSupported('spec.template.spec.restartPolicy', rp, ['Always']));
    return out;
  },
  validateUpdate(obj, old) {
    // Upstream: only replicas, ordinals, template, updateStrategy, persistentVolumeClaimRetentionPolicy
    // and minReadySeconds may change.
    const strip = (s: SS['spec']) => {
      const { replicas: _r, ordinals: _o, template: _t, updateStrategy: _u, persistentVolumeClaimRetentionPolicy: _p, minReadySeconds: _m, revisionHistoryLimit: _h, ...rest } = s ?? ({} as NonNullable<SS['spec']>);
      return rest;
    };
    if (!jsonEqual(strip(obj.spec), strip(old.spec)))
      return [
        forbidden(
          'spec',
          "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        ),
      ];
    return [];
  },
  table: {
    columns: [nameColumn, column('Ready', 'string', 'Number of the pod with ready state'), ageColumn, containersColumn, imagesColumn],
    cells(ss, now) {
      return [
        ss.metadata?.name ?? '',
        `${ss.status?.readyReplicas ?? 0}/${ss.spec?.replicas ?? 0}`,
        ageOf(ss, now),
        containerNames(ss.spec?.template),
        containerImages(ss.spec?.template),
      ];
    },
  },
  scale: {
    specReplicas: (o) => o.spec?.replicas ?? 0,
    setSpecReplicas: (o, n) => {
      (o.spec as Spec).replicas = n;
    },
    statusReplicas: (o) => o.status?.replicas ?? 0,
    selector: (o) => selectorForScale(o.spec?.selector),
  },
};
