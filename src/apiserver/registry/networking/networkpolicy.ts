/**
 * @module networking.k8s.io/v1 NetworkPolicies: policyTypes and port-protocol defaults,
 * validation and NAME · POD-SELECTOR · AGE.
 */
import type { NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from 'kubernetes-types/networking/v1.js';
import { invalid, notSupported, type FieldError } from '../../../api/field-error.ts';
import type { Mutable } from '../../../api/object.ts';
import { builtinResources, findResource } from '../../../machinery/resources.ts';
import { ageColumn, ageOf, column, labelSelectorString, nameColumn } from '../printing.ts';
import type { Strategy } from '../strategy.ts';
import { validateLabelSelector } from '../apps/workload.ts';

type NP = Mutable<NetworkPolicy>;

function defaultPorts(ports: readonly NetworkPolicyPort[] | undefined): void {
  for (const p of ports ?? []) if (!p.protocol) (p as Mutable<NetworkPolicyPort>).protocol = 'TCP';
}

function validatePeers(peers: readonly NetworkPolicyPeer[] | undefined, path: string): FieldError[] {
  const out: FieldError[] = [];
  (peers ?? []).forEach((peer, i) => {
    const p = `${path}[${i}]`;
    const n = [peer.podSelector, peer.namespaceSelector, peer.ipBlock].filter((x) => x !== undefined).length;
    if (n === 0) out.push({ type: 'FieldValueRequired', field: p, detail: 'must specify a peer' });
    if (peer.ipBlock && (peer.podSelector || peer.namespaceSelector))
      out.push({ type: 'FieldValueForbidden', field: p, detail: 'may not specify both ipBlock and another peer' });
    out.push(...validateLabelSelector(peer.podSelector, `${p}.podSelector`));
    out.push(...validateLabelSelector(peer.namespaceSelector, `${p}.namespaceSelector`));
    if (peer.ipBlock && !/^[0-9a-fA-F:.]+\/\d+$/.test(peer.ipBlock.cidr))
      out.push(invalid(`${p}.ipBlock.cidr`, peer.ipBlock.cidr, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'));
  });
  return out;
}

function validatePorts(ports: readonly NetworkPolicyPort[] | undefined, path: string): FieldError[] {
  const out: FieldError[] = [];
  (ports ?? []).forEach((port, i) => {
    const p = `${path}[${i}]`;
    if (port.protocol && !['TCP', 'UDP', 'SCTP'].includes(port.protocol))
      out.push(notSupported(`${p}.protocol`, port.protocol, ['SCTP', 'TCP', 'UDP']));
    if (typeof port.port === 'number' && (port.port < 1 || port.port > 65535))
      out.push(invalid(`${p}.port`, port.port, 'must be between 1 and 65535, inclusive'));
    if (port.endPort !== undefined) {
      if (typeof port.port !== 'number') out.push(invalid(`${p}.endPort`, port.endPort, 'may not be specified when `port` is non-numeric'));
      else if (port.endPort < port.port) out.push(invalid(`${p}.endPort`, port.endPort, 'must be greater than or equal to `port`'));
    }
  });
  return out;
}

export const networkPolicyStrategy: Strategy<NP> = {
  info: findResource(builtinResources, 'networking.k8s.io', 'v1', 'networkpolicies')!,
  defaults(np) {
    const spec = (np.spec ??= { podSelector: {} }) as Mutable<NonNullable<NP['spec']>>;
    if (!spec.podSelector) spec.podSelector = {};
    for (const r of spec.ingress ?? []) defaultPorts(r.ports);
    for (const r of spec.egress ?? []) defaultPorts(r.ports);
    if (!(spec.policyTypes ?? []).length) {
      const types = ['Ingress'];
      if ((spec.egress ?? []).length) types.push('Egress');
      spec.policyTypes = types;
    }
  },
  validate(np) {
    const spec = np.spec;
    const out: FieldError[] = [];
    if (!spec) return out;
    out.push(...validateLabelSelector(spec.podSelector, 'spec.podSelector'));
    (spec.ingress ?? []).forEach((r, i) => {
      out.push(...validatePorts(r.ports, `spec.ingress[${i}].ports`));
      out.push(...validatePeers(r.from, `spec.ingress[${i}].from`));
    });
    (spec.egress ?? []).forEach((r, i) => {
      out.push(...validatePorts(r.ports, `spec.egress[${i}].ports`));
      out.push(...validatePeers(r.to, `spec.egress[${i}].to`));
    });
    (spec.policyTypes ?? []).forEach((t, i) => {
      if (t !== 'Ingress' && t !== 'Egress') out.push(notSupported(`spec.policyTypes[${i}]`, t, ['Ingress', 'Egress']));
    });
    return out;
  },
  table: {
    columns: [nameColumn, column('Pod-Selector', 'string', 'Selects the pods to which this NetworkPolicy object applies.'), ageColumn],
    cells: (np, now) => [np.metadata?.name ?? '', labelSelectorString(np.spec?.podSelector), ageOf(np, now)],
  },
};
