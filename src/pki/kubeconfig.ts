/**
 * @module Writes an admin kubeconfig that kubectl and @kubernetes/client-node accept as is.
 */
import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import type { KeyPairPem } from './certs.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

export function kubeconfigYaml(opts: { server: string; caCert: string; user: KeyPairPem; name?: string; userName?: string }): string {
  const name = opts.name ?? 'skiff';
  const userName = opts.userName ?? 'skiff-admin';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: opts.server, 'certificate-authority-data': b64(opts.caCert) } }],
    users: [{ name: userName, user: { 'client-certificate-data': b64(opts.user.cert), 'client-key-data': b64(opts.user.key) } }],
    contexts: [{ name, context: { cluster: name, user: userName, namespace: 'default' } }],
    'current-context': name,
    preferences: {},
  });
}

export async function writeKubeconfig(path: string, opts: Parameters<typeof kubeconfigYaml>[0]): Promise<void> {
  await writeFile(path, kubeconfigYaml(opts), { mode: 0o600 });
}
