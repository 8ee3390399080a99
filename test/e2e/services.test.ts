/**
 * Acceptance for Services on `skiff server --sim-nodes 3`, driven by the real kubectl:
 * `kubectl expose` gets a ClusterIP in 10.43.0.0/16 with upstream's columns; Endpoints and
 * EndpointSlices list the three pod IPs and move a pod to not-ready when its Ready condition
 * turns False; NodePort allocation; a conflicting explicit clusterIP is refused with upstream's
 * message; the `kubernetes` Service is 10.43.0.1; headless Services have no ClusterIP; a
 * restart (SQLite) keeps every allocation.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, haveKubectl } from '../support/kubectl.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

const web = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: svc}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: app
        image: nginx:1.25
        ports: [{name: http, containerPort: 8080}]
`;

interface PodLite {
  metadata: { name: string };
  status: { podIP?: string; conditions?: { type: string; status: string }[] };
}
interface EndpointsLite {
  subsets?: { addresses?: { ip: string }[]; notReadyAddresses?: { ip: string }[]; ports?: { port: number }[] }[];
}
interface SliceLite {
  metadata: { labels: Record<string, string> };
  endpoints: { addresses: string[]; conditions: { ready: boolean; serving: boolean; terminating: boolean }; nodeName?: string }[] | null;
  ports: { port: number }[] | null;
}

describe('services on simulated nodes', { skip: haveKubectl ? false : 'kubectl not installed at /usr/bin/kubectl' }, () => {
  let c: TestCluster;
  const json = async <T>(args: string[]): Promise<T> => JSON.parse(await c.kubectl.ok([...args, '-o', 'json'])) as T;
  const setReady = (pod: string, status: 'True' | 'False') =>
    c.kubectl.ok(['patch', 'pod', pod, '-n', 'svc', '--subresource=status', '-p', JSON.stringify({ status: { conditions: [{ type: 'Ready', status }] } })]);
  const endpoints = () => json<EndpointsLite>(['get', 'endpoints', 'web', '-n', 'svc']);
  const ips = (list: { ip: string }[] | undefined) => (list ?? []).map((a) => a.ip).sort();

  before(async () => {
    c = await startCluster({ simNodes: 3 });
    await c.kubectl.ok(['create', 'namespace', 'svc']);
  });
  after(async () => {
    await c?.stop();
  });

  it('gives the kubernetes Service the first address of the range', async () => {
    const out = await c.kubectl.ok(['get', 'svc', 'kubernetes']);
    assert.match(out.split('\n')[0]!, /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/);
    assert.match(out, /^kubernetes\s+ClusterIP\s+10\.43\.0\.1\s+<none>\s+443\/TCP\s+/m);
    const ep = await json<EndpointsLite>(['get', 'endpoints', 'kubernetes']);
    assert.deepEqual(ips(ep.subsets?.[0]?.addresses), ['127.0.0.1']);
    assert.equal(ep.subsets?.[0]?.ports?.[0]?.port, c.server.port);
  });

  it('exposes a deployment with endpoints and slices that follow pod readiness', async () => {
    await c.kubectl.ok(['apply', '-f', '-'], { input: web });
    await c.kubectl.ok(['expose', 'deployment', 'web', '-n', 'svc', '--port=80', '--target-port=http']);
    const svc = await c.kubectl.ok(['get', 'svc', 'web', '-n', 'svc']);
    assert.match(svc, /^web\s+ClusterIP\s+10\.43\.\d+\.\d+\s+<none>\s+80\/TCP\s+/m);

    const pods = await eventually(async () => {
      const ps = (await json<{ items: PodLite[] }>(['get', 'pods', '-n', 'svc', '-l', 'app=web'])).items;
      return ps.length === 3 && ps.every((p) => p.status.podIP) ? ps : undefined;
    }, 30_000, 'three web pods with IPs');
    const podIPs = pods.map((p) => p.status.podIP!).sort();
    const ep = await eventually(async () => {
      const e = await endpoints();
      return JSON.stringify(ips(e.subsets?.[0]?.addresses)) === JSON.stringify(podIPs) ? e : undefined;
    }, 20_000, 'three ready addresses');
    assert.equal(ep.subsets?.[0]?.ports?.[0]?.port, 8080, 'named targetPort resolved to the container port');
    const wide = await c.kubectl.ok(['get', 'endpoints', 'web', '-n', 'svc']);
    for (const ip of podIPs) assert.ok(wide.includes(`${ip}:8080`), wide);

    const slices = await eventually(async () => {
      const s = (await json<{ items: SliceLite[] }>(['get', 'endpointslices', '-n', 'svc', '-l', 'kubernetes.io/service-name=web'])).items;
      return s.length === 1 && (s[0]!.endpoints ?? []).filter((e) => e.conditions.ready).length === 3 ? s : undefined;
    }, 20_000, 'one slice with three ready endpoints');
    assert.equal(slices[0]!.metadata.labels['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
    assert.deepEqual((slices[0]!.endpoints ?? []).map((e) => e.addresses[0]).sort(), podIPs);
    assert.ok((slices[0]!.endpoints ?? []).every((e) => e.nodeName?.startsWith('sim-') || !!e.nodeName));
    assert.equal(slices[0]!.ports?.[0]?.port, 8080);
    const table = await c.kubectl.ok(['get', 'endpointslices', '-n', 'svc']);
    assert.match(table, /^web-\w+\s+IPv4\s+8080\s+/m);

    const unready = pods[0]!;
    await setReady(unready.metadata.name, 'False');
    await eventually(async () => {
      const e = await endpoints();
      return ips(e.subsets?.[0]?.notReadyAddresses).includes(unready.status.podIP!) && ips(e.subsets?.[0]?.addresses).length === 2;
    }, 20_000, 'the unready pod under notReadyAddresses');
    await eventually(async () => {
      const s = (await json<{ items: SliceLite[] }>(['get', 'endpointslices', '-n', 'svc', '-l', 'kubernetes.io/service-name=web'])).items;
      const e = (s[0]?.endpoints ?? []).find((x) => x.addresses[0] === unready.status.podIP);
      return e && !e.conditions.ready && !e.conditions.serving && !e.conditions.terminating;
    }, 20_000, 'the unready pod not ready in its slice');
  });

  it('allocates node ports, refuses a taken clusterIP, and keeps headless services without one', async () => {
    await c.kubectl.ok(['create', 'service', 'nodeport', 'np', '-n', 'svc', '--tcp=80:8080']);
    const np = await json<{ spec: { ports: { nodePort: number }[] } }>(['get', 'svc', 'np', '-n', 'svc']);
    const port = np.spec.ports[0]!.nodePort;
    assert.ok(port >= 30000 && port <= 32767, `nodePort ${port}`);
    assert.match(await c.kubectl.ok(['get', 'svc', 'np', '-n', 'svc']), new RegExp(`^np\\s+NodePort\\s+10\\.43\\.\\S+\\s+<none>\\s+80:${port}/TCP`, 'm'));

    await c.kubectl.ok(['create', 'service', 'clusterip', 'fixed', '-n', 'svc', '--tcp=80:80', '--clusterip=10.43.0.10']);
    const clash = await c.kubectl(['create', 'service', 'clusterip', 'clash', '-n', 'svc', '--tcp=80:80', '--clusterip=10.43.0.10']);
    assert.notEqual(clash.code, 0);
    assert.match(clash.stderr, /spec\.clusterIPs: Invalid value: \[\]string\{"10\.43\.0\.10"\}: failed to allocate IP 10\.43\.0\.10: provided IP is already allocated/);
    const taken = await c.kubectl(['create', 'service', 'nodeport', 'np2', '-n', 'svc', '--tcp=81:81', `--node-port=${port}`]);
    assert.notEqual(taken.code, 0);
    assert.match(taken.stderr, new RegExp(`spec\\.ports\\[0\\]\\.nodePort: Invalid value: ${port}: provided port is already allocated`));

    await c.kubectl.ok(['create', 'service', 'clusterip', 'db', '-n', 'svc', '--clusterip=None']);
    assert.match(await c.kubectl.ok(['get', 'svc', 'db', '-n', 'svc']), /^db\s+ClusterIP\s+None\s+<none>\s+<none>\s+/m);

    // Released on delete: the address can be had again.
    await c.kubectl.ok(['delete', 'svc', 'fixed', '-n', 'svc']);
    await c.kubectl.ok(['create', 'service', 'clusterip', 'again', '-n', 'svc', '--tcp=80:80', '--clusterip=10.43.0.10']);
  });

  it('keeps allocations across a restart', async () => {
    const before = await json<{ spec: { clusterIP: string; ports: { nodePort: number }[] } }>(['get', 'svc', 'np', '-n', 'svc']);
    await c.stopServer();
    await c.restart();
    const clash = await c.kubectl(['create', 'service', 'clusterip', 'clash2', '-n', 'svc', '--tcp=80:80', `--clusterip=${before.spec.clusterIP}`]);
    assert.notEqual(clash.code, 0);
    assert.match(clash.stderr, /provided IP is already allocated/);
    const taken = await c.kubectl(['create', 'service', 'nodeport', 'np3', '-n', 'svc', '--tcp=82:82', `--node-port=${before.spec.ports[0]!.nodePort}`]);
    assert.notEqual(taken.code, 0);
    assert.match(await c.kubectl.ok(['get', 'svc', 'kubernetes']), /10\.43\.0\.1\s/);
    const ep = await json<EndpointsLite>(['get', 'endpoints', 'kubernetes']);
    assert.equal(ep.subsets?.[0]?.ports?.[0]?.port, c.server.port, 'the kubernetes endpoints follow the new port');
  });
});
