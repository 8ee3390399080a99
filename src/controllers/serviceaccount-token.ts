/**
 * @module The legacy ServiceAccount token controller ("serviceaccount-token-controller",
 * upstream pkg/controller/serviceaccount/tokens_controller.go), for tokens only when asked
 * for: a Secret of type `kubernetes.io/service-account-token` annotated
 * `kubernetes.io/service-account.name` gets `data.token` (a non-expiring JWT of issuer
 * `kubernetes/serviceaccount`), `ca.crt` and `namespace`; such a Secret whose ServiceAccount
 * is gone (or was recreated with another uid) is deleted. Nothing is created unasked. The
 * signing key and CA reach it as `ctx.options.serviceAccountPrivateKeyFile` / `rootCAFile`.
 */
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { SignJWT } from 'jose';
import type { Secret, ServiceAccount } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/object.ts';
import type { Informer } from '../client/cache/informer.ts';
import { keyOf, refs, splitKey } from '../client/refs.ts';
import { isConflict, isNotFound } from '../machinery/status.ts';
import { QueueRunner, type Controller, type ControllerContext } from './framework/controller.ts';

export const controllerName = 'serviceaccount-token-controller';
const tokenType = 'kubernetes.io/service-account-token';
const nameAnnotation = 'kubernetes.io/service-account.name';
const uidAnnotation = 'kubernetes.io/service-account.uid';

type Sec = Secret & KubeObject;
type SA = ServiceAccount & KubeObject;

interface Signer {
  key: KeyObject;
  kid: string;
  alg: string;
  ca: string;
}

async function loadSigner(keyFile: string, caFile: string | undefined): Promise<Signer> {
  const key = createPrivateKey(await readFile(keyFile, 'utf8'));
  const kid = createHash('sha256').update(createPublicKey(key).export({ type: 'spki', format: 'der' })).digest('base64url');
  return { key, kid, alg: key.asymmetricKeyType === 'ec' ? 'ES256' : 'RS256', ca: caFile ? await readFile(caFile, 'utf8') : '' };
}

export class ServiceAccountTokenController implements Controller {
  readonly name = controllerName;
  private readonly runner: QueueRunner;
  private readonly secrets: Informer<Sec>;
  private readonly accounts: Informer<SA>;
  private signer: Promise<Signer> | undefined;

  constructor(private readonly ctx: ControllerContext) {
    this.runner = new QueueRunner(ctx, controllerName, (key) => this.reconcile(key));
    this.secrets = ctx.informers.informerFor<Sec>(refs.secrets);
    this.accounts = ctx.informers.informerFor<SA>(refs.serviceaccounts);
    const enqueue = (s: Sec) => {
      if (s.type === tokenType) this.runner.enqueue(keyOf(s));
    };
    this.secrets.addEventHandler({ onAdd: enqueue, onUpdate: (_o, s) => enqueue(s) });
    // A ServiceAccount going away takes its token Secrets with it.
    const forAccount = (sa: SA) => {
      for (const s of this.secrets.store.byIndex('namespace', sa.metadata!.namespace!))
        if (s.metadata?.annotations?.[nameAnnotation] === sa.metadata!.name) enqueue(s);
    };
    this.accounts.addEventHandler({ onAdd: forAccount, onDelete: forAccount });
  }

  run(signal: AbortSignal): Promise<void> {
    const keyFile = this.ctx.options?.serviceAccountPrivateKeyFile;
    const caFile = this.ctx.options?.rootCAFile;
    if (typeof keyFile === 'string') this.signer = loadSigner(keyFile, typeof caFile === 'string' ? caFile : undefined);
    else this.ctx.logger.warn('no service account private key configured; legacy token Secrets stay empty');
    return this.runner.run(signal);
  }

  async reconcile(key: string): Promise<void> {
    const secret = this.secrets.store.get(key);
    if (!secret || secret.type !== tokenType || secret.metadata?.deletionTimestamp || !this.signer) return;
    const { namespace = '', name } = splitKey(key);
    const saName = secret.metadata?.annotations?.[nameAnnotation];
    if (!saName) return;
    const wantUid = secret.metadata?.annotations?.[uidAnnotation];
    // Live read before deleting anything: the cache may simply not have the account yet.
    const sa = await this.ctx.client.resource<SA>(refs.serviceaccounts).get(saName, namespace).catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
    if (!sa || (wantUid && sa.metadata?.uid !== wantUid)) {
      if (!this.accounts.hasSynced) return;
      await this.ctx.client.resource<Sec>(refs.secrets).delete(name, { namespace, preconditions: { uid: secret.metadata?.uid } }).catch((err: unknown) => {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      });
      return;
    }
    if (secret.data?.token && secret.data['ca.crt'] !== undefined && secret.data.namespace) return;
    const signer = await this.signer;
    const saUid = sa.metadata?.uid ?? '';
    const token = await new SignJWT({
      'kubernetes.io/serviceaccount/namespace': namespace,
      'kubernetes.io/serviceaccount/secret.name': name,
      'kubernetes.io/serviceaccount/service-account.name': saName,
      'kubernetes.io/serviceaccount/service-account.uid': saUid,
    })
      .setProtectedHeader({ alg: signer.alg, kid: signer.kid })
      .setIssuer('kubernetes/serviceaccount')
      .setSubject(`system:serviceaccount:${namespace}:${saName}`)
      .sign(signer.key);
    const b64 = (v: string) => Buffer.from(v).toString('base64');
    const next: Sec = {
      ...secret,
      metadata: { ...secret.metadata, annotations: { ...secret.metadata?.annotations, [uidAnnotation]: saUid } },
      data: { ...secret.data, token: b64(token), 'ca.crt': b64(signer.ca), namespace: b64(namespace) },
    };
    try {
      await this.ctx.client.resource<Sec>(refs.secrets).update(next);
    } catch (err) {
      if (isConflict(err) || isNotFound(err)) return;
      throw err;
    }
  }
}
