/**
 * @module The agent's certificate rotation (kubelet `rotateCertificates` /
 * `serverTLSBootstrap`): its client certificate and its kubelet serving certificate are each
 * renewed through a new CertificateSigningRequest 70–84% into their lifetime, the files in
 * `<data-dir>/pki` are replaced, and both are swapped in without a restart: the client
 * certificate into the live transport, the serving one into the running kubelet endpoint.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { HttpsTransport } from '../../client/https-transport.ts';
import type { Client } from '../../client/rest.ts';
import { swapServingCertificate } from '../../kubelet/server/server.ts';
import { runRotation } from '../../pki/rotation.ts';
import type { Logger } from '../../util/log.ts';
import { renewClientCertificate } from './join.ts';
import { requestServingCertificate } from './serving-cert.ts';

/** When a certificate file was written (the certificate obtained), if it exists. */
async function writtenAt(path: string): Promise<Date | undefined> {
  return stat(path).then((s) => s.mtime, () => undefined);
}

export async function rotateClientCertificate(o: { client: Client; transport: HttpsTransport; node: string; dataDir: string; cert: string; logger: Logger; signal: AbortSignal }): Promise<void> {
  await runRotation({
    name: 'kubelet-client',
    current: { cert: o.cert, obtainedAt: await writtenAt(join(o.dataDir, 'pki', 'kubelet-client.crt')) },
    renew: (signal) => renewClientCertificate({ client: o.client, node: o.node, dataDir: o.dataDir, logger: o.logger, signal }),
    apply: (pair) => o.transport.setClientCertificate(pair.cert, pair.key),
    logger: o.logger,
    signal: o.signal,
  });
}

/**
 * Renews the serving certificate's files and puts the new pair into the running kubelet
 * endpoint that serves the old one (`tls.Server.setSecureContext`); `apply` is then called too.
 */
export async function rotateServingCertificate(o: { client: Client; node: string; sans: string[]; dataDir: string; cert: string; logger: Logger; signal: AbortSignal; apply(pair: { cert: string; key: string }): void }): Promise<void> {
  let serving = o.cert;
  await runRotation({
    name: 'kubelet-serving',
    current: { cert: o.cert, obtainedAt: await writtenAt(join(o.dataDir, 'pki', 'kubelet-serving.crt')) },
    renew: (signal) => requestServingCertificate({ client: o.client, node: o.node, sans: o.sans, dataDir: o.dataDir, logger: o.logger, signal }),
    apply: (pair) => {
      const swapped = swapServingCertificate(serving, pair);
      serving = pair.cert;
      o.logger.info('kubelet serving certificate renewed', { endpointsSwapped: swapped });
      o.apply(pair);
    },
    logger: o.logger,
    signal: o.signal,
  });
}
