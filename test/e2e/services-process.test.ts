/**
 * Acceptance for Services on `skiff server --runtime process`, where the embedded node runs the
 * userspace service proxy on the host network, driven by the real kubectl: a NodePort answers on
 * 127.0.0.1:<nodePort> from both replicas, ClientIP affinity sticks, a LoadBalancer answers on its
 * status address, a ClusterIP from a loopback service CIDR (127.43.0.0/16) answers, kube-dns
 * answers on its ClusterIP, scaling to 0 refuses at once and endpoint changes apply < 1 s.
 *
 * Process pods share 127.0.0.1: replicas of one Deployment listen on one port (SO_REUSEPORT),
 * so the proxy sees them as ONE endpoint and the kernel spreads between them. Affinity is
 * therefore checked between two Deployments on distinct ports behind one Service.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import dnsPacket from 'dns-packet';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { KubeObject } from '../../src/api/object.ts';
import { refs } from '../../src/client/refs.ts';
import { Client } from '../../src/client/rest.ts';
import { eventually, haveKubectl } from '../support/kubectl.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

const node = 'svc-proc-node';
const basePort = 21000 + Math.floor(Math.random() * 20000);
const serviceCidr = '127.43.0.0/16';
const clusterDns = '127.43.0.10';

/** Host processes answering every GET with their pod name; replicas share the port (SO_REUSEPORT). */
function webDeployment(name: string, port: number, replicas: number, labels: Record<string, string>) {
  const py = [
    'import os, socket, http.server as h',
    'class H(h.BaseHTTPRequestHandler):',
    "  protocol_version = 'HTTP/1.1'",
    '  def do_GET(s):',
    "    b = os.environ['POD_NAME'].encode(); s.send_response(200); s.send_header('content-length', str(len(b))); s.send_header('connection', 'close'); s.end_headers(); s.wfile.write(b)",
    '  def log_message(s, *a): pass',
    'class S(h.ThreadingHTTPServer):',
    '  daemon_threads = True',
    '  def server_bind(s): s.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1); super().server_bind()',
    "S(('127.0.0.1', int(os.environ['PORT'])), H).serve_forever()",
  ].join('\n');
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
    spec: {
      replicas, selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, ...labels } },
        spec: {
          nodeName: node, terminationGracePeriodSeconds: 1,
          containers: [{
            name: 'web', image: 'python:3', command: ['/usr/bin/python3', '-c', py],
            env: [{ name: 'PORT', value: String(port) }, { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
            ports: [{ name: 'http', containerPort: port }],
            readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 1 },
          }],
        },
      },
    },
  };
}

/** One GET on a fresh connection: the body, or the socket error's code (ECONNRESET, ECONNREFUSED). */
function get(host: string, port: number, timeoutMs = 2000): Promise<{ body?: string; error?: string }> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path: '/', agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ body }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
  });
}

describe('Services on the process runtime (userspace proxy)', { skip: !haveKubectl && 'kubectl is not installed' }, () => {
  let cluster: TestCluster;
  let client: Client;
  const kubectl = (args: string[], input?: string) => cluster.kubectl.ok(args, { input });
  const apply = (...objs: object[]) => kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objs }));
  const svc = (name: string, selector: Record<string, string>, spec: Record<string, unknown> = {}) =>
    ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector, ports: [{ name: 'http', port: 80, targetPort: 'http' }], ...spec } });
  const getSvc = (name: string) => client.resource<Service & KubeObject>(refs.services).get(name, 'default');
  const readyEndpoints = async (service: string) => {
    const slices = await client.resource<EndpointSlice & KubeObject>(refs.endpointslices).list({ namespace: 'default', labelSelector: `kubernetes.io/service-name=${service}` });
    return slices.items.flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready !== false)).length;
  };
  /** Pod names answering `n` fresh connections. */
  const names = async (host: string, port: number, n: number) => {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = await get(host, port);
      assert.ok(r.body, `answer ${i} from ${host}:${port}: ${r.error}`);
      out.push(r.body);
    }
    return out;
  };

  before(async () => {
    cluster = await startCluster({
      server: { disableAgent: false, runtime: 'process', nodeName: node, serviceCidr, clusterDns, dnsPort: 0 },
      agentOptions: { resyncMs: 1000, relistMs: 250 },
    });
    client = new Client(cluster.server.transportFor({ username: 'test-admin', groups: ['system:masters', 'system:authenticated'] }));
    await apply(webDeployment('web', basePort, 2, { tier: 'front' }), webDeployment('extra', basePort + 1, 1, { tier: 'front' }));
    await kubectl(['rollout', 'status', 'deployment/web', '--timeout=30s']);
    await kubectl(['rollout', 'status', 'deployment/extra', '--timeout=30s']);
  });
  after(async () => {
    await cluster?.stop();
  });

  it('answers a NodePort on 127.0.0.1 from both replicas', async () => {
    await apply(svc('web-np', { app: 'web' }, { type: 'NodePort' }));
    const s = await getSvc('web-np');
    const nodePort = s.spec!.ports![0]!.nodePort!;
    assert.ok(nodePort >= 30000 && nodePort <= 32767, `nodePort ${nodePort}`);
    await eventually(async () => (await get('127.0.0.1', nodePort)).body?.startsWith('web-'), 10_000, 'NodePort answers');
    // One endpoint 127.0.0.1:<port> behind which the kernel spreads over the two listeners.
    await eventually(async () => new Set(await names('127.0.0.1', nodePort, 20)).size === 2, 10_000, 'both replicas answer');
  });

  it('spreads over endpoints and sticks with sessionAffinity: ClientIP', async () => {
    await apply(svc('front', { tier: 'front' }, { type: 'NodePort' }));
    const nodePort = (await getSvc('front')).spec!.ports![0]!.nodePort!;
    const groups = (xs: string[]) => new Set(xs.map((x) => x.split('-')[0]));
    await eventually(async () => (await readyEndpoints('front')) === 3, 10_000, 'front has 3 ready endpoints');
    await eventually(async () => groups(await names('127.0.0.1', nodePort, 6)).size === 2, 10_000, 'round robin reaches both ports');
    await kubectl(['patch', 'service', 'front', '--type=merge', '-p', JSON.stringify({ spec: { sessionAffinity: 'ClientIP' } })]);
    await eventually(async () => groups(await names('127.0.0.1', nodePort, 10)).size === 1, 10_000, 'affinity holds');
    assert.equal(groups(await names('127.0.0.1', nodePort, 20)).size, 1, 'every connection from this client goes to one endpoint');
  });

  it('answers a LoadBalancer Service on its status address and port', async () => {
    await apply({ ...svc('web-lb', { app: 'web' }), spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ name: 'http', port: basePort + 2, targetPort: 'http' }] } });
    const ip = await eventually(async () => (await getSvc('web-lb')).status?.loadBalancer?.ingress?.[0]?.ip, 10_000, 'load-balancer ingress');
    assert.equal(ip, '127.0.0.1');
    assert.match(await kubectl(['get', 'svc', 'web-lb']), new RegExp(`web-lb\\s+LoadBalancer\\s+127\\.43\\.\\d+\\.\\d+\\s+127\\.0\\.0\\.1\\s+${basePort + 2}:\\d+/TCP`));
    await eventually(async () => (await get(ip, basePort + 2)).body?.startsWith('web-'), 10_000, 'LoadBalancer answers');
  });

  it('answers a ClusterIP from the loopback service CIDR, and kube-dns on its ClusterIP', async () => {
    await apply(svc('web', { app: 'web' }));
    const clusterIP = (await getSvc('web')).spec!.clusterIP!;
    assert.match(clusterIP, /^127\.43\./);
    await eventually(async () => (await get(clusterIP, 80)).body?.startsWith('web-'), 10_000, 'ClusterIP answers');
    assert.equal((await client.resource<Service & KubeObject>(refs.services).get('kube-dns', 'kube-system')).spec!.clusterIP, clusterDns);
    const answer = await eventually(async () => {
      const sock = createSocket('udp4');
      try {
        const reply = await new Promise<Buffer | undefined>((resolve) => {
          const t = setTimeout(() => resolve(undefined), 1000);
          sock.once('message', (m) => { clearTimeout(t); resolve(m); });
          sock.send(dnsPacket.encode({ type: 'query', id: 7, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name: 'web.default.svc.cluster.local' }] }), 53, clusterDns);
        });
        const a = reply && dnsPacket.decode(reply).answers?.find((x) => x.type === 'A');
        return a && a.type === 'A' ? a.data : undefined;
      } finally {
        sock.close();
      }
    }, 10_000, 'DNS answer through the kube-dns ClusterIP');
    assert.equal(answer, clusterIP);
  });

  it('refuses at once with no endpoints and applies endpoint changes within a second', async () => {
    const nodePort = (await getSvc('web-np')).spec!.ports![0]!.nodePort!;
    await kubectl(['scale', 'deployment/web', '--replicas=0']);
    await eventually(async () => (await readyEndpoints('web-np')) === 0, 15_000, 'no ready endpoints');
    const gone = Date.now();
    await eventually(async () => (await get('127.0.0.1', nodePort, 500)).error, 5_000, 'proxy refuses');
    assert.ok(Date.now() - gone < 1000, `proxy stopped forwarding ${Date.now() - gone} ms after the slice changed`);
    const t0 = Date.now();
    const r = await get('127.0.0.1', nodePort, 5000);
    assert.ok(r.error && r.error !== 'TIMEOUT', `closed at once, not hanging: ${r.error}`);
    assert.ok(Date.now() - t0 < 500, `refused in ${Date.now() - t0} ms`);

    await kubectl(['scale', 'deployment/web', '--replicas=1']);
    await eventually(async () => (await readyEndpoints('web-np')) === 1, 20_000, 'a ready endpoint again');
    const back = Date.now();
    await eventually(async () => (await get('127.0.0.1', nodePort, 500)).body?.startsWith('web-'), 5_000, 'proxy forwards again');
    assert.ok(Date.now() - back < 1000, `proxy forwarded ${Date.now() - back} ms after the slice changed`);
  });
});
