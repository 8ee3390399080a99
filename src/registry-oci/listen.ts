/**
 * @module Listens for the built-in registry: an HTTP server on `host:port` over a
 * {@link RegistryHandler} and its on-disk store. Plain HTTP, as the node pulls from loopback.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../util/log.ts';
import { loadHtpasswd } from './auth.ts';
import { RegistryHandler } from './server.ts';
import { RegistryStore } from './store.ts';

export interface RegistryServerOptions {
  /** Content folder (`<data-dir>/registry`). */
  dir: string;
  port: number;
  host: string;
  logger?: Logger;
  /** htpasswd-style file: when set, every request needs Basic credentials (see auth.ts). */
  htpasswdFile?: string;
}

export interface RunningRegistry {
  /** `127.0.0.1:5000`-style address clients use in image names. */
  address: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

export async function startRegistry(opts: RegistryServerOptions): Promise<RunningRegistry> {
  const store = new RegistryStore(opts.dir);
  await store.init();
  const auth = opts.htpasswdFile ? await loadHtpasswd(opts.htpasswdFile) : undefined;
  const handler = new RegistryHandler(store, opts.logger, auth);
  const server = createServer((req, res) => void handler.handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host;
  return {
    address: `${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    server,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
