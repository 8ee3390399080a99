/**
 * @module ObjectMeta rules every resource shares: what the server sets on create, what an
 * update may not change, and upstream's ValidateObjectMeta.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { invalid, required, forbidden, type FieldError } from '../../../api/field-error.ts';
import type { KubeObject, StoredObject } from '../../../api/object.ts';
import {
  dns1123LabelErrors,
  dns1123SubdomainErrors,
  pathSegmentErrors,
  validateAnnotations,
  validateLabels,
} from '../../../api/validation/names.ts';
import { StatusError } from '../../../machinery/status.ts';
import type { NameRule, Strategy } from '../strategy.ts';
import { rfc3339 } from './codec.ts';

const generateAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

export function generateNameSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += generateAlphabet[randomInt(generateAlphabet.length)];
  return s;
}

function nameErrors(rule: NameRule, name: string): string[] {
  switch (rule) {
    case 'dns1123-label':
      return dns1123LabelErrors(name);
    case 'path-segment':
      return pathSegmentErrors(name);
    default:
      return dns1123SubdomainErrors(name);
  }
}

/** Upstream ValidateObjectMeta: name, generateName, namespace, labels, annotations, finalizers. */
export function validateObjectMeta(obj: KubeObject, strategy: Strategy): FieldError[] {
  const meta = obj.metadata ?? {};
  const errs: FieldError[] = [];
  const rule = strategy.nameRule ?? 'dns1123-subdomain';
  if (!meta.name) errs.push(required('metadata.name', 'name or generateName is required'));
  else for (const e of nameErrors(rule, meta.name)) errs.push(invalid('metadata.name', meta.name, e));
  if (strategy.info.namespaced) {
    if (!meta.namespace) errs.push(required('metadata.namespace'));
    else for (const e of dns1123LabelErrors(meta.namespace)) errs.push(invalid('metadata.namespace', meta.namespace, e));
  } else if (meta.namespace) {
    errs.push(forbidden('metadata.namespace', 'not allowed on this type'));
  }
  errs.push(...validateLabels(meta.labels, 'metadata.labels'));
  errs.push(...validateAnnotations(meta.annotations, 'metadata.annotations'));
  const seen = new Set<string>();
  (meta.finalizers ?? []).forEach((f, i) => {
    if (typeof f !== 'string' || f.length === 0) errs.push(invalid(`metadata.finalizers[${i}]`, f, 'must be a non-empty string'));
    seen.add(f);
  });
  return errs;
}

/** Resources whose spec changes bump metadata.generation (those with a spec/status split upstream). */
const generationResources = new Set([
  'apps/deployments',
  'apps/replicasets',
  'apps/statefulsets',
  'apps/daemonsets',
  'batch/jobs',
  'batch/cronjobs',
  '/replicationcontrollers',
  'networking.k8s.io/ingresses',
  'networking.k8s.io/networkpolicies',
  'policy/poddisruptionbudgets',
  'autoscaling/horizontalpodautoscalers',
]);

export function tracksGeneration(strategy: Strategy): boolean {
  return generationResources.has(`${strategy.info.group}/${strategy.info.resource}`);
}

/** Server-set metadata on create (rest.BeforeCreate). */
export function prepareMetaForCreate(obj: KubeObject, strategy: Strategy, namespace: string, now: Date): void {
  const meta = (obj.metadata ??= {});
  if (meta.resourceVersion) throw StatusError.badRequest('resourceVersion should not be set on objects to be created');
  if (strategy.info.namespaced) {
    if (meta.namespace && namespace && meta.namespace !== namespace)
      throw StatusError.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    meta.namespace = meta.namespace || namespace;
  } else {
    delete meta.namespace;
  }
  if (!meta.name && meta.generateName) meta.name = meta.generateName + generateNameSuffix();
  meta.uid = randomUUID();
  meta.creationTimestamp = rfc3339(now);
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete (meta as { selfLink?: string }).selfLink;
  if (tracksGeneration(strategy)) meta.generation = 1;
  else delete meta.generation;
}

/** Carries over what a client may not change (rest.BeforeUpdate) and checks name/namespace. */
export function prepareMetaForUpdate(obj: KubeObject, old: StoredObject, strategy: Strategy): void {
  const meta = (obj.metadata ??= {});
  if (meta.name && meta.name !== old.metadata.name)
    throw StatusError.badRequest(
      `the name of the object (${meta.name}) does not match the name on the URL (${old.metadata.name})`,
    );
  if (strategy.info.namespaced && meta.namespace && meta.namespace !== old.metadata.namespace)
    throw StatusError.badRequest('the namespace of the provided object does not match the namespace sent on the request');
  meta.name = old.metadata.name;
  if (strategy.info.namespaced) meta.namespace = old.metadata.namespace;
  else delete meta.namespace;
  meta.uid = old.metadata.uid;
  meta.creationTimestamp = old.metadata.creationTimestamp;
  if (old.metadata.deletionTimestamp) meta.deletionTimestamp = old.metadata.deletionTimestamp;
  else delete meta.deletionTimestamp;
  if (old.metadata.deletionGracePeriodSeconds !== undefined)
    meta.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
  else delete meta.deletionGracePeriodSeconds;
  if (old.metadata.generation !== undefined) meta.generation = old.metadata.generation;
  else delete meta.generation;
  if (!meta.generateName && old.metadata.generateName) meta.generateName = old.metadata.generateName;
}

/** The part of an object whose change means a new generation: everything but metadata and status. */
export function specOf(obj: KubeObject): string {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return JSON.stringify(rest);
}
