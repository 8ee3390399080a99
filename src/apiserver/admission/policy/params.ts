/**
 * @module Resolves a binding's paramRef to the param objects of the policy's paramKind
 * (upstream validating admission policy's param lookup): by name or selector, in
 * paramRef.namespace or, for a namespaced kind, the request's namespace.
 */
import type { ParamKind, ParamRef } from 'kubernetes-types/admissionregistration/v1.js';
import type { KubeObject } from '../../../api/object.ts';
import { selectorFromLabelSelector } from '../../../machinery/labels.ts';
import { builtinResources, findByKind } from '../../../machinery/resources.ts';
import type { AdmissionAttributes } from '../interface.ts';
import type { ConfigLister } from '../webhook/source.ts';

/** undefined: the paramKind itself cannot be found (a configuration error). */
export async function resolveParams(kind: ParamKind, ref: ParamRef, a: AdmissionAttributes, reader: ConfigLister): Promise<KubeObject[] | undefined> {
  const info = findByKind(builtinResources, kind.apiVersion ?? '', kind.kind ?? '');
  if (!info) return undefined;
  const ns = info.namespaced ? (ref.namespace ?? a.namespace) : '';
  if (info.namespaced && !ns) return [];
  if (ref.name) {
    const o = await reader.get(info.group, info.version, info.resource, ns, ref.name);
    return o ? [o] : [];
  }
  const sel = selectorFromLabelSelector(ref.selector ?? {});
  const all = await reader.list(info.group, info.version, info.resource, info.namespaced ? ns : undefined);
  return all.filter((o) => sel.matches(o.metadata?.labels ?? {}));
}
