/**
 * @module Service strategy: upstream defaults (type, ports, affinity, traffic policies),
 * validation of ports and type, immutable clusterIP, and the TYPE/CLUSTER-IP/EXTERNAL-IP/
 * PORT(S) columns. Address allocation belongs to the networking issue.
 */
import type { Service, ServicePort } from 'kubernetes-types/core/v1.js';
import { duplicate, invalid, notSupported, required, type FieldError } from '../../../api/field-error.ts';
import type { KubeObject, Mutable } from '../../../api/object.ts';
import { validateLabels } from '../../../api/validation/names.ts';
import { ageColumn, ageOf, column, joinOrNone, labelsString, nameColumn } from '../printing.ts';
import type { Strategy } from '../strategy.ts';
import { coreInfo } from './info.ts';

type Svc = Service & KubeObject;
const types = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];

function externalIp(s: Service): string {
  const type = s.spec?.type ?? 'ClusterIP';
  const external = s.spec?.externalIPs ?? [];
  if (type === 'ExternalName') return s.spec?.externalName ?? '<none>';
  if (type === 'LoadBalancer') {
    const ing = (s.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname || '').filter(Boolean);
    const all = [...ing, ...external];
    return all.length ? all.join(',') : '<pending>';
  }
  return joinOrNone(external);
}

function portsCell(ports: readonly ServicePort[] | undefined): string {
  if (!ports?.length) return '<none>';
  return ports.map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`)).join(',');
}

export const services: Strategy<Svc> = {
  info: coreInfo('services'),
  nameRule: 'dns1123-label',
  defaults(s) {
    const spec = ((s as KubeObject).spec ??= {}) as Mutable<NonNullable<Service['spec']>>;
    spec.type ??= 'ClusterIP';
    if (spec.type !== 'ExternalName') {
      spec.sessionAffinity ??= 'None';
      spec.internalTrafficPolicy ??= 'Cluster';
      spec.ipFamilyPolicy ??= 'SingleStack';
    }
    if ((spec.type === 'NodePort' || spec.type === 'LoadBalancer') && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
    for (const p of spec.ports ?? []) {
      const m = p as Mutable<ServicePort>;
      m.protocol ??= 'TCP';
      if (m.targetPort === undefined && spec.type !== 'ExternalName') m.targetPort = m.port;
    }
  },
  validate(s) {
    const errs: FieldError[] = [];
    const spec = s.spec ?? {};
    const type = spec.type ?? 'ClusterIP';
    if (!types.includes(type)) errs.push(notSupported('spec.type', type, types));
    if (type === 'ExternalName') {
      if (!spec.externalName) errs.push(required('spec.externalName'));
    } else if (!spec.ports?.length && spec.clusterIP !== 'None') errs.push(required('spec.ports'));
    const names = new Set<string>();
    (spec.ports ?? []).forEach((p, i) => {
      if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) errs.push(invalid(`spec.ports[${i}].port`, p.port, 'must be between 1 and 65535, inclusive'));
      if ((spec.ports?.length ?? 0) > 1 && !p.name) errs.push(required(`spec.ports[${i}].name`));
      if (p.name) {
        if (names.has(p.name)) errs.push(duplicate(`spec.ports[${i}].name`, p.name));
        names.add(p.name);
      }
      if (p.nodePort !== undefined && (p.nodePort < 1 || p.nodePort > 65535)) errs.push(invalid(`spec.ports[${i}].nodePort`, p.nodePort, 'must be between 1 and 65535, inclusive'));
    });
    errs.push(...validateLabels(spec.selector, 'spec.selector'));
    return errs;
  },
  validateUpdate(s, old) {
    const before = old.spec?.clusterIP;
    const after = s.spec?.clusterIP;
    if (before && after !== undefined && after !== before && old.spec?.type !== 'ExternalName' && s.spec?.type !== 'ExternalName')
      return [invalid('spec.clusterIPs[0]', after, 'may not change once set')];
    return [];
  },
  table: {
    columns: [
      nameColumn,
      column('Type', 'string', 'The type of the service'),
      column('Cluster-IP', 'string', 'The cluster IP of the service'),
      column('External-IP', 'string', 'The external IP of the service'),
      column('Port(s)', 'string', 'The ports of the service'),
      ageColumn,
      column('Selector', 'string', 'The label selector of the service', 1),
    ],
    cells: (s, now) => [
      s.metadata?.name ?? '',
      s.spec?.type ?? 'ClusterIP',
      s.spec?.clusterIPs?.[0] ?? s.spec?.clusterIP ?? '<none>',
      externalIp(s),
      portsCell(s.spec?.ports),
      ageOf(s, now),
      labelsString(s.spec?.selector),
    ],
  },
};
