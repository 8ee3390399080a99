/**
 * @module The cluster DNS server's Prometheus metrics under CoreDNS's names (plugin/metrics),
 * so CoreDNS dashboards read them: requests by server/zone/proto/family/type, responses by
 * rcode, request duration. `zone` is "." as in the stock Kubernetes Corefile (`.:53 { … }`).
 */
import { Counter, Histogram, type Registry } from 'prom-client';

/** CoreDNS's plugin.TimeBuckets: 0.25 ms doubling, 16 buckets. */
const buckets = Array.from({ length: 16 }, (_, i) => 0.00025 * 2 ** i);

/** The query types CoreDNS reports by name; anything else is "other". */
const monitoredTypes: Record<number, string> = {
  1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 15: 'MX', 16: 'TXT', 28: 'AAAA', 33: 'SRV', 35: 'NAPTR', 43: 'DS',
  46: 'RRSIG', 47: 'NSEC', 48: 'DNSKEY', 50: 'NSEC3', 65: 'HTTPS', 251: 'IXFR', 252: 'AXFR', 255: 'ANY',
};

/** The first question's type straight from the wire (no full decode), or "other". */
export function queryType(msg: Uint8Array): string {
  let i = 12;
  while (i < msg.length) {
    const len = msg[i]!;
    if (len === 0) break;
    if ((len & 0xc0) !== 0) return 'other'; // a pointer cannot start a question name
    i += len + 1;
  }
  if (i + 2 >= msg.length) return 'other';
  return monitoredTypes[(msg[i + 1]! << 8) | msg[i + 2]!] ?? 'other';
}

export class DnsMetrics {
  private readonly requests: Counter<'server' | 'zone' | 'view' | 'proto' | 'family' | 'type'>;
  private readonly responses: Counter<'server' | 'zone' | 'view' | 'rcode' | 'plugin'>;
  private readonly duration: Histogram<'server' | 'zone' | 'view' | 'type'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.requests = new Counter({
      name: 'coredns_dns_requests_total',
      help: 'Counter of DNS requests made per zone, protocol and family.',
      labelNames: ['server', 'zone', 'view', 'proto', 'family', 'type'],
      registers,
    });
    this.responses = new Counter({
      name: 'coredns_dns_responses_total',
      help: 'Counter of response status codes.',
      labelNames: ['server', 'zone', 'view', 'rcode', 'plugin'],
      registers,
    });
    this.duration = new Histogram({
      name: 'coredns_dns_request_duration_seconds',
      help: 'Histogram of the time (in seconds) each request took.',
      labelNames: ['server', 'zone', 'view', 'type'],
      buckets,
      registers,
    });
  }

  /** One answered query; `server` is CoreDNS's `dns://host:port`. */
  observe(q: { server: string; proto: 'udp' | 'tcp'; family: 4 | 6; msg: Uint8Array; rcode: string; seconds: number }): void {
    const type = queryType(q.msg);
    const base = { server: q.server, zone: '.', view: '' };
    this.requests.inc({ ...base, proto: q.proto, family: String(q.family === 6 ? 2 : 1), type });
    this.responses.inc({ ...base, rcode: q.rcode, plugin: '' });
    this.duration.observe({ ...base, type }, q.seconds);
  }
}
