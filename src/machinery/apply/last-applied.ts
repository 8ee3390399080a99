/**
 * @module How server-side apply as the `kubectl` manager coexists with kubectl's client-side
 * apply annotation (upstream lastAppliedManager and lastAppliedUpdater): conflicts on fields
 * whose live value is still what the annotation last applied are allowed, so switching a
 * manifest from `kubectl apply` to `kubectl apply --server-side` does not conflict with
 * `kubectl-client-side-apply`; and the annotation is kept in step with what was applied.
 */
import { isPlainObject, type KubeObject } from '../../api/object.ts';
import { fieldsOf, type FieldSet } from './fieldset.ts';
import { goJSON } from './path.ts';
import { schemaFor, type GroupVersionKind } from './schema.ts';
import { compare } from './typed.ts';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
/** Only this manager gets the client-side apply upgrade path, as upstream. */
export const KUBECTL_MANAGER = 'kubectl';
/** Upstream drops the annotation rather than store more than this. */
const LAST_APPLIED_MAX_BYTES = 256 * 1024;

function lastApplied(obj: KubeObject | undefined): KubeObject | undefined {
  const text = obj?.metadata?.annotations?.[LAST_APPLIED_ANNOTATION];
  if (!text) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return isPlainObject(parsed) ? (parsed as KubeObject) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Fields a `kubectl` applier may take over without force: those in the live object's
 * last-applied annotation whose live value is unchanged since. Undefined when there is no
 * usable annotation.
 */
export function allowedConflictsFromLastApplied(live: KubeObject, gvk: GroupVersionKind): FieldSet | undefined {
  const last = lastApplied(live);
  if (!last) return undefined;
  const modified = compare(last, live, schemaFor(gvk)).modified;
  return fieldsOf(last, gvk).difference(modified);
}

/**
 * After a `kubectl` server-side apply, rewrites an existing last-applied annotation to the
 * applied configuration (without the annotation itself), as Go's JSON encoding writes it.
 */
export function syncLastApplied(result: KubeObject, applied: KubeObject): KubeObject {
  const annotations = result.metadata?.annotations;
  if (!annotations || !(LAST_APPLIED_ANNOTATION in annotations)) return result;
  const config = structuredClone(applied);
  if (config.metadata?.annotations) delete config.metadata.annotations[LAST_APPLIED_ANNOTATION];
  const value = goJSON(config);
  const next = { ...annotations };
  if (value.length > LAST_APPLIED_MAX_BYTES) delete next[LAST_APPLIED_ANNOTATION];
  else next[LAST_APPLIED_ANNOTATION] = value;
  return { ...result, metadata: { ...result.metadata, annotations: next } };
}
