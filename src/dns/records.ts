/**
 * @module The `cluster.local` zone as the Kubernetes DNS specification (and CoreDNS's
 * kubernetes plugin) defines it, computed per query from a `ClusterView`:
 *
 *   <svc>.<ns>.svc.<zone>                A/AAAA clusterIP(s); headless: ready endpoint IPs;
 *                                        ExternalName: CNAME; SRV for every port
 *   <host>.<svc>.<ns>.svc.<zone>         A/AAAA of a headless endpoint (its hostname, a pod's
 *                                        hostname+subdomain, or the dashed IP `10-42-0-5`)
 *   _<port>._<proto>.<svc>.<ns>.svc.<zone>  SRV for a named port
 *   <reversed ip>.in-addr.arpa / ip6.arpa   PTR for service and endpoint/pod IPs
 *   <zone>                               SOA, NS;  dns-version.<zone> TXT (spec 1.1.0)
 *
 * A name that does not exist is NXDOMAIN, an existing name without the asked type is
 * NOERROR with no answers (NODATA); both carry the zone's SOA in the authority section.
 * Names outside the zone and the reverse zones are REFUSED: this server never forwards.
 */
import type { Answer, SrvAnswer, StringAnswer } from 'dns-packet';
import { ipFromReverse } from './names.ts';
import { canonicalIP, type ClusterView, type Slice, type Svc } from './view.ts';

export interface ZoneOptions {
  /** Cluster domain without trailing dot (default `cluster.local`). */
  domain: string;
  /** TTL of every record (CoreDNS's default: 5 s). */
  ttl?: number;
  /** The DNS service address, served as `ns.dns.<zone>` (the zone's NS). */
  dnsIP?: string;
  /** SOA serial (the server's start time in seconds, like CoreDNS's). */
  serial?: number;
}

export type Rcode = 'NOERROR' | 'NXDOMAIN' | 'REFUSED';

export interface Resolution {
  rcode: Rcode;
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
}

interface Ctx {
  view: ClusterView;
  zone: string;
  ttl: number;
  opts: ZoneOptions;
}

/** Records at a name, or undefined when the name does not exist. */
type RRs = Answer[] | undefined;

const lower = (n: string) => n.replace(/\.$/, '').toLowerCase();
const dashed = (ip: string) => ip.replace(/[.:]/g, '-');
const ipType = (ip: string): 'A' | 'AAAA' => (ip.includes(':') ? 'AAAA' : 'A');

export function resolve(view: ClusterView, qname: string, qtype: string, opts: ZoneOptions): Resolution {
  const ctx: Ctx = { view, zone: lower(opts.domain), ttl: opts.ttl ?? 5, opts };
  const name = lower(qname);
  const reverse = name.endsWith('.in-addr.arpa') || name === 'in-addr.arpa' || name.endsWith('.ip6.arpa') || name === 'ip6.arpa';
  const apex = reverse ? (name.endsWith('in-addr.arpa') ? 'in-addr.arpa' : 'ip6.arpa') : ctx.zone;
  if (!reverse && name !== ctx.zone && !name.endsWith('.' + ctx.zone)) return { rcode: 'REFUSED', answers: [], authorities: [], additionals: [] };

  const answers: Answer[] = [];
  const additionals: Answer[] = [];
  let owner = qname.replace(/\.$/, '');
  // Follow CNAMEs that stay inside the zone (ExternalName to another service), as CoreDNS does.
  for (let hops = 0; hops < 8; hops++) {
    const rrs = reverse ? reverseRecords(ctx, lower(owner), owner) : recordsAt(ctx, lower(owner), owner);
    if (rrs === undefined) return negative(ctx, apex, answers.length ? 'NOERROR' : 'NXDOMAIN', answers);
    const cname = rrs.find((r) => r.type === 'CNAME') as StringAnswer | undefined;
    if (cname && qtype !== 'CNAME' && qtype !== 'ANY') {
      answers.push(cname);
      const target = lower(cname.data);
      if (target !== ctx.zone && !target.endsWith('.' + ctx.zone)) break;
      owner = cname.data;
      continue;
    }
    const matching = qtype === 'ANY' ? rrs : rrs.filter((r) => r.type === qtype);
    answers.push(...matching);
    if (matching.length === 0 && answers.length === 0) return negative(ctx, apex, 'NOERROR', []);
    for (const r of matching) if (r.type === 'SRV') additionals.push(...addressesFor(ctx, r.data.target));
    break;
  }
  return { rcode: 'NOERROR', answers, authorities: [], additionals };
}

function negative(ctx: Ctx, apex: string, rcode: Rcode, answers: Answer[]): Resolution {
  return { rcode, answers, authorities: [soa(ctx, apex)], additionals: [] };
}

function soa(ctx: Ctx, apex: string): Answer {
  return {
    type: 'SOA', name: apex, ttl: ctx.ttl,
    data: { mname: `ns.dns.${ctx.zone}`, rname: `hostmaster.${ctx.zone}`, serial: ctx.opts.serial ?? 1, refresh: 7200, retry: 1800, expire: 86400, minimum: ctx.ttl },
  };
}

/** A/AAAA records of an in-zone SRV target, for the additional section. */
function addressesFor(ctx: Ctx, target: string): Answer[] {
  return (recordsAt(ctx, lower(target), target) ?? []).filter((r) => r.type === 'A' || r.type === 'AAAA');
}

function recordsAt(ctx: Ctx, name: string, owner: string): RRs {
  const rel = name === ctx.zone ? [] : name.slice(0, -(ctx.zone.length + 1)).split('.');
  const rr = <T extends Answer['type']>(type: T, data: unknown): Answer => ({ type, name: owner, ttl: ctx.ttl, data }) as Answer;
  if (rel.length === 0)
    return [soa(ctx, owner), rr('NS', `ns.dns.${ctx.zone}`)];
  if (rel.length === 1 && rel[0] === 'dns-version') return [rr('TXT', ['1.1.0'])];
  if (rel.length === 2 && rel[0] === 'ns' && rel[1] === 'dns') return ctx.opts.dnsIP ? [rr(ipType(ctx.opts.dnsIP), ctx.opts.dnsIP)] : undefined;
  if (rel.length === 1 && rel[0] === 'dns') return ctx.opts.dnsIP ? [] : undefined;
  if (rel.at(-1) !== 'svc') return undefined;
  if (rel.length === 1) return [];
  const ns = rel.at(-2)!;
  if (!ctx.view.namespaceExists(ns)) return undefined;
  if (rel.length === 2) return [];
  const svc = ctx.view.service(ns, rel.at(-3)!);
  if (!svc) return undefined;
  const base = `${svc.metadata?.name}.${ns}.svc.${ctx.zone}`;
  if (rel.length === 3) return serviceRecords(ctx, svc, base, rr, owner);
  if (rel.length === 4) {
    if (!isHeadless(svc)) return undefined;
    const ips = endpointsOf(ctx, svc).filter((e) => e.host === rel[0]).map((e) => e.ip);
    return ips.length ? [...new Set(ips)].map((ip) => rr(ipType(ip), ip)) : undefined;
  }
  if (rel.length === 5 && rel[0].startsWith('_') && rel[1].startsWith('_')) {
    const portName = rel[0].slice(1);
    const proto = rel[1].slice(1).toUpperCase();
    const port = (svc.spec?.ports ?? []).find((p) => (p.name ?? '').toLowerCase() === portName && (p.protocol ?? 'TCP') === proto);
    if (!port || svc.spec?.type === 'ExternalName') return undefined;
    return srvRecords(ctx, svc, base, [{ name: port.name ?? '', port: port.port, protocol: proto }], owner);
  }
  return undefined;
}

type RR = (type: Answer['type'], data: unknown) => Answer;

function serviceRecords(ctx: Ctx, svc: Svc, base: string, rr: RR, owner: string): Answer[] {
  if (svc.spec?.type === 'ExternalName') return svc.spec.externalName ? [rr('CNAME', svc.spec.externalName.replace(/\.$/, ''))] : [];
  const ips = isHeadless(svc) ? [...new Set(endpointsOf(ctx, svc).map((e) => e.ip))] : clusterIPs(svc);
  const ports = (svc.spec?.ports ?? []).map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' }));
  return [...ips.map((ip) => rr(ipType(ip), ip)), ...(ips.length ? srvRecords(ctx, svc, base, ports, owner) : [])];
}

interface PortRef { name: string; port: number; protocol: string }

/** SRV per port: the service name for a ClusterIP service, each ready endpoint for a headless one. */
function srvRecords(ctx: Ctx, svc: Svc, base: string, ports: PortRef[], owner: string): Answer[] {
  const srv = (target: string, port: number): SrvAnswer => ({ type: 'SRV', name: owner, ttl: ctx.ttl, data: { priority: 0, weight: 0, port, target } });
  if (!isHeadless(svc)) return clusterIPs(svc).length ? ports.map((p) => srv(base, p.port)) : [];
  const out: SrvAnswer[] = [];
  const seen = new Set<string>();
  for (const e of endpointsOf(ctx, svc))
    for (const p of ports) {
      const port = e.ports.find((x) => (x.name ?? '') === p.name && (x.protocol ?? 'TCP') === p.protocol)?.port ?? (e.fromPod ? p.port : undefined);
      const key = `${e.host}/${port}`;
      if (port === undefined || seen.has(key)) continue;
      seen.add(key);
      out.push(srv(`${e.host}.${base}`, port));
    }
  // CoreDNS spreads weight evenly over the set.
  for (const r of out) r.data.weight = Math.floor(100 / out.length);
  return out;
}

const isHeadless = (svc: Svc) => svc.spec?.clusterIP === 'None';
const clusterIPs = (svc: Svc): string[] =>
  (svc.spec?.clusterIPs?.length ? svc.spec.clusterIPs : svc.spec?.clusterIP ? [svc.spec.clusterIP] : []).filter((ip) => ip && ip !== 'None');

interface Endpoint { ip: string; host: string; ports: { name?: string; port?: number; protocol?: string }[]; fromPod: boolean }

/**
 * Ready endpoints of a headless service: from its EndpointSlices, plus pods whose
 * hostname/subdomain name the service (what the endpoints controller would publish; covers
 * the time before the slice appears).
 */
function endpointsOf(ctx: Ctx, svc: Svc): Endpoint[] {
  const ns = svc.metadata?.namespace ?? '';
  const name = svc.metadata?.name ?? '';
  const notReadyOk = !!svc.spec?.publishNotReadyAddresses;
  const out: Endpoint[] = [];
  const seen = new Set<string>();
  for (const slice of ctx.view.slicesOf(ns, name) as Slice[])
    for (const e of slice.endpoints ?? []) {
      if (e.conditions?.ready === false && !notReadyOk) continue;
      for (const raw of e.addresses ?? []) {
        const ip = canonicalIP(raw);
        seen.add(ip);
        out.push({ ip, host: (e.hostname ?? dashed(ip)).toLowerCase(), ports: slice.ports ?? [], fromPod: false });
      }
    }
  for (const pod of ctx.view.podsInSubdomain(ns, name)) {
    const host = pod.spec?.hostname;
    const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    if (!host || pod.metadata?.deletionTimestamp || (!ready && !notReadyOk)) continue;
    for (const raw of pod.status?.podIPs?.map((p) => p.ip) ?? [pod.status?.podIP]) {
      if (!raw) continue;
      const ip = canonicalIP(raw);
      if (seen.has(ip)) continue;
      seen.add(ip);
      out.push({ ip, host: host.toLowerCase(), ports: [], fromPod: true });
    }
  }
  return out;
}

function reverseRecords(ctx: Ctx, name: string, owner: string): RRs {
  const ip = ipFromReverse(name);
  if (!ip) return undefined;
  const targets = new Set<string>();
  for (const svc of ctx.view.servicesWithIP(ip)) targets.add(`${svc.metadata?.name}.${svc.metadata?.namespace}.svc.${ctx.zone}`);
  for (const slice of ctx.view.slicesWithAddress(ip)) {
    const svc = slice.metadata?.labels?.['kubernetes.io/service-name'];
    if (!svc) continue;
    for (const e of slice.endpoints ?? [])
      if ((e.addresses ?? []).some((a) => canonicalIP(a) === ip))
        targets.add(`${(e.hostname ?? dashed(ip)).toLowerCase()}.${svc}.${slice.metadata?.namespace}.svc.${ctx.zone}`);
  }
  for (const pod of ctx.view.podsWithIP(ip)) {
    const { hostname, subdomain } = pod.spec ?? {};
    const ns = pod.metadata?.namespace ?? '';
    const svc = subdomain ? ctx.view.service(ns, subdomain) : undefined;
    if (hostname && svc && isHeadless(svc)) targets.add(`${hostname.toLowerCase()}.${subdomain}.${ns}.svc.${ctx.zone}`);
  }
  if (targets.size === 0) return undefined;
  return [...targets].map((t) => ({ type: 'PTR', name: owner, ttl: ctx.ttl, data: t }) as Answer);
}
