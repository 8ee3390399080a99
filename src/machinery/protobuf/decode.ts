/**
 * @module Decodes `application/vnd.kubernetes.protobuf` request bodies (what client-go 1.32
 * typed clients send, see wire-contract §0.2) into the object the JSON API would carry.
 *
 *   body = "k8s\0" + runtime.Unknown{1 typeMeta{1 apiVersion, 2 kind}, 2 raw, 3 contentEncoding,
 *          4 contentType}; raw = the kind's own message (tables in ./messages).
 */
import type { KubeObject } from '../../api/object.ts';
import { StatusError } from '../status.ts';
import { decodeMessage, type DecodeContext } from './message.ts';
import { KIND_MESSAGES, MESSAGES } from './messages/index.ts';
import { Reader, WIRE_BYTES, WireError } from './wire.ts';

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';

/** "k8s\0", the prefix of every Kubernetes protobuf body. */
export const PROTOBUF_MAGIC: Readonly<Uint8Array> = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

/** The runtime.Unknown envelope. */
export interface ProtobufEnvelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  contentEncoding: string;
  contentType: string;
}

export function hasProtobufMagic(body: Uint8Array): boolean {
  return body.length >= 4 && PROTOBUF_MAGIC.every((b, i) => body[i] === b);
}

/** Whether `apiVersion`/`kind` can be decoded from protobuf. */
export function supportsProtobufKind(apiVersion: string, kind: string): boolean {
  return Object.hasOwn(KIND_MESSAGES, `${apiVersion}/${kind}`);
}

function readTypeMeta(bytes: Uint8Array): { apiVersion: string; kind: string } {
  const r = new Reader(bytes);
  let apiVersion = '';
  let kind = '';
  while (!r.done) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | WIRE_BYTES)) apiVersion = r.string();
    else if (tag === ((2 << 3) | WIRE_BYTES)) kind = r.string();
    else r.skip(tag & 7);
  }
  return { apiVersion, kind };
}

function readEnvelope(body: Uint8Array): ProtobufEnvelope {
  if (!hasProtobufMagic(body)) throw new WireError('missing the k8s\\0 prefix');
  const env: ProtobufEnvelope = { apiVersion: '', kind: '', raw: new Uint8Array(), contentEncoding: '', contentType: '' };
  const r = new Reader(body.subarray(4));
  while (!r.done) {
    const tag = r.uint32();
    const wt = tag & 7;
    const no = tag >>> 3;
    if (no < 1 || no > 4) {
      r.skip(wt);
      continue;
    }
    if (wt !== WIRE_BYTES) throw new WireError(`envelope field ${no} has wire type ${wt}`);
    if (no === 1) Object.assign(env, readTypeMeta(r.bytes()));
    else if (no === 2) env.raw = r.bytes();
    else if (no === 3) env.contentEncoding = r.string();
    else env.contentType = r.string();
  }
  return env;
}

/** Reads only the envelope (apiVersion, kind, raw bytes). Malformed input → 400. */
export function decodeProtobufEnvelope(body: Uint8Array): ProtobufEnvelope {
  try {
    return readEnvelope(body);
  } catch (e) {
    throw asStatusError(e);
  }
}

function asStatusError(e: unknown): unknown {
  if (e instanceof WireError) return StatusError.badRequest(`unable to decode protobuf request body: ${e.message}`);
  return e;
}

function decodeBody(body: Uint8Array, depth: number): KubeObject {
  const env = readEnvelope(body);
  if (env.contentEncoding !== '') {
    throw StatusError.unsupportedMediaType(`protobuf content encoding "${env.contentEncoding}" is not supported`);
  }
  if (env.contentType !== '' && env.contentType !== PROTOBUF_CONTENT_TYPE) {
    throw StatusError.unsupportedMediaType(`protobuf envelope content type "${env.contentType}" is not supported`);
  }
  if (!env.kind) throw new WireError('envelope has no kind');
  const message = KIND_MESSAGES[`${env.apiVersion}/${env.kind}`];
  if (!message || !Object.hasOwn(KIND_MESSAGES, `${env.apiVersion}/${env.kind}`)) {
    throw StatusError.unsupportedMediaType(
      `the server cannot decode ${env.kind} (${env.apiVersion || 'no apiVersion'}) from ${PROTOBUF_CONTENT_TYPE}; send application/json`,
    );
  }
  const ctx: DecodeContext = {
    table: MESSAGES,
    nested: (raw) => {
      if (depth >= 8) throw new WireError('nested objects too deep');
      return decodeBody(raw, depth + 1);
    },
  };
  const decoded = decodeMessage(message, env.raw, ctx);
  return { apiVersion: env.apiVersion, kind: env.kind, ...decoded };
}

/**
 * Decodes a whole protobuf request body. Throws StatusError: 400 for malformed bytes, 415
 * for a kind we have no table for (the client should send JSON instead).
 */
export function decodeKubernetesProtobuf(body: Uint8Array): KubeObject {
  try {
    return decodeBody(body, 0);
  } catch (e) {
    throw asStatusError(e);
  }
}
