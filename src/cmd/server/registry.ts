/**
 * @module Starts the built-in OCI registry inside `skiff server` (`--registry-port`,
 * `--registry-bind-address`, `--registry-htpasswd`), its content under `<data-dir>/registry/`.
 * A port already in use disables the registry with a warning rather than failing the whole
 * control plane; an unreadable htpasswd file fails the start, since running the registry
 * without the authentication asked for would be worse than not running.
 */
import { join } from 'node:path';
import { loadHtpasswd } from '../../registry-oci/auth.ts';
import { startRegistry, type RunningRegistry } from '../../registry-oci/listen.ts';
import type { Logger } from '../../util/log.ts';

export interface RegistryHandle {
  /** `host:port` for image names (`127.0.0.1:5000/busybox:1.36`); undefined when not running. */
  address?: string;
  port?: number;
  stop(): Promise<void>;
}

export async function startServerRegistry(
  dataDir: string,
  opts: { port?: number; bindAddress?: string; htpasswdFile?: string },
  logger: Logger,
): Promise<RegistryHandle> {
  const port = opts.port ?? 0;
  if (port < 0) return { stop: async () => {} };
  const log = logger.child({ component: 'registry' });
  if (opts.htpasswdFile) await loadHtpasswd(opts.htpasswdFile).catch((err: Error) => {
    throw new Error(`--registry-htpasswd ${opts.htpasswdFile}: ${err.message}`);
  });
  let reg: RunningRegistry;
  try {
    reg = await startRegistry({ dir: join(dataDir, 'registry'), port, host: opts.bindAddress ?? '127.0.0.1', logger: log, htpasswdFile: opts.htpasswdFile });
  } catch (err) {
    log.warn('built-in registry not started', { port, err });
    return { stop: async () => {} };
  }
  log.info('registry listening', { address: reg.address, basicAuth: !!opts.htpasswdFile });
  return { address: reg.address, port: reg.port, stop: () => reg.close() };
}
