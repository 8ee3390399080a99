/**
 * @module Decoding request bodies: JSON (also when no Content-Type is sent, as
 * `kubectl scale --current-replicas` does), YAML, and Kubernetes protobuf. Oversize bodies are
 * 413 and malformed ones 400, before anything else happens.
 */
import { parse as parseYaml } from 'yaml';
import type { KubeObject } from '../../api/object.ts';
import { isPlainObject } from '../../api/object.ts';
import { decodeKubernetesProtobuf } from '../../machinery/protobuf/decode.ts';
import { StatusError } from '../../machinery/status.ts';

/** Upstream's limit for a single request body. */
export const maxBodyBytes = 3 * 1024 * 1024;

const decoder = new TextDecoder('utf-8', { fatal: false });

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Decoded body texts, so the duplicate-field check does not decode the bytes a second time. */
const texts = new WeakMap<Uint8Array, string>();

/** The body as text (decoded once per request body). */
export function bodyText(body: Uint8Array): string {
  let text = texts.get(body);
  if (text === undefined) texts.set(body, (text = decoder.decode(body)));
  return text;
}

export function parseJsonBody(body: Uint8Array | undefined): unknown {
  if (!body || body.length === 0) throw StatusError.badRequest('the body of the request was empty');
  if (body.length > maxBodyBytes) throw StatusError.tooLarge();
  try {
    return JSON.parse(bodyText(body));
  } catch (err) {
    throw StatusError.badRequest(`error decoding request body: ${(err as Error).message}`);
  }
}

export function parseYamlBody(body: Uint8Array | undefined): unknown {
  if (!body || body.length === 0) throw StatusError.badRequest('the body of the request was empty');
  if (body.length > maxBodyBytes) throw StatusError.tooLarge();
  try {
    return parseYaml(decoder.decode(body), { uniqueKeys: true });
  } catch (err) {
    throw StatusError.badRequest(`error decoding YAML: ${(err as Error).message}`);
  }
}

/** An object body for create/update, by Content-Type. */
export function decodeObject(contentType: string | undefined, body: Uint8Array | undefined): KubeObject {
  const type = mediaType(contentType);
  let value: unknown;
  if (type === '' || type === 'application/json' || type === '*/*') value = parseJsonBody(body);
  else if (type === 'application/yaml') value = parseYamlBody(body);
  else if (type === 'application/vnd.kubernetes.protobuf') {
    if (!body || body.length === 0) throw StatusError.badRequest('the body of the request was empty');
    if (body.length > maxBodyBytes) throw StatusError.tooLarge();
    value = decodeKubernetesProtobuf(body);
  } else
    throw StatusError.unsupportedMediaType(
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`,
    );
  if (!isPlainObject(value)) throw StatusError.badRequest('the body of the request must be a JSON object');
  return value as KubeObject;
}

/**
 * Whether JSON `text`, which parsed to `value`, may repeat a key in some object. Every key in
 * the text is followed by a `:` whose previous non-blank character is the key's closing
 * quote, so counting such colons bounds the keys in the text from above; the parsed objects
 * hold each distinct key once. Equal counts prove there is no duplicate, and the full scan
 * (machinery/json-duplicates.ts) is needed only otherwise (a value such as `":80"` also
 * counts, which only sends the body to that scan).
 */
export function mayRepeatKeys(text: string, value: unknown): boolean {
  let colons = 0;
  for (let i = text.indexOf(':'); i !== -1; i = text.indexOf(':', i + 1)) {
    let j = i - 1;
    let c = text.charCodeAt(j);
    while (c === 32 || c === 9 || c === 10 || c === 13) c = text.charCodeAt(--j);
    if (c === 34) colons++;
  }
  return colons !== keyCount(value);
}

function keyCount(v: unknown): number {
  if (typeof v !== 'object' || v === null) return 0;
  let n = 0;
  if (Array.isArray(v)) {
    for (const item of v) n += keyCount(item);
    return n;
  }
  for (const k in v) n += 1 + keyCount((v as Record<string, unknown>)[k]);
  return n;
}
