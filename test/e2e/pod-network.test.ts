/**
 * Acceptance for the multi-node pod network: two `skiff agent --runtime runc` nodes, each in its
 * own network namespace on a host bridge, joined to a server listening on the bridge address.
 * Node IPAM gives each node a /24, the agents route each other's podCIDR via the node address
 * (host-gw), and a busybox pod on one node fetches from an httpd pod on the other, both ways.
 * Needs root, runc, nft, skopeo and busybox-static; skips with the reason otherwise.
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
if (skip) process.stdout.write(`# pod-network: skipped: ${skip}\n`);

interface PodView { status?: { phase?: string; podIP?: string; conditions?: { type: string; status: string }[]; containerStatuses?: { state?: { terminated?: { exitCode: number } } }[] } }

describe('pod network across two nodes (host-gw)', { skip }, () => {
  let env: NetnsNodes;
  let work: string;
  let image: string;
  const names = ['pna', 'pnb'];
  const ips: Record<string, string> = {};

  const kubectl = (args: string[], input?: string) => env.cluster.kubectl.ok(args, input === undefined ? {} : { input });
  const pod = async (name: string) => JSON.parse(await kubectl(['get', 'pod', name, '-o', 'json'])) as PodView;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'skiff-podnet-e2e-'));
    env = await startNetnsNodes({ bridge: 'sknn0', subnet: '10.80.0', nodes: names, clusterCidr: '10.42.0.0/16' });
    const { layoutDir } = await buildBusyboxImage(work);
    await pushImage(layoutDir, env.registryPush, 'busybox:1.36');
    image = `${env.registry}/busybox:1.36`;
    for (const n of names)
      await eventually(async () => (await kubectl(['get', 'node', n, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']).catch(() => '')) === 'True', 40_000, `node ${n} Ready`);
  });
  after(async () => {
    if (env && process.env.SKIFF_KEEP_LOGS) for (const n of env.nodes) process.stdout.write(`# ${n.name} log:\n${await readFile(n.logFile, 'utf8').catch(() => '')}\n`);
    await env?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('gives each node its InternalIP and a /24 podCIDR', async () => {
    const cidrs = new Set<string>();
    for (const n of env.nodes) {
      assert.equal(await kubectl(['get', 'node', n.name, '-o', 'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}']), n.ip);
      const cidr = await eventually(async () => (await kubectl(['get', 'node', n.name, '-o', 'jsonpath={.spec.podCIDR}'])) || undefined, 10_000, 'podCIDR');
      assert.match(cidr, /^10\.42\.\d+\.0\/24$/);
      cidrs.add(cidr);
    }
    assert.equal(cidrs.size, 2);
  });

  it('serves httpd from a pod on each node, reachable from its node', async () => {
    for (const n of names) {
      await kubectl(['apply', '-f', '-'], JSON.stringify({
        apiVersion: 'v1', kind: 'Pod', metadata: { name: `web-${n}` },
        spec: {
          nodeName: n,
          containers: [{
            name: 'httpd', image,
            command: ['sh', '-c', 'mkdir -p /www && echo "hello from $(hostname)" > /www/index.html && exec httpd -f -p 8080 -h /www'],
            readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
          }],
        },
      }));
    }
    for (const n of names) {
      ips[n] = await eventually(async () => {
        const p = await pod(`web-${n}`);
        return p.status?.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? p.status.podIP : undefined;
      }, 40_000, `web-${n} Ready`);
      const cidr = await kubectl(['get', 'node', n, '-o', 'jsonpath={.spec.podCIDR}']);
      assert.ok(ips[n]!.startsWith(cidr.replace(/0\/24$/, '')), `pod IP ${ips[n]} in ${cidr}`);
      // The node (its netns) reaches its own pod over its bridge.
      assert.equal(env.inNode(n, ['busybox', 'timeout', '3', 'busybox', 'wget', '-qO-', `http://${ips[n]}:8080/`]).trim(), `hello from web-${n}`);
    }
    // host-gw routes, tagged as ours, in each node's namespace.
    const routes = env.inNode('pna', ['ip', 'route', 'show', 'proto', '147']);
    const bCidr = await kubectl(['get', 'node', 'pnb', '-o', 'jsonpath={.spec.podCIDR}']);
    assert.match(routes, new RegExp(`${bCidr.replace(/[./]/g, '\\$&')} via 10\\.80\\.0\\.11`));
  });

  it('reaches joined agents for exec (their serving certificate comes from a kubelet-serving CSR)', async () => {
    const csrs = await kubectl(['get', 'csr', '-o', 'jsonpath={range .items[*]}{.spec.signerName}={.status.conditions[0].type}{"\\n"}{end}']);
    assert.equal(csrs.split('\n').filter((l) => l === 'kubernetes.io/kubelet-serving=Approved').length, 2, csrs);
    // Through the API server to node A's kubelet, then from the pod across to node B.
    const out = await kubectl(['exec', 'web-pna', '--', 'sh', '-c', `timeout 3 wget -qO- http://${ips.pnb}:8080/`]);
    assert.equal(out.trim(), 'hello from web-pnb');
  });

  it('lets a pod on one node reach a pod on the other, both ways', async () => {
    for (const [from, to] of [['pna', 'pnb'], ['pnb', 'pna']] as const) {
      const name = `get-${from}-${to}`;
      await kubectl(['apply', '-f', '-'], JSON.stringify({
        apiVersion: 'v1', kind: 'Pod', metadata: { name },
        spec: { nodeName: from, restartPolicy: 'Never', containers: [{ name: 'wget', image, command: ['sh', '-c', `timeout 3 wget -qO- http://${ips[to]}:8080/ | grep -q "hello from web-${to}"`] }] },
      }));
      const phase = await eventually(async () => {
        const p = (await pod(name)).status?.phase;
        return p === 'Succeeded' || p === 'Failed' ? p : undefined;
      }, 30_000, `${name} finished`);
      assert.equal(phase, 'Succeeded', `${from} → ${to} (${ips[to]})`);
    }
    // And a control: an address no pod has fails, so the check above can fail too.
    await kubectl(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'get-nowhere' },
      spec: { nodeName: 'pna', restartPolicy: 'Never', containers: [{ name: 'wget', image, command: ['sh', '-c', `timeout 3 wget -qO- http://${ips.pnb!.replace(/\d+$/, '250')}:8080/`] }] },
    }));
    assert.equal(await eventually(async () => {
      const p = (await pod('get-nowhere')).status?.phase;
      return p === 'Succeeded' || p === 'Failed' ? p : undefined;
    }, 30_000, 'get-nowhere finished'), 'Failed');
  });
});
