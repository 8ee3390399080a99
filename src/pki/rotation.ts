/**
 * @module Certificate rotation before expiry, as client-go's certificate manager: a
 * certificate is renewed at a jittered point 70–84% into its lifetime (70% plus up to 20% of
 * that), and a loop sleeps until then, obtains a new certificate, hands it to whoever serves
 * or dials with it, and starts over. Failures are retried with a capped exponential back-off.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import type { Logger } from '../util/log.ts';
import type { KeyPairPem } from './certs.ts';

export interface Validity {
  notBefore: Date;
  notAfter: Date;
}

export function certificateValidity(pem: string): Validity {
  const c = new x509.X509Certificate(pem);
  return { notBefore: c.notBefore, notAfter: c.notAfter };
}

/**
 * The lifetime counted from `obtainedAt` when that is later than notBefore: signers backdate
 * notBefore (ours by 5 minutes), which would put a short-lived certificate's deadline in the
 * past the moment it is issued and renew it in a tight loop.
 */
export function effectiveValidity(v: Validity, obtainedAt?: Date): Validity {
  if (!obtainedAt || obtainedAt <= v.notBefore || obtainedAt >= v.notAfter) return v;
  return { notBefore: obtainedAt, notAfter: v.notAfter };
}

/** client-go's nextRotationDeadline: notBefore + 70% of the lifetime, jittered up by ≤ 20% of that. */
export function nextRotationDeadline(v: Validity, random: () => number = Math.random): Date {
  const total = v.notAfter.getTime() - v.notBefore.getTime();
  const base = total * 0.7;
  return new Date(v.notBefore.getTime() + base + base * 0.2 * random());
}

/** True when less than a third of the lifetime is left (the server's own certificates). */
export function lessThanThirdLeft(v: Validity, now: number): boolean {
  const total = v.notAfter.getTime() - v.notBefore.getTime();
  return v.notAfter.getTime() - now < total / 3;
}

/** When a third of the lifetime is left. */
export function thirdLeftAt(v: Validity): Date {
  const total = v.notAfter.getTime() - v.notBefore.getTime();
  return new Date(v.notAfter.getTime() - total / 3);
}

/** Sleeps until `at` (in chunks: setTimeout cannot wait longer than ~24.8 days); false if aborted. */
export async function sleepUntil(at: Date, signal: AbortSignal): Promise<boolean> {
  const chunk = 24 * 3600 * 1000;
  while (!signal.aborted) {
    const left = at.getTime() - Date.now();
    if (left <= 0) return true;
    await new Promise<void>((resolve) => {
      const t = setTimeout(done, Math.min(left, chunk));
      function done() {
        signal.removeEventListener('abort', done);
        clearTimeout(t);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }
  return false;
}

export interface RotationOptions {
  /** What is rotated, for logs. */
  name: string;
  /** The certificate in use now and when it was obtained (file time or issuance). */
  current: { cert: string; obtainedAt?: Date };
  /** Obtains a new certificate (a CSR, or issuing from the CA); may throw to be retried. */
  renew(signal: AbortSignal): Promise<KeyPairPem>;
  /** Puts it to use (files, live transport or listener). */
  apply(pair: KeyPairPem): void | Promise<void>;
  /** When to renew; default client-go's jittered 70–84%. */
  deadline?: (v: Validity) => Date;
  logger: Logger;
  signal: AbortSignal;
  /** First retry delay after a failure (doubles up to maxRetryMs). */
  retryMs?: number;
  maxRetryMs?: number;
}

/** Renews the certificate before each expiry until `signal` aborts. */
export async function runRotation(o: RotationOptions): Promise<void> {
  const deadlineOf = o.deadline ?? ((v: Validity) => nextRotationDeadline(v));
  let cur = o.current;
  while (!o.signal.aborted) {
    const validity = effectiveValidity(certificateValidity(cur.cert), cur.obtainedAt);
    const at = deadlineOf(validity);
    o.logger.info('certificate rotation scheduled', { certificate: o.name, expiration: validity.notAfter.toISOString(), rotationDeadline: at.toISOString() });
    if (!(await sleepUntil(at, o.signal))) return;
    let delay = o.retryMs ?? 1000;
    for (;;) {
      try {
        const pair = await o.renew(o.signal);
        await o.apply(pair);
        cur = { cert: pair.cert, obtainedAt: new Date() };
        o.logger.info('certificate rotated', { certificate: o.name, expiration: certificateValidity(pair.cert).notAfter.toISOString() });
        break;
      } catch (err) {
        if (o.signal.aborted) return;
        o.logger.warn('certificate rotation failed; retrying', { certificate: o.name, err: (err as Error).message, retryMs: delay });
        if (!(await sleepUntil(new Date(Date.now() + delay), o.signal))) return;
        delay = Math.min(delay * 2, o.maxRetryMs ?? 128_000);
      }
    }
  }
}
