/**
 * @module How a raw replica proposal becomes the count the HPA applies (upstream horizontal.go
 * normalizeDesiredReplicas*): stabilization over recent recommendations, then either the
 * legacy rate limit (no `behavior`: at most max(2×current, 4)) or the `behavior` policies
 * (Pods/Percent per period, selectPolicy Max/Min/Disabled) against recent scale events, then
 * min/max clamping. Each step names the condition it sets (AbleToScale, ScalingLimited).
 * State is per HPA key and lives in memory, as upstream's does.
 */
import type { HorizontalPodAutoscalerBehavior, HPAScalingRules } from 'kubernetes-types/autoscaling/v2.js';

interface Recommendation {
  replicas: number;
  atMs: number;
}
interface ScaleEvent {
  change: number;
  atMs: number;
}

/** A condition the normalisation wants set: `[status, reason, message]`. */
export interface Verdict {
  status: 'True' | 'False';
  reason: string;
  message: string;
}

export interface Normalized {
  replicas: number;
  ableToScale: Verdict;
  scalingLimited: Verdict;
}

const withinRange = { reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };
const tooMany = { reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' };
const tooFew = { reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' };
const upLimit = { reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' };
const downLimit = { reason: 'ScaleDownLimit', message: 'the desired replica count is decreasing faster than the maximum scale rate' };
const ready = { reason: 'ReadyForNewScale', message: 'recommended size matches current size' };
const downStabilized = { reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' };
const upStabilized = { reason: 'ScaleUpStabilized', message: 'recent recommendations were lower than current one, applying the lowest recent recommendation' };

export interface NormalizeArgs {
  key: string;
  current: number;
  desired: number;
  minReplicas: number;
  maxReplicas: number;
  behavior?: HorizontalPodAutoscalerBehavior;
  nowMs: number;
}

export class ScalingHistory {
  private readonly recommendations = new Map<string, Recommendation[]>();
  private readonly ups = new Map<string, ScaleEvent[]>();
  private readonly downs = new Map<string, ScaleEvent[]>();

  /** @param downscaleStabilizationMs the flag's window, used without `behavior` or when scaleDown leaves it unset. */
  constructor(private readonly downscaleStabilizationMs: number) {}

  forget(key: string): void {
    this.recommendations.delete(key);
    this.ups.delete(key);
    this.downs.delete(key);
  }

  /** Upstream recordInitialRecommendation: the current size seeds the window of a new HPA. */
  recordInitial(key: string, current: number, nowMs: number): void {
    if (!this.recommendations.has(key)) this.recommendations.set(key, [{ replicas: current, atMs: nowMs }]);
  }

  /** Records an applied change so rate policies can count it (only with `behavior`, as upstream). */
  recordScale(key: string, behavior: HorizontalPodAutoscalerBehavior | undefined, prev: number, next: number, nowMs: number): void {
    if (!behavior || prev === next) return;
    const up = next > prev;
    const rules = up ? behavior.scaleUp : behavior.scaleDown;
    const longest = Math.max(0, ...(rules?.policies ?? []).map((p) => p.periodSeconds)) * 1000;
    const map = up ? this.ups : this.downs;
    const kept = (map.get(key) ?? []).filter((e) => e.atMs > nowMs - longest);
    kept.push({ change: Math.abs(next - prev), atMs: nowMs });
    map.set(key, kept);
  }

  private remember(key: string, desired: number, nowMs: number, isOld: (r: Recommendation) => boolean): void {
    const list = this.recommendations.get(key) ?? [];
    const i = list.findIndex(isOld);
    if (i >= 0) list[i] = { replicas: desired, atMs: nowMs };
    else list.push({ replicas: desired, atMs: nowMs });
    this.recommendations.set(key, list);
  }

  normalize(a: NormalizeArgs): Normalized {
    return a.behavior ? this.withBehavior(a, a.behavior) : this.legacy(a);
  }

  /** No `behavior`: max over the downscale window, then the fixed scale-up rate. */
  private legacy(a: NormalizeArgs): Normalized {
    const cutoff = a.nowMs - this.downscaleStabilizationMs;
    let stabilized = a.desired;
    for (const r of this.recommendations.get(a.key) ?? []) if (r.atMs >= cutoff && r.replicas > stabilized) stabilized = r.replicas;
    this.remember(a.key, a.desired, a.nowMs, (r) => r.atMs < cutoff);
    const able = stabilized !== a.desired ? downStabilized : ready;
    const scaleUpLimit = Math.max(2 * a.current, 4);
    const maxLimit = a.maxReplicas > scaleUpLimit ? { n: scaleUpLimit, ...upLimit } : { n: a.maxReplicas, ...tooMany };
    let out = { replicas: stabilized, ...withinRange };
    if (stabilized < a.minReplicas) out = { replicas: a.minReplicas, ...tooFew };
    else if (stabilized > maxLimit.n) out = { replicas: maxLimit.n, reason: maxLimit.reason, message: maxLimit.message };
    return this.verdicts(out, stabilized, able);
  }

  private withBehavior(a: NormalizeArgs, b: HorizontalPodAutoscalerBehavior): Normalized {
    const upWindow = (b.scaleUp?.stabilizationWindowSeconds ?? 0) * 1000;
    const downWindow = b.scaleDown?.stabilizationWindowSeconds !== undefined ? b.scaleDown.stabilizationWindowSeconds * 1000 : this.downscaleStabilizationMs;
    const upCutoff = a.nowMs - upWindow;
    const downCutoff = a.nowMs - downWindow;
    let up = a.desired;
    let down = a.desired;
    for (const r of this.recommendations.get(a.key) ?? []) {
      if (r.atMs > upCutoff) up = Math.min(up, r.replicas);
      if (r.atMs > downCutoff) down = Math.max(down, r.replicas);
    }
    this.remember(a.key, a.desired, a.nowMs, (r) => r.atMs < upCutoff && r.atMs < downCutoff);
    const stabilized = Math.min(Math.max(a.current, up), down);
    const able = stabilized === a.desired ? ready : a.desired >= a.current ? upStabilized : downStabilized;

    let out = { replicas: stabilized, ...withinRange };
    if (stabilized > a.current) {
      const limit = Math.max(a.current, this.scaleUpLimit(a, b.scaleUp));
      const max = a.maxReplicas > limit ? { n: limit, ...upLimit } : { n: a.maxReplicas, ...tooMany };
      if (stabilized > max.n) out = { replicas: max.n, reason: max.reason, message: max.message };
    } else if (stabilized < a.current) {
      const limit = Math.min(a.current, this.scaleDownLimit(a, b.scaleDown));
      const min = a.minReplicas < limit ? { n: limit, ...downLimit } : { n: a.minReplicas, ...tooFew };
      if (stabilized < min.n) out = { replicas: min.n, reason: min.reason, message: min.message };
    }
    return this.verdicts(out, stabilized, able);
  }

  private verdicts(out: { replicas: number; reason: string; message: string }, stabilized: number, able: { reason: string; message: string }): Normalized {
    return {
      replicas: out.replicas,
      ableToScale: { status: 'True', ...able },
      scalingLimited: { status: out.replicas === stabilized ? 'False' : 'True', reason: out.reason, message: out.message },
    };
  }

  /** Replicas changed in the last `periodSeconds` (upstream getReplicasChangePerPeriod). */
  private changeIn(events: ScaleEvent[] | undefined, periodSeconds: number, nowMs: number): number {
    const cutoff = nowMs - periodSeconds * 1000;
    return (events ?? []).filter((e) => e.atMs > cutoff).reduce((s, e) => s + e.change, 0);
  }

  private periodStart(a: NormalizeArgs, periodSeconds: number): number {
    return a.current - this.changeIn(this.ups.get(a.key), periodSeconds, a.nowMs) + this.changeIn(this.downs.get(a.key), periodSeconds, a.nowMs);
  }

  /** Upstream calculateScaleUpLimitWithScalingRules. */
  private scaleUpLimit(a: NormalizeArgs, rules: HPAScalingRules | undefined): number {
    const select = rules?.selectPolicy ?? 'Max';
    if (select === 'Disabled') return a.current;
    const policies = rules?.policies ?? [];
    if (!policies.length) return a.current;
    const proposals = policies.map((p) => {
      const start = this.periodStart(a, p.periodSeconds);
      return p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    });
    return select === 'Min' ? Math.min(...proposals) : Math.max(...proposals);
  }

  /** Upstream calculateScaleDownLimitWithBehaviors. */
  private scaleDownLimit(a: NormalizeArgs, rules: HPAScalingRules | undefined): number {
    const select = rules?.selectPolicy ?? 'Max';
    if (select === 'Disabled') return a.current;
    const policies = rules?.policies ?? [];
    if (!policies.length) return a.current;
    const proposals = policies.map((p) => {
      const start = this.periodStart(a, p.periodSeconds);
      return p.type === 'Pods' ? start - p.value : Math.trunc(start * (1 - p.value / 100));
    });
    return select === 'Min' ? Math.max(...proposals) : Math.min(...proposals);
  }
}
