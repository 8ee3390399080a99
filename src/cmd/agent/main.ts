/**
 * @module `skiff agent`: the node components joining a remote server over HTTPS, with runtime
 * `sim` (a simulated node: Node, Lease and pod phases, no processes), `process` (the real
 * kubelet, containers as host processes) or `runc`/`crun` (OCI containers on the node bridge,
 * plus host-gw routes to the other nodes' podCIDRs, see docs/pod-network.md); it runs until
 * SIGINT/SIGTERM and then stops its upkeep cleanly (pods keep running, as containers outlive a
 * kubelet, and so do the routes).
 */
import { Registry } from 'prom-client';
import { httpsTransport } from '../../client/https-transport.ts';
import { loadKubeconfig } from '../../client/kubeconfig.ts';
import { joinWithToken } from './join.ts';
import { Client } from '../../client/rest.ts';
import { SimNodePool, singleNodeScope } from '../../kubelet/sim/pool.ts';
import { readFile } from 'node:fs/promises';
import { Kubelet } from '../../kubelet/kubelet.ts';
import { streamHandlers } from '../../kubelet/server/streams/stream-handlers.ts';
import { hostAddress, selectRuntime } from '../server/agent.ts';
import { realClock } from '../../util/clock.ts';
import { createLogger } from '../../util/log.ts';
import { agentHelp, parseAgentOptions } from './options.ts';
import { ensureIpForward, inOwnNetns } from './node-net.ts';
import { startNodeProxy } from '../server/service-proxy.ts';
import { servingCertificate } from './serving-cert.ts';
import { rotateClientCertificate, rotateServingCertificate } from './cert-rotation.ts';
import { startHostGwRoutes } from '../../podnet/host-gw.ts';

export async function agentMain(argv: string[]): Promise<number> {
  let opts;
  try {
    opts = parseAgentOptions(argv);
  } catch (err) {
    process.stderr.write(`skiff agent: ${(err as Error).message}\n\n${agentHelp}`);
    return 2;
  }
  if (opts === 'help') {
    process.stdout.write(agentHelp);
    return 0;
  }
  const logger = createLogger({ component: 'skiff-agent', node: opts.name }, { level: opts.logLevel });
  let creds;
  try {
    creds = opts.join
      ? await joinWithToken({ ...opts.join, node: opts.name, dataDir: opts.dataDir, logger })
      : await loadKubeconfig(opts.kubeconfig, { context: opts.context });
  } catch (err) {
    process.stderr.write(`skiff agent: ${(err as Error).message}\n`);
    return 2;
  }
  const transport = httpsTransport(creds);
  const client = new Client(transport, { userAgent: 'skiff-agent', fieldManager: 'kubelet' });
  const ctl = new AbortController();
  const stop = () => ctl.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  logger.info('skiff agent starting', { server: creds.server, runtime: opts.runtime });
  // A joined node renews its own client certificate before it expires, swapped in live.
  const rotations: Promise<void>[] = [];
  if (opts.join && creds.cert)
    rotations.push(rotateClientCertificate({ client, transport, node: opts.name, dataDir: opts.dataDir, cert: creds.cert, logger, signal: ctl.signal }));
  process.stdout.write(`skiff agent: node ${opts.name} (runtime ${opts.runtime}) joining ${creds.server}\n`);
  if (opts.runtime !== 'sim') {
    const say = (line: string) => process.stdout.write(`skiff agent: ${line}\n`);
    // One registry for the node's components: the kubelet endpoint's /metrics serves it.
    const registry = new Registry();
    const oci = opts.runtime === 'runc' || opts.runtime === 'crun';
    const { bridge, clusterCidr, serviceCidr } = opts.network;
    // Pods reach other pods and Services via their gateway, never a default route off the node.
    const runtime = await selectRuntime(opts.runtime, opts.dataDir, logger, say, bridge, oci ? { podRoutes: [clusterCidr, serviceCidr] } : {});
    if (!oci) say('the process runtime runs pods as plain host processes without isolation');
    let ownNetns = false;
    if (oci) {
      const fwd = await ensureIpForward(opts.network.enableIpForward);
      ownNetns = inOwnNetns();
      say(fwd === 'skipped' ? 'net.ipv4.ip_forward left as it is (initial network namespace; --enable-ip-forward to change it)' : `net.ipv4.ip_forward=1 (${fwd})`);
      // Routes to the other nodes' podCIDRs via their addresses (host-gw); they stay when we stop.
      startHostGwRoutes({ client, nodeName: opts.name, logger }, ctl.signal);
    }
    const ks = opts.kubeletServer;
    const address = opts.nodeIP ?? hostAddress();
    // Without certificate files a joined node asks the cluster for a serving certificate.
    const pair = ks
      ? { cert: await readFile(ks.certFile, 'utf8'), key: await readFile(ks.keyFile, 'utf8') }
      : opts.join && creds.ca
        ? await servingCertificate({ client, node: opts.name, sans: [address, opts.name], dataDir: opts.dataDir, logger, signal: ctl.signal })
        : undefined;
    if (pair && !ks)
      rotations.push(
        rotateServingCertificate({
          client, node: opts.name, sans: [address, opts.name], dataDir: opts.dataDir, cert: pair.cert, logger, signal: ctl.signal,
          // The rotation swaps the live endpoint's certificate itself; nothing else holds the pair.
          apply: () => undefined,
        }),
      );
    const server = pair && {
      ...pair,
      // The cluster CA signs the API server's kubelet-client certificate.
      clientCA: ks?.clientCAFile ? await readFile(ks.clientCAFile, 'utf8') : (creds.ca ?? ''),
      port: ks?.port ?? opts.kubeletPort,
      handlers: streamHandlers({ runtime }),
    };
    const proxy = await startNodeProxy({ client, nodeName: opts.name, runtime: runtime.name, mode: opts.proxyMode, logger, ownNetns, serviceCidr, clusterCidr, bridge, registry }, ctl.signal);
    await new Kubelet({ nodeName: opts.name, address, agentDir: opts.dataDir, runtime, client, logger, ...opts.dns, metrics: registry, ...(server ? { server: { ...server, address } } : {}) }).run(ctl.signal);
    // Rules and listeners go with the agent; a restarted agent writes them again.
    await proxy?.stop();
  } else {
    const pool = new SimNodePool({ client, clock: realClock, logger }, opts.sim, singleNodeScope(opts.name));
    pool.add(opts.name);
    await pool.run(ctl.signal);
  }
  await Promise.allSettled(rotations);
  transport.close();
  process.stdout.write('skiff agent: stopped\n');
  return 0;
}
