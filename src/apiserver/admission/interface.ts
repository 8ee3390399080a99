/**
 * @module Admission: mutating plugins run after defaulting, validating plugins after the
 * strategy's validation, both before anything is written (apiserver/pkg/admission).
 */
import type { KubeObject } from '../../api/object.ts';
import type { ResourceInfo } from '../../machinery/resources.ts';
import type { UserInfo } from '../types.ts';

export interface AdmissionAttributes {
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  resource: ResourceInfo;
  subresource: string;
  namespace: string;
  name: string;
  object: KubeObject | undefined;
  oldObject: KubeObject | undefined;
  user: UserInfo;
  dryRun: boolean;
  /** Response warnings (the `Warning` header): plugins append, the handler sends them. */
  warnings?: string[];
  /** Annotations for the request's audit event (upstream attrs.AddAnnotation): plugins add keys. */
  auditAnnotations?: Record<string, string>;
}

export interface AdmissionPlugin {
  name: string;
  /**
   * Whether the plugin may act on requests for this resource at all (upstream's Handles is
   * per operation; this is per resource). Asked once per resource; absent: every resource.
   */
  handles?(resource: ResourceInfo): boolean;
  /** May change attrs.object. */
  mutate?(attrs: AdmissionAttributes): Promise<void>;
  /** Throws a StatusError to reject. */
  validate?(attrs: AdmissionAttributes): Promise<void>;
}

/** For `handles`: whether `resource` is one of `resources` in API group `group`. */
export function resourceIn(resource: ResourceInfo, group: string, ...resources: string[]): boolean {
  return resource.group === group && resources.includes(resource.resource);
}

export interface Admission {
  mutate(attrs: AdmissionAttributes): Promise<void>;
  validate(attrs: AdmissionAttributes): Promise<void>;
}

type Phase = (attrs: AdmissionAttributes) => Promise<void>;

const settled: Promise<void> = Promise.resolve();

async function runAll(phases: Phase[], attrs: AdmissionAttributes): Promise<void> {
  for (const p of phases) await p(attrs);
}

/**
 * Runs plugins in order: every mutate, then (separately) every validate. The plugins that
 * apply to a resource are picked once per resource, so a request only calls those.
 */
export function admissionChain(plugins: AdmissionPlugin[]): Admission {
  const chains = new WeakMap<ResourceInfo, { mutate: Phase[]; validate: Phase[] }>();
  const chainFor = (resource: ResourceInfo) => {
    let c = chains.get(resource);
    if (!c) {
      const applies = plugins.filter((p) => p.handles?.(resource) ?? true);
      c = {
        mutate: applies.flatMap((p) => (p.mutate ? [p.mutate.bind(p)] : [])),
        validate: applies.flatMap((p) => (p.validate ? [p.validate.bind(p)] : [])),
      };
      chains.set(resource, c);
    }
    return c;
  };
  // A resource no plugin handles costs a lookup, not an async call.
  return {
    mutate(attrs) {
      const phases = chainFor(attrs.resource).mutate;
      return phases.length ? runAll(phases, attrs) : settled;
    },
    validate(attrs) {
      const phases = chainFor(attrs.resource).validate;
      return phases.length ? runAll(phases, attrs) : settled;
    },
  };
}
