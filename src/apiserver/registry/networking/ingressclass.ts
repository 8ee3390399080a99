/**
 * @module networking.k8s.io/v1 IngressClasses: controller required and immutable;
 * NAME · CONTROLLER · PARAMETERS · AGE.
 */
import type { IngressClass } from 'kubernetes-types/networking/v1.js';
import { invalid, notSupported, required, type FieldError } from '../../../api/field-error.ts';
import type { Mutable } from '../../../api/object.ts';
import { builtinResources, findResource } from '../../../machinery/resources.ts';
import { ageColumn, ageOf, column, nameColumn } from '../printing.ts';
import type { Strategy } from '../strategy.ts';

type IC = Mutable<IngressClass>;

export const ingressClassStrategy: Strategy<IC> = {
  info: findResource(builtinResources, 'networking.k8s.io', 'v1', 'ingressclasses')!,
  defaults(ic) {
    const p = ic.spec?.parameters as Mutable<NonNullable<NonNullable<IC['spec']>['parameters']>> | undefined;
    if (p && !p.scope) p.scope = 'Cluster';
  },
  validate(ic) {
    const out: FieldError[] = [];
    const c = ic.spec?.controller;
    if (!c) out.push(required('spec.controller'));
    else if (c.length > 250) out.push(invalid('spec.controller', c, 'must be no more than 250 characters'));
    const p = ic.spec?.parameters;
    if (p) {
      if (!p.kind) out.push(required('spec.parameters.kind'));
      if (!p.name) out.push(required('spec.parameters.name'));
      if (p.scope && !['Cluster', 'Namespace'].includes(p.scope)) out.push(notSupported('spec.parameters.scope', p.scope, ['Cluster', 'Namespace']));
      if (p.scope === 'Namespace' && !p.namespace) out.push(required('spec.parameters.namespace', '`parameters.scope` is set to "Namespace"'));
    }
    return out;
  },
  validateUpdate(ic, old) {
    return ic.spec?.controller !== old.spec?.controller ? [invalid('spec.controller', ic.spec?.controller, 'field is immutable')] : [];
  },
  table: {
    columns: [
      nameColumn,
      column('Controller', 'string', 'Controller that is responsible for handling this class'),
      column('Parameters', 'string', 'A reference to a resource with additional parameters'),
      ageColumn,
    ],
    cells(ic, now) {
      const p = ic.spec?.parameters;
      let params = '<none>';
      if (p) params = `${p.kind}${p.apiGroup ? `.${p.apiGroup}` : ''}/${p.name}`;
      return [ic.metadata?.name ?? '', ic.spec?.controller ?? '', params, ageOf(ic, now)];
    },
  },
};
