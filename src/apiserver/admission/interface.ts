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
  /** May change attrs.object. */
  mutate?(attrs: AdmissionAttributes): Promise<void>;
  /** Throws a StatusError to reject. */
  validate?(attrs: AdmissionAttributes): Promise<void>;
}

export interface Admission {
  mutate(attrs: AdmissionAttributes): Promise<void>;
  validate(attrs: AdmissionAttributes): Promise<void>;
}

/** Runs plugins in order: every mutate, then (separately) every validate. */
export function admissionChain(plugins: AdmissionPlugin[]): Admission {
  return {
    async mutate(attrs) {
      for (const p of plugins) await p.mutate?.(attrs);
    },
    async validate(attrs) {
      for (const p of plugins) await p.validate?.(attrs);
    },
  };
}
