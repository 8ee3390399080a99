/**
 * @module Applies a mutating webhook's base64 JSONPatch to the object being admitted, in
 * place (the registry keeps using the same object after admission).
 */
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import type { KubeObject } from '../../../api/object.ts';

export function applyWebhookPatch(obj: KubeObject, patchB64: string): void {
  const ops = JSON.parse(Buffer.from(patchB64, 'base64').toString('utf8')) as Operation[];
  if (!Array.isArray(ops)) throw new Error('patch is not a JSON array');
  const patched = jsonpatch.applyPatch(structuredClone(obj), ops, true, false).newDocument as KubeObject;
  const target = obj as unknown as Record<string, unknown>;
  for (const k of Object.keys(target)) delete target[k];
  Object.assign(target, patched);
}
