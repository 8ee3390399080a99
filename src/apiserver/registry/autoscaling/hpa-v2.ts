/**
 * @module autoscaling/v2 HorizontalPodAutoscalers (the storage form): SetDefaults, validation and
 * NAME · REFERENCE · TARGETS · MINPODS · MAXPODS · REPLICAS · AGE.
 */
import type { HorizontalPodAutoscaler, HPAScalingRules, MetricSpec, MetricStatus } from 'kubernetes-types/autoscaling/v2.js';
import { invalid, notSupported, required, type FieldError } from '../../../api/field-error.ts';
import type { Mutable } from '../../../api/object.ts';
import { builtinResources, findResource } from '../../../machinery/resources.ts';
import { ageColumn, ageOf, column, nameColumn } from '../printing.ts';
import type { Strategy, TableConvertor } from '../strategy.ts';

export type HPA2 = Mutable<HorizontalPodAutoscaler>;
type Spec = Mutable<NonNullable<HPA2['spec']>>;

export const defaultCPUUtilization = 80;

function scaleUpRules(r: HPAScalingRules | undefined): HPAScalingRules {
  return {
    ...r,
    stabilizationWindowSeconds: r?.stabilizationWindowSeconds ?? 0,
    selectPolicy: r?.selectPolicy ?? 'Max',
    policies: r?.policies ?? [
      { type: 'Pods', value: 4, periodSeconds: 15 },
      { type: 'Percent', value: 100, periodSeconds: 15 },
    ],
  };
}
/** As upstream: the scale-down window stays unset, so the controller's --horizontal-pod-autoscaler-downscale-stabilization applies. */
function scaleDownRules(r: HPAScalingRules | undefined): HPAScalingRules {
  return {
    ...r,
    selectPolicy: r?.selectPolicy ?? 'Max',
    policies: r?.policies ?? [{ type: 'Percent', value: 100, periodSeconds: 15 }],
  };
}

export function defaultHPA2(hpa: HPA2): void {
  const spec = (hpa.spec ??= {} as Spec) as Spec;
  if (spec.minReplicas === undefined) spec.minReplicas = 1;
  if (!(spec.metrics ?? []).length)
    spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: defaultCPUUtilization } } }];
  if (spec.behavior) {
    const b = spec.behavior as Mutable<NonNullable<Spec['behavior']>>;
    b.scaleUp = scaleUpRules(b.scaleUp);
    b.scaleDown = scaleDownRules(b.scaleDown);
  }
}

const metricTypes = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];

function validateMetric(m: MetricSpec, path: string): FieldError[] {
  const out: FieldError[] = [];
  if (!metricTypes.includes(m.type)) return [notSupported(`${path}.type`, m.type, metricTypes)];
  const key = (m.type[0]!.toLowerCase() + m.type.slice(1)) as 'resource' | 'pods' | 'object' | 'external' | 'containerResource';
  const src = m[key];
  if (!src) return [required(`${path}.${key}`, `must populate information for the given metric source`)];
  const target = (src as { target?: { type: string; averageUtilization?: number; averageValue?: string; value?: string } }).target;
  if (!target) out.push(required(`${path}.${key}.target`, 'must specify a metric target'));
  else {
    if (!['Utilization', 'Value', 'AverageValue'].includes(target.type))
      out.push(notSupported(`${path}.${key}.target.type`, target.type, ['AverageValue', 'Utilization', 'Value']));
    if (target.averageUtilization !== undefined && target.averageUtilization < 1)
      out.push(invalid(`${path}.${key}.target.averageUtilization`, target.averageUtilization, 'must be greater than 0'));
  }
  return out;
}

export function validateHPA2(hpa: HPA2): FieldError[] {
  const spec = hpa.spec;
  if (!spec) return [required('spec')];
  const out: FieldError[] = [];
  const ref = spec.scaleTargetRef;
  if (!ref?.kind) out.push(required('spec.scaleTargetRef.kind'));
  if (!ref?.name) out.push(required('spec.scaleTargetRef.name'));
  if (spec.minReplicas !== undefined && spec.minReplicas < 1)
    out.push(invalid('spec.minReplicas', spec.minReplicas, 'must be greater than or equal to 1'));
  if (spec.maxReplicas === undefined || spec.maxReplicas < 1) out.push(invalid('spec.maxReplicas', spec.maxReplicas ?? 0, 'must be greater than 0'));
  else if (spec.minReplicas !== undefined && spec.maxReplicas < spec.minReplicas)
    out.push(invalid('spec.maxReplicas', spec.maxReplicas, 'must be greater than or equal to `minReplicas`'));
  (spec.metrics ?? []).forEach((m, i) => out.push(...validateMetric(m, `spec.metrics[${i}]`)));
  return out;
}

/** Upstream formatHPAMetrics: `cpu: 50%/80%`, `<unknown>` for a missing current value. */
export function formatHPAMetrics(specs: readonly MetricSpec[] | undefined, statuses: readonly MetricStatus[] | undefined): string {
  const list: string[] = [];
  const st = statuses ?? [];
  (specs ?? []).forEach((s, i) => {
    const cur = st[i];
    switch (s.type) {
      case 'External':
      case 'Object': {
        const src = s.type === 'External' ? s.external : s.object;
        const c = s.type === 'External' ? cur?.external?.current : cur?.object?.current;
        if (src?.target.type === 'AverageValue') list.push(`${c?.averageValue ?? '<unknown>'}/${src.target.averageValue ?? ''} (avg)`);
        else list.push(`${c?.value ?? '<unknown>'}/${src?.target.value ?? ''}`);
        break;
      }
      case 'Pods':
        list.push(`${cur?.pods?.current.averageValue ?? '<unknown>'}/${s.pods?.target.averageValue ?? ''}`);
        break;
      case 'Resource':
      case 'ContainerResource': {
        const src = s.type === 'Resource' ? s.resource : s.containerResource;
        const c =
          s.type === 'Resource'
            ? cur?.resource?.name === src?.name ? cur?.resource?.current : undefined
            : cur?.containerResource?.name === src?.name ? cur?.containerResource?.current : undefined;
        const name = src?.name ?? '';
        if (src?.target.averageUtilization !== undefined) {
          const cv = c?.averageUtilization !== undefined ? `${c.averageUtilization}%` : '<unknown>';
          list.push(`${name}: ${cv}/${src.target.averageUtilization}%`);
        } else {
          list.push(`${name}: ${c?.averageValue ?? '<unknown>'}/${src?.target.averageValue ?? ''}`);
        }
        break;
      }
      default:
        list.push('<unknown type>');
    }
  });
  if (!list.length) return '<none>';
  if (list.length > 3) return `${list.slice(0, 3).join(', ')} + ${list.length - 3} more...`;
  return list.join(', ');
}

export const hpaTable: TableConvertor<HPA2> = {
  columns: [
    nameColumn,
    column('Reference', 'string', 'reference to scaled resource; horizontal pod autoscaler will learn the current resource consumption and will set the desired number of pods by using its Scale subresource.'),
    column('Targets', 'string', 'the target metrics used to autoscale'),
    column('MinPods', 'string', 'lower limit for the number of pods that can be set by the autoscaler, default 1.'),
    column('MaxPods', 'integer', 'upper limit for the number of pods that can be set by the autoscaler; cannot be smaller than MinReplicas.'),
    column('Replicas', 'integer', 'current number of replicas of pods managed by this autoscaler.'),
    ageColumn,
  ],
  cells: (hpa, now) => [
    hpa.metadata?.name ?? '',
    `${hpa.spec?.scaleTargetRef?.kind ?? ''}/${hpa.spec?.scaleTargetRef?.name ?? ''}`,
    formatHPAMetrics(hpa.spec?.metrics, hpa.status?.currentMetrics),
    hpa.spec?.minReplicas !== undefined ? String(hpa.spec.minReplicas) : '<unset>',
    hpa.spec?.maxReplicas ?? 0,
    hpa.status?.currentReplicas ?? 0,
    ageOf(hpa, now),
  ],
};

export const hpaV2Strategy: Strategy<HPA2> = {
  info: findResource(builtinResources, 'autoscaling', 'v2', 'horizontalpodautoscalers')!,
  defaults: defaultHPA2,
  validate: validateHPA2,
  table: hpaTable,
};
