/**
 * Issue 5's acceptance through the real kubectl and real containers on two nodes, each a
 * `skiff agent --runtime runc` in its own network namespace with the nftables service proxy:
 * a ClusterIP Service by DNS name answers from all three replicas (from both nodes), a
 * headless Service returns every pod IP and a StatefulSet pod name resolves, a NodePort answers
 * on each node address and a LoadBalancer Service on each status address from every replica
 * (so through the other node too), a node reaches the other node's pods, a readiness failure takes
 * a pod out of rotation, and a rolling update behind the Service under steady load loses no
 * request. Needs root, runc, nft, skopeo and busybox-static; skips with the reason otherwise.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBusyboxImage, pushImage } from '../support/busybox-image.ts';
import { eventually } from '../support/kubectl.ts';
import { netnsSkipReason, startNetnsNodes, type NetnsNodes } from '../support/netns-nodes.ts';

const skip = netnsSkipReason();
if (skip) process.stdout.write(`# networking-acceptance: skipped: ${skip}\n`);

const names = ['nwa', 'nwb'];

describe('services, DNS and load balancing across two nodes', { skip }, () => {
  let env: NetnsNodes;
  let work: string;
  let image: string;
  const kubectl = (args: string[], input?: string) => env.cluster.kubectl.ok(args, input === undefined ? {} : { input });
  const inClient = (node: string, script: string) => kubectl(['-n', 'demo', 'exec', `client-${node}`, '--', 'sh', '-c', script]);
  const apply = (obj: unknown) => kubectl(['apply', '-f', '-'], JSON.stringify(obj));
  const webPods = async () => (await kubectl(['-n', 'demo', 'get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].metadata.name}'])).split(/\s+/).filter(Boolean);
  /** Hostnames answering `n` requests to a URL from a client pod. */
  const answers = async (node: string, url: string, n: number) =>
    new Set((await inClient(node, `for i in $(seq ${n}); do timeout 3 wget -qO- ${url}; done`)).split('\n').map((l) => l.trim()).filter(Boolean));
  const webServer = (ready = true) => ({
    name: 'httpd', image,
    command: ['sh', '-c', `mkdir -p /www && hostname > /www/index.html && ${ready ? 'echo ok > /www/ready &&' : ''} exec httpd -f -p 8080 -h /www`],
    readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 1, failureThreshold: 1 },
    lifecycle: { preStop: { exec: { command: ['sleep', '2'] } } },
  });

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'skiff-netacc-e2e-'));
    env = await startNetnsNodes({ bridge: 'sknw0', subnet: '10.81.0', nodes: names, clusterCidr: '10.42.0.0/16', cluster: { server: { dnsPort: 0 } } });
    const { layoutDir } = await buildBusyboxImage(work);
    await pushImage(layoutDir, env.registryPush, 'busybox:1.36');
    image = `${env.registry}/busybox:1.36`;
    for (const n of names)
      await eventually(async () => (await kubectl(['get', 'node', n, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']).catch(() => '')) === 'True', 40_000, `node ${n} Ready`);
    await kubectl(['create', 'namespace', 'demo']);
    await kubectl(['create', 'namespace', 'data']);
    await apply({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'demo' },
      spec: {
        replicas: 3, selector: { matchLabels: { app: 'web' } },
        strategy: { rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: { metadata: { labels: { app: 'web' } }, spec: { terminationGracePeriodSeconds: 5, containers: [webServer()] } },
      },
    });
    await apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'demo' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } });
    await apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'data' }, spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ name: 'http', port: 8080 }] } });
    await apply({
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'data' },
      spec: { serviceName: 'web', replicas: 3, podManagementPolicy: 'Parallel', selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [webServer()] } } },
    });
    for (const n of names)
      await apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `client-${n}`, namespace: 'demo' }, spec: { nodeName: n, containers: [{ name: 'c', image, command: ['sleep', '3600'] }] } });
    await kubectl(['-n', 'demo', 'rollout', 'status', 'deploy/web', '--timeout=90s']);
    await kubectl(['-n', 'data', 'rollout', 'status', 'sts/web', '--timeout=90s']);
    for (const n of names) await kubectl(['-n', 'demo', 'wait', '--for=condition=Ready', `pod/client-${n}`, '--timeout=60s']);
  });
  after(async () => {
    if (env && process.env.SKIFF_KEEP_LOGS) for (const n of env.nodes) process.stdout.write(`# ${n.name} log:\n${await readFile(n.logFile, 'utf8').catch(() => '')}\n`);
    await env?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('wget http://web.demo.svc.cluster.local answers from all three replicas, from pods on both nodes', async () => {
    const pods = new Set(await webPods());
    assert.equal(pods.size, 3);
    for (const n of names) {
      const seen = await eventually(async () => {
        const s = await answers(n, 'http://web.demo.svc.cluster.local', 30);
        return s.size === 3 ? s : undefined;
      }, 30_000, `all replicas answer from ${n}`);
      assert.deepEqual([...seen].sort(), [...pods].sort());
    }
    // The short name through the search path, as a pod in the namespace would use it.
    assert.ok(pods.has((await inClient('nwa', 'timeout 3 wget -qO- http://web')).trim()));
  });

  it('resolves a headless Service to every pod IP and a StatefulSet pod by hostname', async () => {
    const ips = (await kubectl(['-n', 'data', 'get', 'pods', '-l', 'app=db', '-o', 'jsonpath={.items[*].status.podIP}'])).split(/\s+/).filter(Boolean).sort();
    assert.equal(ips.length, 3);
    const out = await inClient('nwa', 'nslookup web.data.svc.cluster.local');
    const found = [...out.matchAll(/Address(?: \d+)?:\s*(10\.42\.\d+\.\d+)/g)].map((m) => m[1]!).sort();
    assert.deepEqual(found, ips, out);
    const web0 = await kubectl(['-n', 'data', 'get', 'pod', 'web-0', '-o', 'jsonpath={.status.podIP}']);
    assert.match(await inClient('nwb', 'nslookup web-0.web.data.svc.cluster.local'), new RegExp(`Address(?: \\d+)?:\\s*${web0.replace(/\./g, '\\.')}\\b`));
    assert.equal((await inClient('nwb', 'timeout 3 wget -qO- http://web-0.web.data.svc.cluster.local:8080')).trim(), 'web-0');
    const nx = await env.cluster.kubectl(['-n', 'demo', 'exec', 'client-nwa', '--', 'nslookup', 'nothing.demo.svc.cluster.local']);
    assert.notEqual(nx.code, 0, 'NXDOMAIN for a name that does not exist');
  });

  /** The body of a GET from the test process (the host side of the node network), '' on failure. */
  const hostGet = (url: string) =>
    fetch(url, { signal: AbortSignal.timeout(3000), headers: { connection: 'close' } }).then((r) => r.text()).then((t) => t.trim()).catch(() => '');
  /** Requests from the host, a new connection each, until every web pod has answered. */
  const everyPodAnswers = async (url: string, pods: Set<string>, diagnose: () => Promise<string>) => {
    const seen = new Set<string>();
    await eventually(async () => {
      const body = await hostGet(url);
      if (body) seen.add(body);
      return seen.size === pods.size;
    }, 40_000, url).catch(async (err: Error) => {
      throw new Error(`${err.message}: answered by ${[...seen].join(', ') || 'none'} of ${[...pods].join(', ')}\n${await diagnose()}`);
    });
    assert.deepEqual([...seen].sort(), [...pods].sort());
  };
  const nodeState = async (n: NetnsNodes['nodes'][number]) => {
    const nft = (() => { try { return env.inNode(n.name, ['nft', 'list', 'table', 'ip', `skiff_proxy_${n.name}`]); } catch (e) { return String(e); } })();
    const log = (await readFile(n.logFile, 'utf8').catch(() => '')).split('\n').filter((l) => /proxy|error|warn/i.test(l)).slice(-20).join('\n');
    return `--- ${n.name} nft ---\n${nft.slice(0, 3000)}\n--- ${n.name} agent log ---\n${log}`;
  };

  // Pods route only the pod and service networks: what a node forwards or sends to a pod on the
  // other node must leave from the node's pod-network address, or that pod cannot answer.
  it('answers a NodePort on each node address from every replica, on both nodes', async () => {
    await kubectl(['-n', 'demo', 'expose', 'deploy/web', '--name=web-np', '--type=NodePort', '--port=80', '--target-port=8080']);
    const nodePort = await kubectl(['-n', 'demo', 'get', 'svc', 'web-np', '-o', 'jsonpath={.spec.ports[0].nodePort}']);
    const pods = new Set(await webPods());
    for (const n of env.nodes) await everyPodAnswers(`http://${n.ip}:${nodePort}/`, pods, () => nodeState(n));
  });

  it('answers a LoadBalancer Service on each status address from every replica', async () => {
    await kubectl(['-n', 'demo', 'expose', 'deploy/web', '--name=web-lb', '--type=LoadBalancer', '--port=8081', '--target-port=8080']);
    const want = env.nodes.map((n) => n.ip).sort().join(' ');
    const ingress = await eventually(async () => {
      const ips = (await kubectl(['-n', 'demo', 'get', 'svc', 'web-lb', '-o', 'jsonpath={.status.loadBalancer.ingress[*].ip}'])).trim().split(/\s+/).filter(Boolean).sort();
      return ips.join(' ') === want ? ips : undefined;
    }, 20_000, `LoadBalancer ingress ${want}`);
    const pods = new Set(await webPods());
    for (const ip of ingress) await everyPodAnswers(`http://${ip}:8081/`, pods, () => nodeState(env.nodes.find((n) => n.ip === ip)!));
  });

  it('a node itself reaches the pods on the other node', async () => {
    const rows = (await kubectl(['-n', 'demo', 'get', 'pods', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.spec.nodeName} {.status.podIP}{"\\n"}{end}'])).trim().split('\n').map((l) => l.split(' ') as [string, string, string]);
    let checked = 0;
    for (const n of env.nodes) {
      for (const [pod, node, ip] of rows.filter(([, node]) => node !== n.name)) {
        const body = await eventually(() => {
          try {
            return env.inNode(n.name, [process.execPath, '-e', `fetch('http://${ip}:8080/', { signal: AbortSignal.timeout(3000) }).then((r) => r.text()).then((t) => process.stdout.write(t))`]).trim() || undefined;
          } catch {
            return undefined;
          }
        }, 15_000, `${pod} (${ip} on ${node}) from node ${n.name}`);
        assert.equal(body, pod);
        checked++;
      }
    }
    assert.equal(checked, 3, 'every pod checked from the node it is not on');
  });

  it('takes a pod out of rotation when its readiness probe fails', async () => {
    const [victim] = await webPods();
    await kubectl(['-n', 'demo', 'exec', victim!, '--', 'rm', '/www/ready']);
    const started = Date.now();
    await eventually(async () => {
      const slices = JSON.parse(await kubectl(['-n', 'demo', 'get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '-o', 'json'])) as { items: { endpoints?: { targetRef?: { name?: string }; conditions?: { ready?: boolean } }[] }[] };
      const ep = slices.items.flatMap((s) => s.endpoints ?? []).find((e) => e.targetRef?.name === victim);
      return ep?.conditions?.ready === false;
    }, 10_000, `${victim} not ready in the EndpointSlice`);
    assert.ok(Date.now() - started < 10_000);
    const seen = await answers('nwa', 'http://web.demo.svc.cluster.local', 20);
    assert.ok(!seen.has(victim!), `no answer from ${victim}: ${[...seen]}`);
    await kubectl(['-n', 'demo', 'exec', victim!, '--', 'sh', '-c', 'echo ok > /www/ready']);
    await eventually(async () => (await answers('nwa', 'http://web.demo.svc.cluster.local', 20)).has(victim!), 20_000, `${victim} back in rotation`);
  });

  it('loses no request during a rolling update behind the Service', async () => {
    const loop = inClient('nwb', 'ok=0; bad=0; end=$(( $(date +%s) + 25 )); while [ $(date +%s) -lt $end ]; do if timeout 3 wget -qO- http://web.demo.svc.cluster.local >/dev/null 2>&1; then ok=$((ok+1)); else bad=$((bad+1)); fi; done; echo "$ok $bad"');
    await new Promise((r) => setTimeout(r, 2000));
    const before = new Set(await webPods());
    await kubectl(['-n', 'demo', 'rollout', 'restart', 'deploy/web']);
    await kubectl(['-n', 'demo', 'rollout', 'status', 'deploy/web', '--timeout=60s']);
    const [ok, bad] = (await loop).trim().split(' ').map(Number);
    const after_ = new Set(await webPods());
    assert.ok([...after_].every((p) => !before.has(p)), 'all pods replaced');
    assert.ok(ok! > 20, `requests answered: ${ok}`);
    assert.equal(bad, 0, `failed requests: ${bad} of ${ok! + bad!}`);
  });
});
