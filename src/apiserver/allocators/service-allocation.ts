/**
 * @module The allocation side of Service writes (upstream pkg/registry/core/service/storage/
 * alloc.go): ClusterIPs and NodePorts are taken before the storage write and either committed
 * (old values released) or reverted (new values released) after it. The generic store calls
 * this through its WriteHooks; the state is rebuilt from the stored Services at start.
 */
import type { Service, ServicePort, ServiceSpec } from 'kubernetes-types/core/v1.js';
import { forbidden, invalid, type FieldError } from '../../api/field-error.ts';
import type { KubeObject, Mutable } from '../../api/object.ts';
import type { WriteHooks, WriteTransaction } from '../registry/generic/store.ts';
import { AllocationError, IPAllocator, parseIPv4 } from './ip-allocator.ts';
import { PortAllocator } from './port-allocator.ts';

type Spec = Mutable<ServiceSpec>;

/**
 * Upstream prints `spec.clusterIPs` as Go's `%#v` of a []string. FieldError values render
 * through `String()` when they are not objects, so a function whose toString is that literal
 * gives the same message without touching the shared renderer.
 */
function goStringSlice(values: string[]): unknown {
  const literal = `[]string{${values.map((v) => JSON.stringify(v)).join(', ')}}`;
  return Object.assign(() => literal, { toString: () => literal });
}

const needsClusterIP = (s: Spec | undefined) => (s?.type ?? 'ClusterIP') !== 'ExternalName';
const needsNodePorts = (s: Spec | undefined) =>
  s?.type === 'NodePort' || (s?.type === 'LoadBalancer' && s.allocateLoadBalancerNodePorts !== false);
const needsHealthCheckPort = (s: Spec | undefined) => s?.type === 'LoadBalancer' && s.externalTrafficPolicy === 'Local';

/** The addresses and ports a Service holds. */
interface Held {
  ip?: string;
  ports: Set<number>;
}

export class ServiceAllocator implements WriteHooks {
  constructor(
    readonly ips: IPAllocator,
    readonly ports: PortAllocator,
  ) {}

  private held(svc: KubeObject | undefined): Held {
    const spec = (svc as Service | undefined)?.spec as Spec | undefined;
    const ip = needsClusterIP(spec) && spec?.clusterIP && spec.clusterIP !== 'None' ? spec.clusterIP : undefined;
    const ports = new Set<number>();
    for (const p of spec?.ports ?? []) if (p.nodePort) ports.add(p.nodePort);
    if (spec?.healthCheckNodePort) ports.add(spec.healthCheckNodePort);
    return { ip: ip && this.ips.contains(ip) ? ip : undefined, ports };
  }

  /** Marks what the stored Services hold; returns the names whose values were already taken. */
  restore(services: readonly KubeObject[]): string[] {
    const clashes: string[] = [];
    for (const s of services) {
      const h = this.held(s);
      try {
        if (h.ip) this.ips.allocate(h.ip);
        for (const p of h.ports) if (this.ports.contains(p)) this.ports.allocate(p);
      } catch {
        clashes.push(`${s.metadata?.namespace}/${s.metadata?.name}`);
      }
    }
    return clashes;
  }

  beginCreate(obj: KubeObject): WriteTransaction | FieldError[] {
    return this.begin(obj, undefined);
  }

  beginUpdate(obj: KubeObject, old: KubeObject): WriteTransaction | FieldError[] {
    return this.begin(obj, old);
  }

  deleted(obj: KubeObject): void {
    const h = this.held(obj);
    if (h.ip) this.ips.release(h.ip);
    for (const p of h.ports) this.ports.release(p);
  }

  private begin(obj: KubeObject, old: KubeObject | undefined): WriteTransaction | FieldError[] {
    const spec = ((obj as Service).spec ?? {}) as Spec;
    const oldSpec = (old as Service | undefined)?.spec as Spec | undefined;
    const before = this.held(old);
    const newIPs: string[] = [];
    const newPorts: number[] = [];
    const undo = () => {
      for (const ip of newIPs) this.ips.release(ip);
      for (const p of newPorts) this.ports.release(p);
    };
    const errs = [...this.assignClusterIP(spec, oldSpec, newIPs), ...this.assignNodePorts(spec, oldSpec, before.ports, newPorts)];
    if (errs.length) {
      undo();
      return errs;
    }
    return {
      commit: () => {
        const after = this.held(obj);
        if (before.ip && before.ip !== after.ip) this.ips.release(before.ip);
        for (const p of before.ports) if (!after.ports.has(p)) this.ports.release(p);
      },
      revert: undo,
    };
  }

  private assignClusterIP(spec: Spec, oldSpec: Spec | undefined, taken: string[]): FieldError[] {
    if (!needsClusterIP(spec)) {
      // Upstream dropTypeDependentFields: a change to ExternalName drops the old address.
      if (oldSpec && spec.clusterIP === oldSpec.clusterIP) {
        delete spec.clusterIP;
        delete spec.clusterIPs;
        delete spec.ipFamilies;
        delete spec.ipFamilyPolicy;
      }
      if (spec.clusterIP) return [forbidden('spec.clusterIPs', "may not be set when `type` is 'ExternalName'")];
      return [];
    }
    const keep = oldSpec && needsClusterIP(oldSpec) ? oldSpec.clusterIP : undefined;
    const wanted = spec.clusterIP || spec.clusterIPs?.[0] || keep;
    if (wanted === 'None' || (wanted && wanted === keep)) {
      spec.clusterIP = wanted;
      spec.clusterIPs = [wanted];
    } else if (wanted) {
      if (parseIPv4(wanted) === undefined) return [invalid('spec.clusterIPs[0]', wanted, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)')];
      try {
        this.ips.allocate(wanted);
      } catch (err) {
        if (!(err instanceof AllocationError)) throw err;
        return [invalid('spec.clusterIPs', goStringSlice([wanted]), `failed to allocate IP ${wanted}: ${err.message}`)];
      }
      taken.push(wanted);
      spec.clusterIP = wanted;
      spec.clusterIPs = [wanted];
    } else {
      try {
        const ip = this.ips.allocateNext();
        taken.push(ip);
        spec.clusterIP = ip;
        spec.clusterIPs = [ip];
      } catch (err) {
        if (!(err instanceof AllocationError)) throw err;
        return [{ type: 'InternalError', field: 'spec.clusterIPs', detail: `failed to allocate a serviceIP: ${err.message}` }];
      }
    }
    spec.ipFamilies ??= ['IPv4'];
    spec.ipFamilyPolicy ??= 'SingleStack';
    return [];
  }

  private assignNodePorts(spec: Spec, oldSpec: Spec | undefined, oldPorts: Set<number>, taken: number[]): FieldError[] {
    const ports = (spec.ports ?? []) as Mutable<ServicePort>[];
    const errs: FieldError[] = [];
    const take = (port: number, field: string): boolean => {
      if (oldPorts.has(port) || taken.includes(port)) return true;
      try {
        this.ports.allocate(port);
        taken.push(port);
        return true;
      } catch (err) {
        if (!(err instanceof AllocationError)) throw err;
        errs.push(invalid(field, port, err.message));
        return false;
      }
    };
    const next = (): number | undefined => {
      try {
        const p = this.ports.allocateNext();
        taken.push(p);
        return p;
      } catch (err) {
        if (!(err instanceof AllocationError)) throw err;
        errs.push({ type: 'InternalError', field: 'spec.ports', detail: `failed to allocate a nodePort: ${err.message}` });
        return undefined;
      }
    };
    if (!needsNodePorts(spec)) {
      ports.forEach((p, i) => {
        // A type change away from NodePort drops the ports the user did not set anew.
        if (p.nodePort && oldSpec?.ports?.some((o) => o.nodePort === p.nodePort)) delete p.nodePort;
        else if (p.nodePort && (spec.type ?? 'ClusterIP') === 'ClusterIP')
          errs.push(forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'"));
        else if (p.nodePort) take(p.nodePort, `spec.ports[${i}].nodePort`);
      });
    } else {
      ports.forEach((p, i) => {
        if (p.nodePort) {
          take(p.nodePort, `spec.ports[${i}].nodePort`);
          return;
        }
        // An update that omits nodePort keeps the one the same port had (patchAllocatedValues).
        const prior = oldSpec?.ports?.find((o) => o.nodePort && o.port === p.port && (o.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
        const n = prior?.nodePort ?? next();
        if (n !== undefined) p.nodePort = n;
      });
    }
    if (needsHealthCheckPort(spec)) {
      if (spec.healthCheckNodePort) take(spec.healthCheckNodePort, 'spec.healthCheckNodePort');
      else {
        const n = oldSpec?.healthCheckNodePort ?? next();
        if (n !== undefined) spec.healthCheckNodePort = n;
      }
    } else if (spec.healthCheckNodePort && spec.healthCheckNodePort === oldSpec?.healthCheckNodePort) delete spec.healthCheckNodePort;
    return errs;
  }
}
