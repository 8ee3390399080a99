/**
 * Acceptance for ClusterIPs on the default single-machine setup: `skiff server` as root with the
 * runc runtime runs its node on the host's own network, where the proxy is the userspace backend
 * and the host does not forward. Pods on the node bridge still reach every ClusterIP: an nft
 * table of our own (`ip skiff_svc_redirect_<bridge>`) DNATs their service traffic to the proxy's
 * sockets on the bridge address. From a busybox pod: DNS through 10.43.0.10 (→ the cluster DNS),
 * `wget` of a Service name (→ both replicas), ClientIP affinity by the pod's address, and after
 * the Service is deleted its rule is gone and the ClusterIP stops answering; the table goes with
 * the server. Needs root, runc, nft, skopeo and busybox-static; skips with the reason otherwise.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { runcSkipReason } from '../support/busybox-image.ts';
import { eventually } from '../support/kubectl.ts';
import { startRuncCluster, type RuncCluster } from '../support/runc-cluster.ts';

function nftSkipReason(): string | false {
  return spawnSync('sh', ['-c', 'command -v nft'], { stdio: 'ignore' }).status === 0 ? false : 'nft (nftables) is not installed';
}

const skip = runcSkipReason() || nftSkipReason();
if (skip) process.stdout.write(`# cluster-ip-host: skipped: ${skip}\n`);

const bridge = 'skrsvc0';
const table = 'skiff_svc_redirect_skrsvc0';
/** The redirect table as nft lists it, or undefined when it does not exist. */
const listTable = (): string | undefined => {
  const r = spawnSync('nft', ['list', 'table', 'ip', table], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout : undefined;
};

describe('pods reach ClusterIPs on the host network (userspace proxy + nft redirect)', { skip }, () => {
  let env: RuncCluster;
  let image: string;
  let clusterIP: string;
  const kubectl = (args: string[], input?: string) => env.cluster.kubectl.ok(args, input === undefined ? {} : { input });
  const apply = (obj: unknown) => kubectl(['apply', '-f', '-'], JSON.stringify(obj));
  const inClient = (script: string, pod = 'client') => kubectl(['-n', 'demo', 'exec', pod, '--', 'sh', '-c', script]);
  const answers = async (url: string, n: number, pod = 'client') =>
    (await inClient(`for i in $(seq ${n}); do timeout 3 wget -qO- ${url}; done; true`, pod)).split('\n').map((l) => l.trim()).filter(Boolean);

  before(async () => {
    env = await startRuncCluster({ nodeName: 'skiff-hostsvc-e2e', bridge, clusterCidr: '10.67.0.0/16', cluster: { server: { dnsPort: 0 } } });
    image = env.image;
    await kubectl(['create', 'namespace', 'demo']);
    await apply({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'demo' },
      spec: {
        replicas: 2, selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            terminationGracePeriodSeconds: 1,
            containers: [{
              name: 'httpd', image,
              command: ['sh', '-c', 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www'],
              readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
            }],
          },
        },
      },
    });
    await apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'demo' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } });
    for (const name of ['client', 'client2'])
      await apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'demo' }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image, command: ['sleep', '3600'] }] } });
    await kubectl(['-n', 'demo', 'rollout', 'status', 'deploy/web', '--timeout=60s']);
    await kubectl(['-n', 'demo', 'wait', '--for=condition=Ready', 'pod/client', 'pod/client2', '--timeout=60s']);
    clusterIP = await kubectl(['-n', 'demo', 'get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}']);
  });
  after(async () => {
    await env?.stop();
  });

  it('runs the node on the host network without switching on forwarding', () => {
    assert.equal(execFileSync('sysctl', ['-n', 'net.ipv4.ip_forward'], { encoding: 'utf8' }).trim(), '0');
    const t = listTable();
    assert.ok(t, `table ip ${table} exists`);
    assert.match(t, new RegExp(`iifname "${bridge}" ip daddr 10\\.43\\.0\\.10 udp dport 53 dnat to 10\\.67\\.\\d+\\.1:\\d+`));
  });

  it('resolves a Service name through the cluster DNS ClusterIP', async () => {
    const out = await eventually(async () => {
      const o = await inClient('nslookup web.demo.svc.cluster.local 2>&1; true');
      return o.includes(clusterIP) ? o : undefined;
    }, 15_000, 'nslookup answers');
    assert.match(out, /10\.43\.0\.10/, 'answered by the DNS ClusterIP');
    assert.match(out, new RegExp(`Address(?: \\d+)?:\\s*${clusterIP.replace(/\./g, '\\.')}\\b`));
  });

  it('wget http://web.demo.svc.cluster.local answers from both replicas', async () => {
    const pods = (await kubectl(['-n', 'demo', 'get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].metadata.name}'])).split(/\s+/).filter(Boolean).sort();
    assert.equal(pods.length, 2);
    const seen = await eventually(async () => {
      const s = new Set(await answers('http://web.demo.svc.cluster.local', 10));
      return s.size === 2 ? s : undefined;
    }, 20_000, 'both replicas answer');
    assert.deepEqual([...seen].sort(), pods);
    assert.ok(pods.includes((await inClient('timeout 3 wget -qO- http://web')).trim()), 'short name through the search path');
  });

  it('keeps ClientIP affinity by the pod address', async () => {
    await kubectl(['-n', 'demo', 'patch', 'svc', 'web', '-p', '{"spec":{"sessionAffinity":"ClientIP"}}']);
    const first = await eventually(async () => {
      const a = await answers(`http://${clusterIP}`, 6);
      return a.length === 6 && new Set(a).size === 1 ? a[0] : undefined;
    }, 10_000, 'one replica for every request of client');
    // The second client's first pick is the next one round-robin: only if the proxy tells the
    // two pods apart (it sees their addresses, not the bridge's) does it stick elsewhere.
    const second = await answers(`http://${clusterIP}`, 6, 'client2');
    assert.equal(second.length, 6);
    assert.equal(new Set(second).size, 1, `client2 sticks to one replica: ${second.join(' ')}`);
    assert.notEqual(second[0], first, 'the two pods are two clients to the affinity');
    assert.deepEqual(new Set(await answers(`http://${clusterIP}`, 4)), new Set([first]));
  });

  it('stops answering on a deleted Service ClusterIP and drops its rule', async () => {
    assert.match(listTable() ?? '', new RegExp(`ip daddr ${clusterIP.replace(/\./g, '\\.')} tcp dport 80 `));
    await kubectl(['-n', 'demo', 'delete', 'svc', 'web']);
    await eventually(() => !(listTable() ?? '').includes(`ip daddr ${clusterIP} `), 5_000, 'rule removed');
    const out = await inClient(`timeout 3 wget -qO- http://${clusterIP} >/dev/null 2>&1 && echo answered || echo failed`);
    assert.equal(out.trim(), 'failed');
    // The DNS rule stays: only the deleted Service's went.
    assert.match(listTable() ?? '', /ip daddr 10\.43\.0\.10 udp dport 53 /);
  });

  it('removes the table when the server stops', async () => {
    await env.cluster.stopServer();
    assert.equal(listTable(), undefined);
  });
});
