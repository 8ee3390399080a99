/**
 * @module Encryption at rest configuration: upstream's `EncryptionConfiguration`
 * (apiserver.config.k8s.io/v1) read from YAML into one Transformer per configured resource,
 * and the default config Skiff writes into the data dir on first start (a random 32-byte
 * aesgcm key for secrets, then identity so plaintext written before stays readable).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { aesCbcProvider, aesGcmProvider, identityProvider, prefixTransformer, type Provider, type Transformer } from './transformer.ts';

/** The transformer for a group/resource, or undefined when it is stored as is. */
export type TransformerFor = (gr: { group: string; resource: string }) => Transformer | undefined;

interface KeyEntry {
  name?: unknown;
  secret?: unknown;
}

interface ProviderEntry {
  aesgcm?: { keys?: KeyEntry[] };
  aescbc?: { keys?: KeyEntry[] };
  secretbox?: unknown;
  kms?: unknown;
  identity?: unknown;
}

interface ResourceEntry {
  resources?: unknown;
  providers?: ProviderEntry[];
}

function keysOf(kind: string, keys: KeyEntry[] | undefined): { name: string; key: Buffer }[] {
  if (!Array.isArray(keys) || keys.length === 0) throw new Error(`${kind}: keys: at least one key is required`);
  return keys.map((k, i) => {
    if (typeof k.name !== 'string' || !k.name) throw new Error(`${kind}.keys[${i}].name: required`);
    if (k.name.includes(':')) throw new Error(`${kind}.keys[${i}].name: must not contain ':'`);
    if (typeof k.secret !== 'string' || !k.secret) throw new Error(`${kind}.keys[${i}].secret: required`);
    return { name: k.name, key: Buffer.from(k.secret, 'base64') };
  });
}

/** Every key of a provider entry is a provider of its own, in order (first key encrypts). */
function providersOf(p: ProviderEntry, where: string): Provider[] {
  const kinds = Object.keys(p ?? {});
  if (kinds.length !== 1) throw new Error(`${where}: exactly one provider type must be set, got ${kinds.join(', ') || 'none'}`);
  if (p.aesgcm) return keysOf('aesgcm', p.aesgcm.keys).map((k) => aesGcmProvider(k.name, k.key));
  if (p.aescbc) return keysOf('aescbc', p.aescbc.keys).map((k) => aesCbcProvider(k.name, k.key));
  if ('identity' in p) return [identityProvider];
  throw new Error(`${where}: provider "${kinds[0]}" is not supported by skiff (use aesgcm, aescbc or identity)`);
}

/** Whether a configured name (`secrets`, `deployments.apps`, `*.apps`, `*.*`) covers a group/resource. */
function covers(pattern: string, gr: { group: string; resource: string }): boolean {
  const dot = pattern.indexOf('.');
  const res = dot < 0 ? pattern : pattern.slice(0, dot);
  const group = dot < 0 ? '' : pattern.slice(dot + 1);
  if (pattern === '*.*') return true;
  if (res === '*') return group === gr.group;
  return res === gr.resource && group === gr.group;
}

export function parseEncryptionConfig(text: string): TransformerFor {
  const doc = parseYaml(text) as { apiVersion?: string; kind?: string; resources?: ResourceEntry[] } | null;
  if (!doc || doc.kind !== 'EncryptionConfiguration') throw new Error('encryption config: kind must be EncryptionConfiguration');
  if (doc.apiVersion !== 'apiserver.config.k8s.io/v1') throw new Error('encryption config: apiVersion must be apiserver.config.k8s.io/v1');
  const rules: { patterns: string[]; transformer: Transformer }[] = [];
  (doc.resources ?? []).forEach((r, i) => {
    if (!Array.isArray(r.resources) || r.resources.some((x) => typeof x !== 'string') || !r.resources.length)
      throw new Error(`resources[${i}].resources: a list of resource names is required`);
    if (!Array.isArray(r.providers) || r.providers.length === 0) throw new Error(`resources[${i}].providers: at least one provider is required`);
    const providers = r.providers.flatMap((p, j) => providersOf(p, `resources[${i}].providers[${j}]`));
    rules.push({ patterns: r.resources as string[], transformer: prefixTransformer(providers) });
  });
  // First matching rule wins, as upstream; an exact name beats a wildcard listed later only by order.
  return (gr) => rules.find((r) => r.patterns.some((p) => covers(p, gr)))?.transformer;
}

export async function loadEncryptionConfig(path: string): Promise<TransformerFor> {
  return parseEncryptionConfig(await readFile(path, 'utf8'));
}

/** The config written on first start when no `--encryption-config` is given. */
export function defaultEncryptionConfig(secret: Buffer = randomBytes(32)): string {
  return stringifyYaml({
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'EncryptionConfiguration',
    resources: [
      {
        resources: ['secrets'],
        providers: [{ aesgcm: { keys: [{ name: 'key1', secret: secret.toString('base64') }] } }, { identity: {} }],
      },
    ],
  });
}

/** Reads `path`, writing a fresh default config (mode 0600) there first if it is absent. */
export async function loadOrCreateEncryptionConfig(path: string): Promise<TransformerFor> {
  if (!existsSync(path)) {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    // 'wx': never overwrite a key another process wrote meanwhile (that would lose data).
    await writeFile(path, defaultEncryptionConfig(), { mode: 0o600, flag: 'wx' }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
  }
  return loadEncryptionConfig(path);
}
