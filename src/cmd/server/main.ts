/**
 * @module `skiff server`: parse flags, run in the foreground, stop cleanly on SIGINT/SIGTERM.
 */
import { parseServerOptions, serverHelp } from './options.ts';
import { runServer } from './run.ts';

export async function serverMain(argv: string[]): Promise<number> {
  let opts;
  try {
    opts = parseServerOptions(argv);
  } catch (err) {
    process.stderr.write(`skiff server: ${(err as Error).message}\n\n${serverHelp}`);
    return 2;
  }
  if (opts === 'help') {
    process.stdout.write(serverHelp);
    return 0;
  }
  const server = await runServer(opts);
  process.stdout.write(
    `\nSkiff is running at ${server.url}\n` +
      `Kubeconfig: ${server.kubeconfigPath}\n` +
      `Try: KUBECONFIG=${server.kubeconfigPath} kubectl get namespaces\n\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  process.stdout.write('shutting down\n');
  await server.stop();
  return 0;
}
