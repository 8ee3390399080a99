/**
 * @module Reads a kubeconfig (the file kubectl uses) into what a client needs to reach the
 * server: the current (or named) context's server URL, CA, client certificate and key, or a
 * bearer token. Both inline `*-data` fields and file paths (relative to the kubeconfig) work.
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';

export interface KubeconfigCredentials {
  server: string;
  /** PEM of the CA that signs the server's certificate. */
  ca?: string;
  cert?: string;
  key?: string;
  token?: string;
  insecureSkipTLSVerify: boolean;
  tlsServerName?: string;
  namespace?: string;
  context: string;
}

interface Named<T> {
  name?: string;
  [k: string]: unknown;
  cluster?: T;
  user?: T;
  context?: T;
}

type Fields = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function find(list: unknown, name: string, what: string, key: 'cluster' | 'user' | 'context'): Fields {
  const items = Array.isArray(list) ? (list as Named<Fields>[]) : [];
  const hit = items.find((i) => i?.name === name);
  if (!hit) throw new Error(`kubeconfig: no ${what} named "${name}"`);
  return (hit[key] ?? {}) as Fields;
}

async function dataOrFile(obj: Fields, field: string, base: string): Promise<string | undefined> {
  const data = str(obj[`${field}-data`]);
  if (data) return Buffer.from(data, 'base64').toString('utf8');
  const file = str(obj[field]);
  if (!file) return undefined;
  return readFile(isAbsolute(file) ? file : resolve(base, file), 'utf8');
}

/** Parses kubeconfig text; `path` anchors relative file references. */
export async function parseKubeconfig(text: string, path: string, opts: { context?: string } = {}): Promise<KubeconfigCredentials> {
  const doc = (parse(text) ?? {}) as Fields;
  const contextName = opts.context ?? str(doc['current-context']);
  if (!contextName) throw new Error('kubeconfig: no current-context and no context given');
  const ctx = find(doc.contexts, contextName, 'context', 'context');
  const cluster = find(doc.clusters, str(ctx.cluster) ?? '', 'cluster', 'cluster');
  const userName = str(ctx.user);
  const user = userName ? find(doc.users, userName, 'user', 'user') : {};
  const base = dirname(path);
  const server = str(cluster.server);
  if (!server) throw new Error(`kubeconfig: cluster "${String(ctx.cluster)}" has no server`);
  const tokenFile = str(user.tokenFile);
  const token = str(user.token) ?? (tokenFile ? (await readFile(isAbsolute(tokenFile) ? tokenFile : resolve(base, tokenFile), 'utf8')).trim() : undefined);
  return {
    server,
    ca: await dataOrFile(cluster, 'certificate-authority', base),
    cert: await dataOrFile(user, 'client-certificate', base),
    key: await dataOrFile(user, 'client-key', base),
    token,
    insecureSkipTLSVerify: cluster['insecure-skip-tls-verify'] === true,
    tlsServerName: str(cluster['tls-server-name']),
    namespace: str(ctx.namespace),
    context: contextName,
  };
}

export async function loadKubeconfig(path: string, opts: { context?: string } = {}): Promise<KubeconfigCredentials> {
  return parseKubeconfig(await readFile(path, 'utf8'), path, opts);
}
