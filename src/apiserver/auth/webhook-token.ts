/**
 * @module Webhook token authentication (`--authentication-token-webhook-config-file`, upstream's
 * webhook authenticator): the bearer token goes to a remote service as a TokenReview; its
 * answer (`status.authenticated`, `status.user`) is the user. The config file is a kubeconfig
 * naming the service (server URL, CA, and our client certificate or token). Positive answers are
 * cached for two minutes (upstream `--authentication-token-webhook-cache-ttl`).
 */
import { request } from 'node:https';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';
import type { UserInfo } from '../types.ts';
import { withAuthenticated, type TokenAuthenticator } from './authenticator.ts';

export interface WebhookConfig {
  server: string;
  ca?: string;
  cert?: string;
  key?: string;
  token?: string;
}

interface KubeconfigFile {
  clusters?: { cluster?: Record<string, string> }[];
  users?: { user?: Record<string, string> }[];
}

export async function loadWebhookConfig(path: string): Promise<WebhookConfig> {
  const doc = parse(await readFile(path, 'utf8')) as KubeconfigFile;
  const cluster = doc.clusters?.[0]?.cluster ?? {};
  const user = doc.users?.[0]?.user ?? {};
  if (!cluster.server) throw new Error(`${path}: the first cluster has no server`);
  const inline = async (dataKey: string, fileKey: string, from: Record<string, string>) => {
    if (from[dataKey]) return Buffer.from(from[dataKey]!, 'base64').toString('utf8');
    const f = from[fileKey];
    return f ? readFile(isAbsolute(f) ? f : resolve(dirname(path), f), 'utf8') : undefined;
  };
  return {
    server: cluster.server,
    ca: await inline('certificate-authority-data', 'certificate-authority', cluster),
    cert: await inline('client-certificate-data', 'client-certificate', user),
    key: await inline('client-key-data', 'client-key', user),
    token: user.token,
  };
}

function post(cfg: WebhookConfig, body: string): Promise<{ status: number; text: string }> {
  const url = new URL(cfg.server);
  return new Promise((res, rej) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json', 'content-length': String(Buffer.byteLength(body)) };
    if (cfg.token) headers.authorization = `Bearer ${cfg.token}`;
    const r = request(url, { method: 'POST', ca: cfg.ca, cert: cfg.cert, key: cfg.key, headers, timeout: 10_000 }, (resp) => {
      const chunks: Buffer[] = [];
      resp.on('data', (c: Buffer) => chunks.push(c));
      resp.on('end', () => res({ status: resp.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    r.on('timeout', () => r.destroy(new Error('webhook timed out')));
    r.on('error', rej);
    r.end(body);
  });
}

export function webhookTokenAuthenticator(cfg: WebhookConfig, ttlMs = 120_000): TokenAuthenticator {
  const cache = new Map<string, { user: UserInfo; until: number }>();
  return {
    async authenticateToken(token) {
      const hit = cache.get(token);
      if (hit && hit.until > Date.now()) return hit.user;
      const review = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } };
      let out;
      try {
        out = await post(cfg, JSON.stringify(review));
      } catch {
        return undefined;
      }
      if (out.status < 200 || out.status >= 300) return undefined;
      let status: { authenticated?: boolean; user?: Partial<UserInfo> } | undefined;
      try {
        status = (JSON.parse(out.text) as { status?: typeof status }).status;
      } catch {
        return undefined;
      }
      if (!status?.authenticated || !status.user?.username) return undefined;
      const user: UserInfo = { username: status.user.username, groups: withAuthenticated(status.user.groups ?? []) };
      if (status.user.uid) user.uid = status.user.uid;
      if (status.user.extra) user.extra = status.user.extra;
      if (cache.size > 10_000) cache.clear();
      cache.set(token, { user, until: Date.now() + ttlMs });
      return user;
    },
  };
}
