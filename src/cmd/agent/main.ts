/**
 * @module `skiff agent`: the node components joining a remote server over HTTPS. For now the
 * one runtime is `sim` (a simulated node: Node, Lease and pod phases, no processes); it runs
 * until SIGINT/SIGTERM and then stops its upkeep cleanly.
 */
import { httpsTransport } from '../../client/https-transport.ts';
import { loadKubeconfig } from '../../client/kubeconfig.ts';
import { Client } from '../../client/rest.ts';
import { SimNodePool, singleNodeScope } from '../../kubelet/sim/pool.ts';
import { realClock } from '../../util/clock.ts';
import { createLogger } from '../../util/log.ts';
import { agentHelp, parseAgentOptions } from './options.ts';

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
    creds = await loadKubeconfig(opts.kubeconfig, { context: opts.context });
  } catch (err) {
    process.stderr.write(`skiff agent: ${(err as Error).message}\n`);
    return 2;
  }
  const transport = httpsTransport(creds);
  const client = new Client(transport, { userAgent: 'skiff-agent', fieldManager: 'kubelet' });
  const pool = new SimNodePool({ client, clock: realClock, logger }, opts.sim, singleNodeScope(opts.name));
  pool.add(opts.name);
  const ctl = new AbortController();
  const stop = () => ctl.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  logger.info('skiff agent starting', { server: creds.server, runtime: opts.runtime });
  process.stdout.write(`skiff agent: node ${opts.name} (runtime ${opts.runtime}) joining ${creds.server}\n`);
  await pool.run(ctl.signal);
  transport.close();
  process.stdout.write('skiff agent: stopped\n');
  return 0;
}
