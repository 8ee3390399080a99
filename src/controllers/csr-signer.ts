/**
 * @module The CSR signing controller ("csrsigning", upstream
 * pkg/controller/certificates/signer): approved requests to the client signers
 * (`kubernetes.io/kube-apiserver-client-kubelet`, `kubernetes.io/kube-apiserver-client`) and
 * to `kubernetes.io/kubelet-serving` (with the request's DNS/IP names) get a certificate from the cluster CA in `status.certificate`: the request's subject and public
 * key, its usages as key usage / extended key usage, valid for the shorter of
 * `spec.expirationSeconds` and the signing duration (default one year). The CA files reach it
 * as `ctx.options.clusterSigningCertFile` / `clusterSigningKeyFile` (upstream's
 * `--cluster-signing-cert-file` / `--cluster-signing-key-file`).
 */
import { readFile } from 'node:fs/promises';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { Informer } from '../client/cache/informer.ts';
import { isConflict, isNotFound } from '../machinery/status.ts';
import { apiserverClientSigner, csrRef, hasCondition, kubeletClientProblem, kubeletClientSigner, kubeletServingProblem, kubeletServingSigner, parseRequest, sansOf, type Csr } from './certificates/csr-info.ts';
import { QueueRunner, type Controller, type ControllerContext } from './framework/controller.ts';

export const controllerName = 'csrsigning-controller';

interface Ca {
  cert: x509.X509Certificate;
  key: webcrypto.CryptoKey;
}

async function loadCa(certFile: string, keyFile: string): Promise<Ca> {
  const cert = new x509.X509Certificate(await readFile(certFile, 'utf8'));
  const pem = await readFile(keyFile, 'utf8');
  const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  const key = (await webcrypto.subtle.importKey('pkcs8', der, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign'])) as webcrypto.CryptoKey;
  return { cert, key };
}

const keyUsageFlags: Record<string, number> = {
  'digital signature': x509.KeyUsageFlags.digitalSignature,
  'key encipherment': x509.KeyUsageFlags.keyEncipherment,
  'content commitment': x509.KeyUsageFlags.nonRepudiation,
  'key agreement': x509.KeyUsageFlags.keyAgreement,
  'data encipherment': x509.KeyUsageFlags.dataEncipherment,
};
const extUsages: Record<string, string> = {
  'client auth': x509.ExtendedKeyUsage.clientAuth,
  'server auth': x509.ExtendedKeyUsage.serverAuth,
};

export class CsrSigningController implements Controller {
  readonly name = controllerName;
  private readonly runner: QueueRunner;
  private readonly csrs: Informer<Csr>;
  private ca: Promise<Ca> | undefined;
  private readonly maxSeconds: number;

  constructor(private readonly ctx: ControllerContext) {
    this.runner = new QueueRunner(ctx, controllerName, (key) => this.reconcile(key));
    this.csrs = ctx.informers.informerFor<Csr>(csrRef);
    this.csrs.addEventHandler({
      onAdd: (c) => this.runner.enqueue(c.metadata!.name!),
      onUpdate: (_o, c) => this.runner.enqueue(c.metadata!.name!),
    });
    this.maxSeconds = Number(ctx.options?.clusterSigningDurationSeconds ?? 365 * 24 * 3600);
  }

  run(signal: AbortSignal): Promise<void> {
    const certFile = this.ctx.options?.clusterSigningCertFile;
    const keyFile = this.ctx.options?.clusterSigningKeyFile;
    if (typeof certFile === 'string' && typeof keyFile === 'string') this.ca = loadCa(certFile, keyFile);
    else this.ctx.logger.warn('no cluster signing CA configured; certificate signing requests will not be signed');
    return this.runner.run(signal);
  }

  async reconcile(name: string): Promise<void> {
    const csr = this.csrs.store.getByName(undefined, name);
    if (!csr || !this.ca || csr.status?.certificate) return;
    const signer = csr.spec.signerName;
    if (signer !== kubeletClientSigner && signer !== apiserverClientSigner && signer !== kubeletServingSigner) return;
    if (!hasCondition(csr, 'Approved') || hasCondition(csr, 'Failed') || hasCondition(csr, 'Denied')) return;
    const req = parseRequest(csr);
    const problem = !req
      ? 'the request is not a valid PKCS#10 certificate request'
      : signer === kubeletClientSigner
        ? kubeletClientProblem(csr, req)
        : signer === kubeletServingSigner
          ? kubeletServingProblem(csr, req)
          : '';
    if (problem) return this.fail(csr, problem);
    if (!(await req!.verify())) return this.fail(csr, 'the request signature does not verify');
    const ca = await this.ca;
    const now = this.ctx.clock.now().getTime();
    const seconds = Math.min(csr.spec.expirationSeconds ?? this.maxSeconds, this.maxSeconds);
    let flags = 0;
    for (const u of csr.spec.usages ?? []) flags |= keyUsageFlags[u] ?? 0;
    const eku = (csr.spec.usages ?? []).map((u) => extUsages[u]).filter((u): u is string => !!u);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1'),
      subject: req!.subject,
      issuer: ca.cert.subject,
      // Backdated as upstream does, so slightly skewed clocks accept it at once.
      notBefore: new Date(now - 5 * 60_000),
      notAfter: new Date(Math.min(now + seconds * 1000, ca.cert.notAfter.getTime())),
      signingKey: ca.key,
      publicKey: await req!.publicKey.export(),
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(flags || x509.KeyUsageFlags.digitalSignature, true),
        ...(eku.length ? [new x509.ExtendedKeyUsageExtension(eku)] : []),
        // Serving certificates carry the names the kubelet is reached by.
        ...(signer === kubeletServingSigner && sansOf(req!) ? [new x509.SubjectAlternativeNameExtension(sansOf(req!)!.names.toJSON())] : []),
        await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
      ],
    });
    const pem = cert.toString('pem') + '\n';
    await this.writeStatus({ ...csr, status: { ...csr.status, certificate: Buffer.from(pem).toString('base64') } });
    this.ctx.logger.info('signed certificate signing request', { csr: name, signer });
  }

  private async fail(csr: Csr, message: string): Promise<void> {
    const now = this.ctx.clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const conditions = [...(csr.status?.conditions ?? []), { type: 'Failed', status: 'True', reason: 'SignerValidationFailure', message, lastUpdateTime: now, lastTransitionTime: now }];
    await this.writeStatus({ ...csr, status: { ...csr.status, conditions } });
  }

  private async writeStatus(csr: Csr): Promise<void> {
    try {
      await this.ctx.client.resource<Csr>(csrRef).update(csr, 'status');
    } catch (err) {
      if (isConflict(err) || isNotFound(err)) return;
      throw err;
    }
  }
}
