import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import dnsPacket from 'dns-packet';
import { Registry } from 'prom-client';
import { DnsMetrics, queryType } from './metrics.ts';

const query = (type: string, name = 'kubernetes.default.svc.cluster.local') =>
  dnsPacket.encode({ type: 'query', id: 1, questions: [{ type, name, class: 'IN' } as never] });

describe('DNS metrics', () => {
  it('reads the question type off the wire as CoreDNS names it', () => {
    assert.equal(queryType(query('A')), 'A');
    assert.equal(queryType(query('AAAA')), 'AAAA');
    assert.equal(queryType(query('SRV', '_http._tcp.web.default.svc.cluster.local')), 'SRV');
    assert.equal(queryType(query('CAA')), 'other');
    assert.equal(queryType(new Uint8Array(5)), 'other');
  });

  it('counts requests, responses and durations with CoreDNS labels', async () => {
    const reg = new Registry();
    new DnsMetrics(reg).observe({ server: 'dns://127.0.0.1:53', proto: 'udp', family: 4, msg: query('A'), rcode: 'NXDOMAIN', seconds: 0.001 });
    const text = await reg.metrics();
    assert.match(text, /^coredns_dns_requests_total\{server="dns:\/\/127.0.0.1:53",zone="\.",view="",proto="udp",family="1",type="A"\} 1$/m);
    assert.match(text, /^coredns_dns_responses_total\{server="dns:\/\/127.0.0.1:53",zone="\.",view="",rcode="NXDOMAIN",plugin=""\} 1$/m);
    assert.match(text, /^coredns_dns_request_duration_seconds_count\{server="dns:\/\/127.0.0.1:53",zone="\.",view="",type="A"\} 1$/m);
  });
});
