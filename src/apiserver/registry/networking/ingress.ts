/**
 * @module networking.k8s.io/v1 Ingresses: defaults (pathType is required upstream), validation
 * and NAME · CLASS · HOSTS · ADDRESS · PORTS · AGE.
 */
import type { Ingress, IngressBackend } from 'kubernetes-types/networking/v1.js';
import { invalid, notSupported, required, type FieldError } from '../../../api/field-error.ts';
import type { Mutable } from '../../../api/object.ts';
import { validateDNS1123Label, validateDNS1123Subdomain } from '../../../api/validation/names.ts';
import { builtinResources, findResource } from '../../../machinery/resources.ts';
import { ageColumn, ageOf, column, nameColumn } from '../printing.ts';
import type { Strategy } from '../strategy.ts';

type Ing = Mutable<Ingress>;

function validateBackend(b: IngressBackend | undefined, path: string): FieldError[] {
  if (!b) return [required(path)];
  const out: FieldError[] = [];
  if (b.service && b.resource) out.push(invalid(path, '', 'cannot set both resource and service backends'));
  else if (!b.service && !b.resource) out.push(invalid(path, '', 'resource or service backend is required'));
  if (b.service) {
    out.push(...validateDNS1123Label(b.service.name, `${path}.service.name`));
    const port = b.service.port;
    if (!port || (port.name === undefined && port.number === undefined))
      out.push(invalid(`${path}.service.port`, port ?? {}, 'port name or number is required'));
    else if (port.name !== undefined && port.number !== undefined)
      out.push(invalid(`${path}.service.port`, port, 'cannot set both port name & port number'));
    else if (port.number !== undefined && (port.number < 1 || port.number > 65535))
      out.push(invalid(`${path}.service.port.number`, port.number, 'must be between 1 and 65535, inclusive'));
  }
  return out;
}

export function validateIngress(ing: Ing): FieldError[] {
  const spec = ing.spec ?? {};
  const out: FieldError[] = [];
  if (!spec.defaultBackend && !(spec.rules ?? []).length)
    out.push(invalid('spec.rules', spec.rules ?? [], 'either `defaultBackend` or `rules` must be specified'));
  if (spec.defaultBackend) out.push(...validateBackend(spec.defaultBackend, 'spec.defaultBackend'));
  if (spec.ingressClassName !== undefined) out.push(...validateDNS1123Subdomain(spec.ingressClassName, 'spec.ingressClassName'));
  (spec.rules ?? []).forEach((rule, i) => {
    const p = `spec.rules[${i}]`;
    if (rule.host) {
      const h = rule.host.startsWith('*.') ? rule.host.slice(2) : rule.host;
      out.push(...validateDNS1123Subdomain(h, `${p}.host`));
    }
    (rule.http?.paths ?? []).forEach((path, j) => {
      const pp = `${p}.http.paths[${j}]`;
      if (!path.pathType) out.push(required(`${pp}.pathType`, 'pathType must be specified'));
      else if (!['Exact', 'Prefix', 'ImplementationSpecific'].includes(path.pathType))
        out.push(notSupported(`${pp}.pathType`, path.pathType, ['Exact', 'ImplementationSpecific', 'Prefix']));
      if (path.pathType !== 'ImplementationSpecific' && path.path !== undefined && !path.path.startsWith('/'))
        out.push(invalid(`${pp}.path`, path.path, "must be an absolute path"));
      out.push(...validateBackend(path.backend, `${pp}.backend`));
    });
    if (rule.http && !(rule.http.paths ?? []).length) out.push(required(`${p}.http.paths`));
  });
  return out;
}

function hosts(ing: Ing): string {
  const list = (ing.spec?.rules ?? []).map((r) => r.host).filter((h): h is string => !!h);
  if (!list.length) return '*';
  if (list.length > 3) return `${list.slice(0, 3).join(',')} + ${list.length - 3} more...`;
  return list.join(',');
}

function address(ing: Ing): string {
  const lb = ing.status?.loadBalancer?.ingress ?? [];
  return lb.map((i) => i.ip || i.hostname || '').filter(Boolean).join(',');
}

export const ingressStrategy: Strategy<Ing> = {
  info: findResource(builtinResources, 'networking.k8s.io', 'v1', 'ingresses')!,
  validate: validateIngress,
  table: {
    columns: [
      nameColumn,
      column('Class', 'string', 'The name of the IngressClass resource that should be used for additional configuration'),
      column('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
      column('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
      column('Ports', 'string', 'Ports of TLS configurations that open'),
      ageColumn,
    ],
    cells: (ing, now) => [
      ing.metadata?.name ?? '',
      ing.spec?.ingressClassName ?? '<none>',
      hosts(ing),
      address(ing),
      (ing.spec?.tls ?? []).length ? '80, 443' : '80',
      ageOf(ing, now),
    ],
  },
};
