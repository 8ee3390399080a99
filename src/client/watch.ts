/**
 * @module Decodes a watch response (newline-delimited JSON events) into typed events. An ERROR
 * event carrying a Status is thrown as a StatusError, so `isExpired` tells a caller to relist.
 */
import type { Status } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../api/object.ts';
import { statusErrorFrom } from '../machinery/status.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface WatchEvent<T extends KubeObject = KubeObject> {
  type: WatchEventType;
  object: T;
}

/** For chunks that start and end on a character boundary: no streaming state needed. */
const boundaryDecoder = new TextDecoder('utf-8', { ignoreBOM: true });

export async function* decodeWatch<T extends KubeObject>(body: AsyncIterable<Uint8Array>): AsyncIterable<WatchEvent<T>> {
  const decoder = new TextDecoder();
  let buf = '';
  // Whether the streaming decoder holds no partial character: true after a chunk ending in an
  // ASCII byte. A chunk that starts and ends so (usually one whole event ending in '\n') is
  // decoded in one go, far cheaper than streaming and the same text. The first chunk always
  // streams, so a leading BOM is handled as before.
  let clean = false;
  for await (const chunk of body) {
    const n = chunk.byteLength;
    if (n === 0) continue;
    const endsClean = chunk[n - 1]! < 0x80;
    const text = clean && endsClean ? boundaryDecoder.decode(chunk) : decoder.decode(chunk, { stream: true });
    clean = endsClean;
    // A lone whole line needs no buffering.
    if (buf === '' && text.indexOf('\n') === text.length - 1) {
      const line = text.trim();
      if (line) yield event<T>(line);
      continue;
    }
    buf += text;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (!line) continue;
      yield event<T>(line);
    }
  }
}

/** One event line; an ERROR event throws its Status. */
function event<T extends KubeObject>(line: string): WatchEvent<T> {
  const ev = JSON.parse(line) as { type: string; object: unknown };
  if (ev.type === 'ERROR') {
    const status = ev.object as Status;
    throw statusErrorFrom(status, status.code ?? 500);
  }
  return ev as WatchEvent<T>;
}
