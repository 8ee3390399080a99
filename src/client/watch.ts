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

export async function* decodeWatch<T extends KubeObject>(body: AsyncIterable<Uint8Array>): AsyncIterable<WatchEvent<T>> {
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of body) {
    buf += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (!line) continue;
      const ev = JSON.parse(line) as { type: string; object: unknown };
      if (ev.type === 'ERROR') {
        const status = ev.object as Status;
        throw statusErrorFrom(status, status.code ?? 500);
      }
      yield ev as WatchEvent<T>;
    }
  }
}
