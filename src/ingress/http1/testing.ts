/** @module Test helpers for the http1 parsers. */
import assert from 'node:assert/strict';
import { HttpError } from './head.ts';

/** The status of the `HttpError` that `fn` throws (0: it did not throw). */
export function thrownStatus(fn: () => unknown): number {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof HttpError, String(err));
    return err.status;
  }
  return 0;
}
