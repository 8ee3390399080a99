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

export function parseJsonBody(body: Uint8Array | undefined): unknown {
  if (!body || body.length === 0) throw StatusError.badRequest('the body of the request was empty');
  if (body.length > maxBodyBytes) throw StatusError.tooLarge();
  try {
    return JSON.parse(decoder.decode(body));
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
