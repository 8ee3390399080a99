/**
 * `npm run bench`: every benchmark, figures printed as Markdown tables for BENCHMARKS.md.
 * `npm run bench -- scheduler deployment` runs only the named ones
 * (apiserver, scheduler, deployment, sim-scale, dns, pods, service-proxy, proxy-update, ingress, dns-cluster).
 *
 * apiserver: API server figures on SQLite, memory and, when etcd is installed, etcd.
 * scheduler: scheduler_perf-style throughput (bench/scheduler.ts).
 * deployment: a 1000-replica Deployment from kubectl apply to all Running (bench/deployment.ts).
 * sim-scale: server RSS at 1000 sim nodes / 30,000 pods (bench/sim-scale.ts).
 * dns: cluster DNS queries/s over UDP (bench/dns.ts).
 * pods: real-pod start latency, RSS with 100 pods and exec round trip on runc/process (bench/pods.ts).
 * service-proxy: requests/s via ClusterIP vs pod IP, nftables (runc, netns) and userspace (bench/service-proxy.ts).
 * proxy-update: EndpointSlice write → nftables ruleset in the node netns, p50/p99 (bench/proxy-update.ts).
 * ingress: requests/s through the Skiff ingress vs Debian's nginx to the same backend (bench/ingress-nginx.ts).
 * dns-cluster: DNS queries/s against a running server's informer-fed DNS (bench/dns-cluster.ts).
 */
import { cpus, totalmem } from 'node:os';
import { startEtcd } from '../src/storage/testing/etcd-server.ts';
import { benchApiserver, printFigures, type ApiserverFigures } from './apiserver.ts';
import { benchDeployment, printDeploymentFigures } from './deployment.ts';
import { benchScheduler, printSchedulerFigures } from './scheduler.ts';
import { benchSimScale, printSimScaleFigures } from './sim-scale.ts';
import { benchDns, printDnsFigures } from './dns.ts';
import { benchPods, printPodFigures } from './pods.ts';
import { benchServiceProxy, printServiceProxyFigures } from './service-proxy.ts';
import { benchProxyUpdate, printProxyUpdateFigures } from './proxy-update.ts';
import { benchIngress, printIngressFigures } from './ingress-nginx.ts';
import { benchDnsCluster, printDnsClusterFigures } from './dns-cluster.ts';

const known = ['apiserver', 'scheduler', 'deployment', 'sim-scale', 'dns', 'pods', 'service-proxy', 'proxy-update', 'ingress', 'dns-cluster'];
const asked = process.argv.slice(2);
const unknown = asked.filter((a) => !known.includes(a));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')} (known: ${known.join(', ')})`);
  process.exit(2);
}
const want = (name: string) => asked.length === 0 || asked.includes(name);

console.log(`# skiff bench — ${new Date().toISOString()} — ${cpus().length}× ${cpus()[0]?.model ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}\n`);

if (want('apiserver')) {
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const watchers = Number(process.env.BENCH_WATCHERS ?? 1000);
  const rows: ApiserverFigures[] = [];
  rows.push(await benchApiserver('sqlite', { seconds, watchers }));
  rows.push(await benchApiserver('memory', { seconds, watchers }));
  const etcd = await startEtcd();
  if ('skip' in etcd) console.log(`etcd: skipped (${etcd.skip})`);
  else {
    try {
      rows.push(await benchApiserver(`etcd://${etcd.endpoints.map((e: string) => e.replace(/^https?:\/\//, '')).join(',')}`, { seconds, watchers }));
    } finally {
      await etcd.stop();
    }
  }
  printFigures(rows);
  console.log();
}
if (want('scheduler')) {
  printSchedulerFigures([await benchScheduler('plain', 5000, 10_000), await benchScheduler('anti-affinity', 5000, 2000)]);
  console.log();
}
if (want('deployment')) {
  printDeploymentFigures([await benchDeployment(1000, 100)]);
  console.log();
}
if (want('sim-scale')) {
  printSimScaleFigures([await benchSimScale(1000, 30_000)]);
  console.log();
}

if (want('dns')) printDnsFigures(await benchDns());
if (want('pods')) printPodFigures(await benchPods(Number(process.env.BENCH_PODS ?? 100), Number(process.env.BENCH_PODS_QPS ?? 0)));
if (want('service-proxy')) printServiceProxyFigures(await benchServiceProxy());
if (want('proxy-update')) printProxyUpdateFigures(await benchProxyUpdate());
if (want('ingress')) printIngressFigures(await benchIngress());
if (want('dns-cluster')) printDnsClusterFigures(await benchDnsCluster());
