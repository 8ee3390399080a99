/**
 * @module discovery.k8s.io/v1 EndpointSlices: addressType immutable, port protocol default;
 * NAME · ADDRESSTYPE · PORTS · ENDPOINTS · AGE.
 */
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { invalid, notSupported, required, tooMany, type FieldError } from './errors.ts';
import type { Mutable } from '../../../api/object.ts';
import { builtinResources, findResource } from '../../../machinery/resources.ts';
import { ageColumn, ageOf, column, nameColumn } from '../printing.ts';
import type { Strategy } from '../strategy.ts';

type ES = Mutable<EndpointSlice>;
const addressTypes = ['IPv4', 'IPv6', 'FQDN'];

function ports(es: ES): string {
  const ps = es.ports ?? [];
  if (!ps.length) return '<unset>';
  return ps.map((p) => (p.port === undefined || p.port === null ? '<unset>' : String(p.port))).join(',');
}

function endpoints(es: ES): string {
  const addrs = (es.endpoints ?? []).flatMap((e) => e.addresses ?? []);
  if (!addrs.length) return '<unset>';
  if (addrs.length > 3) return `${addrs.slice(0, 3).join(',')} + ${addrs.length - 3} more...`;
  return addrs.join(',');
}

export const endpointSliceStrategy: Strategy<ES> = {
  info: findResource(builtinResources, 'discovery.k8s.io', 'v1', 'endpointslices')!,
  defaults(es) {
    for (const p of es.ports ?? []) {
      const mp = p as Mutable<typeof p>;
      if (!mp.protocol) mp.protocol = 'TCP';
      if (mp.name === undefined) mp.name = '';
    }
  },
  validate(es) {
    const out: FieldError[] = [];
    if (!es.addressType) out.push(required('addressType'));
    else if (!addressTypes.includes(es.addressType)) out.push(notSupported('addressType', es.addressType, addressTypes));
    const eps = es.endpoints ?? [];
    if (eps.length > 1000) out.push(tooMany('endpoints', eps.length, 1000));
    eps.forEach((e, i) => {
      const addrs = e.addresses ?? [];
      if (!addrs.length) out.push(required(`endpoints[${i}].addresses`, 'must contain at least 1 address'));
      else if (addrs.length > 100) out.push(tooMany(`endpoints[${i}].addresses`, addrs.length, 100));
      addrs.forEach((a, j) => {
        const p = `endpoints[${i}].addresses[${j}]`;
        if (es.addressType === 'IPv4' && !/^(\d{1,3}\.){3}\d{1,3}$/.test(a)) out.push(invalid(p, a, 'must be a valid IPv4 address'));
        if (es.addressType === 'IPv6' && !a.includes(':')) out.push(invalid(p, a, 'must be a valid IPv6 address'));
      });
    });
    (es.ports ?? []).forEach((p, i) => {
      if (p.protocol && !['TCP', 'UDP', 'SCTP'].includes(p.protocol)) out.push(notSupported(`ports[${i}].protocol`, p.protocol, ['SCTP', 'TCP', 'UDP']));
      if (p.port !== undefined && p.port !== null && (p.port < 1 || p.port > 65535))
        out.push(invalid(`ports[${i}].port`, p.port, 'must be between 1 and 65535, inclusive'));
    });
    return out;
  },
  validateUpdate(es, old) {
    return es.addressType !== old.addressType ? [invalid('addressType', es.addressType, 'field is immutable')] : [];
  },
  table: {
    columns: [
      nameColumn,
      column('AddressType', 'string', 'The IP protocol for this slice'),
      column('Ports', 'string', 'The ports encoded in this slice'),
      column('Endpoints', 'string', 'Endpoints in this slice'),
      ageColumn,
    ],
    cells: (es, now) => [es.metadata?.name ?? '', es.addressType ?? '', ports(es), endpoints(es), ageOf(es, now)],
  },
};
