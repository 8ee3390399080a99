/**
 * @module Credentials for a registry from `imagePullSecrets` of type `kubernetes.io/dockerconfigjson`
 * (`{"auths": {"<registry>": {username, password, auth}}}`), matched as the kubelet's
 * credential keyring matches them: by host (and port), optional scheme and path prefix,
 * `*` globs per host label, Docker Hub's legacy `https://index.docker.io/v1/` key.
 */
import type { RegistryAuth } from '../runtime/interface.ts';
import { parseReference } from './reference.ts';

interface AuthEntry {
  username?: string;
  password?: string;
  auth?: string;
  identitytoken?: string;
}

function parseKey(key: string): { host: string; path: string } {
  let k = key.replace(/^https?:\/\//, '');
  const slash = k.indexOf('/');
  const path = slash >= 0 ? k.slice(slash + 1).replace(/\/+$/, '') : '';
  k = slash >= 0 ? k.slice(0, slash) : k;
  if (k === 'index.docker.io' || k === 'registry-1.docker.io') return { host: 'docker.io', path: path === 'v1' || path === 'v2' ? '' : path };
  return { host: k, path };
}

function hostMatches(pattern: string, host: string): boolean {
  const [ph, pp] = pattern.split(':');
  const [hh, hp] = host.split(':');
  if ((pp ?? '') !== (hp ?? '')) return false;
  const pl = ph!.split('.');
  const hl = hh!.split('.');
  return pl.length === hl.length && pl.every((p, i) => new RegExp('^' + p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^.]*') + '$').test(hl[i]!));
}

function toAuth(e: AuthEntry): RegistryAuth {
  const out: RegistryAuth = {};
  if (e.username !== undefined) out.username = e.username;
  if (e.password !== undefined) out.password = e.password;
  if (e.auth) out.auth = e.auth;
  if (e.identitytoken) out.identityToken = e.identitytoken;
  return out;
}

/**
 * Credentials for `image` from one or more dockerconfigjson documents (in imagePullSecrets
 * order). The most specific matching key wins (longest path), as in the kubelet's keyring.
 */
export function credentialsFor(image: string, dockerConfigJsons: string[]): RegistryAuth | undefined {
  const ref = parseReference(image);
  let best: { score: number; auth: RegistryAuth } | undefined;
  for (const doc of dockerConfigJsons) {
    let parsed: { auths?: Record<string, AuthEntry> } & Record<string, AuthEntry>;
    try {
      parsed = JSON.parse(doc) as typeof parsed;
    } catch {
      continue;
    }
    // `.dockercfg` documents are the bare map; `.dockerconfigjson` nests it under `auths`.
    const auths = (parsed.auths ?? parsed) as Record<string, AuthEntry>;
    for (const [key, entry] of Object.entries(auths)) {
      if (!entry || typeof entry !== 'object') continue;
      const { host, path } = parseKey(key);
      if (!hostMatches(host, ref.registry)) continue;
      if (path && ref.repository !== path && !ref.repository.startsWith(path + '/')) continue;
      const score = path.length + (host.includes('*') ? 0 : 1);
      if (!best || score > best.score) best = { score, auth: toAuth(entry) };
    }
  }
  return best?.auth;
}
