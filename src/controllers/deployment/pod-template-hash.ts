/**
 * @module The pod-template-hash (upstream ComputeHash): a stable 32-bit FNV-1a hash of the pod
 * template (canonical JSON, keys sorted) plus the collision count, written in the safe
 * alphabet so it is a valid label value and never spells words. Also EqualIgnoreHash, which
 * decides whether a ReplicaSet is "the new one" for a Deployment's template.
 */
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { deepCopy } from './types.ts';

export const podTemplateHashLabel = 'pod-template-hash';

/** The JSON of v with object keys sorted and empty maps/lists dropped (nil == empty, as Semantic.DeepEqual). */
export function canonicalJSON(v: unknown): string {
  const canon = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(canon);
    if (x && typeof x === 'object') {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(x).sort()) {
        const c = canon((x as Record<string, unknown>)[k]);
        if (c === undefined || c === null) continue;
        if (Array.isArray(c) && c.length === 0) continue;
        if (typeof c === 'object' && !Array.isArray(c) && Object.keys(c as object).length === 0 && k !== 'emptyDir') continue;
        out[k] = c;
      }
      return out;
    }
    return x;
  };
  return JSON.stringify(canon(v)) ?? 'null';
}

function fnv32a(bytes: Uint8Array, h = 0x811c9dc5): number {
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

const safeAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** rand.SafeEncodeString: each byte mapped into an alphabet with no vowels or look-alikes. */
export function safeEncode(s: string): string {
  let out = '';
  for (const b of new TextEncoder().encode(s)) out += safeAlphabet[b % safeAlphabet.length];
  return out;
}

export function computeHash(template: PodTemplateSpec | undefined, collisionCount?: number): string {
  let h = fnv32a(new TextEncoder().encode(canonicalJSON(template ?? {})));
  if (collisionCount !== undefined && collisionCount !== null) {
    const extra = new Uint8Array(8);
    new DataView(extra.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(extra, h);
  }
  return safeEncode(String(h));
}

function withoutHash(t: PodTemplateSpec | undefined): PodTemplateSpec {
  const c = deepCopy(t ?? {});
  if (c.metadata?.labels) delete c.metadata.labels[podTemplateHashLabel];
  return c;
}

/** Templates equal apart from the pod-template-hash label. */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return canonicalJSON(withoutHash(a)) === canonicalJSON(withoutHash(b));
}

export function templateWithHash(t: PodTemplateSpec | undefined, hash: string): PodTemplateSpec {
  const c = deepCopy(t ?? {});
  const meta = (c.metadata ??= {});
  meta.labels = { ...meta.labels, [podTemplateHashLabel]: hash };
  return c;
}

export function selectorWithHash(sel: LabelSelector | undefined, hash: string): LabelSelector {
  const c = deepCopy(sel ?? {});
  return { ...c, matchLabels: { ...c.matchLabels, [podTemplateHashLabel]: hash } };
}
