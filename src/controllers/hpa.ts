/**
 * @module The HorizontalPodAutoscaler controller ("horizontal-pod-autoscaler-controller",
 * upstream pkg/controller/podautoscaler/horizontal.go). Every sync period it reads each HPA's
 * target through the `/scale` subresource, selects the target's pods by `status.selector`,
 * turns metrics into a replica proposal (hpa/compute.ts), stabilises and rate-limits it
 * (hpa/behavior.ts), writes `/scale` when the count changes and reports conditions,
 * currentMetrics and replica counts in `status`.
 *
 * Options (`ctx.options`): horizontalPodAutoscalerSyncPeriodMs (15 s),
 * horizontalPodAutoscalerTolerance (0.1), horizontalPodAutoscalerDownscaleStabilizationMs
 * (5 min), horizontalPodAutoscalerCpuInitializationPeriodMs (5 min),
 * horizontalPodAutoscalerInitialReadinessDelayMs (30 s), hpaMetricsSource (an installed source).
 */
import type { HorizontalPodAutoscaler, HorizontalPodAutoscalerStatus } from 'kubernetes-types/autoscaling/v2.js';
import type { Scale } from 'kubernetes-types/autoscaling/v1.js';
import type { KubeObject } from '../api/object.ts';
import type { Informer } from '../client/cache/informer.ts';
import { keyOf, refs, splitKey } from '../client/refs.ts';
import type { ResourceClient } from '../client/rest.ts';
import { parseLabelSelector } from '../machinery/labels.ts';
import { builtinResources, findByKind } from '../machinery/resources.ts';
import { isNotFound } from '../machinery/status.ts';
import { QueueRunner, type Controller, type ControllerContext, type ReconcileResult } from './framework/controller.ts';
import { ScalingHistory } from './hpa/behavior.ts';
import { computeReplicasForMetrics } from './hpa/compute.ts';
import { setCondition, type ConditionType } from './hpa/conditions.ts';
import { metricsSourceFor, type MetricsSource } from './hpa/metrics.ts';
import type { CalculatorOptions, PodObject } from './hpa/replica-calculator.ts';

type HPA = HorizontalPodAutoscaler & KubeObject;
type ScaleObject = Scale & KubeObject;

/** Status while it is being rebuilt (desiredReplicas may not be known yet). */
type WorkingStatus = Partial<HorizontalPodAutoscalerStatus> & { conditions: NonNullable<HorizontalPodAutoscalerStatus['conditions']> };

const gvk = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' } as const;

export class HorizontalPodAutoscalerController implements Controller {
  readonly name = 'horizontal-pod-autoscaler-controller';
  private readonly hpas: Informer<HPA>;
  private readonly pods: Informer<PodObject>;
  private readonly runner: QueueRunner;
  private readonly hpaClient: ResourceClient<HPA>;
  private readonly history: ScalingHistory;
  private readonly syncPeriodMs: number;
  private readonly calc: CalculatorOptions;
  private readonly sourceName: string | undefined;
  private source?: MetricsSource;

  constructor(private readonly ctx: ControllerContext) {
    const o = ctx.options ?? {};
    this.syncPeriodMs = Number(o.horizontalPodAutoscalerSyncPeriodMs ?? 15_000);
    this.history = new ScalingHistory(Number(o.horizontalPodAutoscalerDownscaleStabilizationMs ?? 300_000));
    this.calc = {
      tolerance: Number(o.horizontalPodAutoscalerTolerance ?? 0.1),
      cpuInitializationPeriodMs: Number(o.horizontalPodAutoscalerCpuInitializationPeriodMs ?? 300_000),
      initialReadinessDelayMs: Number(o.horizontalPodAutoscalerInitialReadinessDelayMs ?? 30_000),
    };
    this.sourceName = o.hpaMetricsSource === undefined ? undefined : String(o.hpaMetricsSource);
    this.hpaClient = ctx.client.resource<HPA>(refs.horizontalpodautoscalers);
    this.runner = new QueueRunner(ctx, this.name, (key) => this.reconcile(key), { workers: 2 });
    this.hpas = ctx.informers.informerFor<HPA>(refs.horizontalpodautoscalers);
    this.pods = ctx.informers.informerFor<PodObject>(refs.pods);
    this.hpas.addEventHandler({
      onAdd: (h) => this.runner.enqueue(keyOf(h)),
      // Our own status writes must not re-trigger a sync: only spec changes (generation) do;
      // everything else waits for the sync period, as upstream's fixed-interval queue does.
      onUpdate: (old, cur) => {
        if (old.metadata?.generation !== cur.metadata?.generation) this.runner.enqueue(keyOf(cur));
      },
      onDelete: (h) => this.history.forget(keyOf(h)),
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  private metricsSource(): MetricsSource {
    return (this.source ??= metricsSourceFor(this.ctx.client, this.sourceName));
  }

  private async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    const cached = this.hpas.store.getByName(namespace, name);
    if (!cached) {
      this.history.forget(key);
      return;
    }
    const hpa: HPA = { ...structuredClone(cached), ...gvk };
    await this.reconcileAutoscaler(key, hpa);
    return { requeueAfterMs: this.syncPeriodMs };
  }

  private async reconcileAutoscaler(key: string, hpa: HPA): Promise<void> {
    const now = this.ctx.clock.now();
    const nowMs = now.getTime();
    const original = JSON.stringify(hpa.status ?? {});
    const status: WorkingStatus = {
      ...hpa.status,
      conditions: [...(hpa.status?.conditions ?? [])],
    };
    const cond = (type: ConditionType, s: 'True' | 'False', reason: string, message: string) => {
      status.conditions = setCondition(status.conditions, type, s, reason, message, now);
    };
    const event = (type: 'Normal' | 'Warning', reason: string, message: string) => this.ctx.recorder.event(hpa, type, reason, message);
    const save = () => this.writeStatus(hpa, status, original);

    const ref = hpa.spec?.scaleTargetRef;
    const reference = `${ref?.kind ?? ''}/${hpa.metadata?.namespace ?? ''}/${ref?.name ?? ''}`;
    const target = findByKind(builtinResources, ref?.apiVersion ?? '', ref?.kind ?? '');
    let scale: ScaleObject;
    let scaleClient: ResourceClient<ScaleObject>;
    try {
      if (!target || !target.subresources?.some((s) => s.name === 'scale'))
        throw new Error(`no matches for kind "${ref?.kind ?? ''}" in group "${(ref?.apiVersion ?? '').split('/').slice(0, -1).join('/')}"`);
      scaleClient = this.ctx.client.resource<ScaleObject>(target);
      scale = await this.ctx.client.call<ScaleObject>('GET', scaleClient.path(hpa.metadata?.namespace, ref?.name, 'scale'));
    } catch (e) {
      const msg = (e as Error).message;
      event('Warning', 'FailedGetScale', msg);
      cond('AbleToScale', 'False', 'FailedGetScale', `the HPA controller was unable to get the target's current scale: ${msg}`);
      await save();
      this.ctx.logger.debug('failed to query scale subresource', { hpa: key, reference, err: msg });
      return;
    }
    cond('AbleToScale', 'True', 'SucceededGetScale', "the HPA controller was able to get the target's current scale");

    const currentReplicas = scale.spec?.replicas ?? 0;
    this.history.recordInitial(key, currentReplicas, nowMs);
    const minReplicas = hpa.spec?.minReplicas ?? 1;
    const maxReplicas = hpa.spec?.maxReplicas ?? 0;
    let desired = 0;
    let reason = '';
    let rescale = true;
    let metricStatuses: HorizontalPodAutoscalerStatus['currentMetrics'];

    if (currentReplicas === 0 && minReplicas !== 0) {
      desired = 0;
      rescale = false;
      cond('ScalingActive', 'False', 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero');
    } else if (currentReplicas > maxReplicas) {
      reason = 'Current number of replicas above Spec.MaxReplicas';
      desired = maxReplicas;
    } else if (currentReplicas < minReplicas) {
      reason = 'Current number of replicas below Spec.MinReplicas';
      desired = minReplicas;
    } else {
      const selector = this.selectorOf(scale, cond, event);
      if (selector === undefined) {
        Object.assign(status, { currentReplicas });
        await save();
        return;
      }
      const out = await computeReplicasForMetrics({
        hpa,
        specReplicas: currentReplicas,
        selector: selector.text,
        pods: this.podsOf(hpa.metadata?.namespace ?? '', selector.matches),
        source: this.metricsSource(),
        opts: this.calc,
        nowMs,
        warn: (r, m) => event('Warning', r, m),
      });
      cond('ScalingActive', out.scalingActive.status, out.scalingActive.reason, out.scalingActive.message);
      metricStatuses = out.statuses;
      if (out.replicas === -1) {
        Object.assign(status, { currentReplicas, currentMetrics: metricStatuses });
        await save();
        event('Warning', 'FailedComputeMetricsReplicas', out.error ?? 'failed to compute replicas');
        return;
      }
      desired = out.replicas;
      if (desired > currentReplicas) reason = `${out.metricName} above target`;
      if (desired < currentReplicas) reason = 'All metrics below target';
      const n = this.history.normalize({ key, current: currentReplicas, desired, minReplicas, maxReplicas, behavior: hpa.spec?.behavior, nowMs });
      cond('AbleToScale', n.ableToScale.status, n.ableToScale.reason, n.ableToScale.message);
      cond('ScalingLimited', n.scalingLimited.status, n.scalingLimited.reason, n.scalingLimited.message);
      desired = n.replicas;
      rescale = desired !== currentReplicas;
    }

    if (rescale) {
      try {
        await scaleClient.update({ ...scale, spec: { ...scale.spec, replicas: desired } }, 'scale');
      } catch (e) {
        const msg = (e as Error).message;
        event('Warning', 'FailedRescale', `New size: ${desired}; reason: ${reason}; error: ${msg}`);
        cond('AbleToScale', 'False', 'FailedUpdateScale', `the HPA controller was unable to update the target scale: ${msg}`);
        Object.assign(status, { currentReplicas, currentMetrics: metricStatuses });
        await save();
        return;
      }
      cond('AbleToScale', 'True', 'SucceededRescale', `the HPA controller was able to update the target scale to ${desired}`);
      event('Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${reason}`);
      this.history.recordScale(key, hpa.spec?.behavior, currentReplicas, desired, nowMs);
      status.lastScaleTime = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
    } else {
      desired = currentReplicas;
    }
    Object.assign(status, { currentReplicas, desiredReplicas: desired, currentMetrics: metricStatuses });
    if (hpa.metadata?.generation !== undefined) status.observedGeneration = hpa.metadata.generation;
    await save();
  }

  /** Upstream validateAndParseSelector: the scale's `status.selector`, which must be present and valid. */
  private selectorOf(
    scale: ScaleObject,
    cond: (t: ConditionType, s: 'True' | 'False', r: string, m: string) => void,
    event: (t: 'Normal' | 'Warning', r: string, m: string) => void,
  ): { text: string; matches: (l: Record<string, string>) => boolean } | undefined {
    const text = scale.status?.selector ?? '';
    if (!text) {
      event('Warning', 'SelectorRequired', 'selector is required');
      cond('ScalingActive', 'False', 'InvalidSelector', "the HPA target's scale is missing a selector");
      return undefined;
    }
    try {
      const sel = parseLabelSelector(text);
      return { text, matches: (l) => sel.matches(l) };
    } catch (e) {
      const msg = `couldn't convert selector into a corresponding internal selector object: ${(e as Error).message}`;
      event('Warning', 'InvalidSelector', msg);
      cond('ScalingActive', 'False', 'InvalidSelector', msg);
      return undefined;
    }
  }

  private podsOf(ns: string, matches: (l: Record<string, string>) => boolean): PodObject[] {
    return this.pods.store.byIndex('namespace', ns).filter((p) => matches(p.metadata?.labels ?? {}));
  }

  private async writeStatus(hpa: HPA, status: WorkingStatus, original: string): Promise<void> {
    if (JSON.stringify(status) === original) return;
    try {
      await this.hpaClient.update({ ...hpa, status: { desiredReplicas: 0, ...status } }, 'status');
    } catch (e) {
      // A newer HPA (or a deleted one) is picked up on the next sync.
      if (!isNotFound(e)) this.ctx.logger.debug('failed to update HPA status', { hpa: keyOf(hpa), err: e as Error });
    }
  }
}
