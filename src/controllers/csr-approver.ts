/**
 * @module The CSR approving controller ("csrapproving", upstream
 * pkg/controller/certificates/approver/sarapprove.go): a pending
 * `kubernetes.io/kube-apiserver-client-kubelet` request for `system:node:<name>` /
 * `system:nodes` is approved when a SubjectAccessReview says its requester may create
 * `certificatesigningrequests/selfnodeclient` (renewing its own certificate) or
 * `certificatesigningrequests/nodeclient` (a bootstrap token joining). Anything else is left
 * for a human (`kubectl certificate approve`).
 *
 * Skiff also approves a `kubernetes.io/kubelet-serving` request that a node makes for itself
 * (requester `system:node:<name>` in `system:nodes` = the subject), as kubelet-csr-approver
 * does: upstream leaves these to an external approver, but a joined agent needs its serving
 * certificate before logs, exec and metrics can reach it.
 */
import type { SubjectAccessReview } from 'kubernetes-types/authorization/v1.js';
import type { KubeObject } from '../api/object.ts';
import type { Informer } from '../client/cache/informer.ts';
import type { ResourceRef } from '../client/rest.ts';
import { isConflict, isNotFound } from '../machinery/status.ts';
import { csrRef, hasCondition, kubeletClientProblem, kubeletClientSigner, kubeletServingProblem, kubeletServingSigner, parseRequest, subjectOf, type Csr } from './certificates/csr-info.ts';
import { QueueRunner, type Controller, type ControllerContext } from './framework/controller.ts';

export const controllerName = 'csrapproving-controller';
const sarRef: ResourceRef = { group: 'authorization.k8s.io', version: 'v1', resource: 'subjectaccessreviews', namespaced: false };

export class CsrApprovingController implements Controller {
  readonly name = controllerName;
  private readonly runner: QueueRunner;
  private readonly csrs: Informer<Csr>;

  constructor(private readonly ctx: ControllerContext) {
    this.runner = new QueueRunner(ctx, controllerName, (key) => this.reconcile(key));
    this.csrs = ctx.informers.informerFor<Csr>(csrRef);
    this.csrs.addEventHandler({
      onAdd: (c) => this.runner.enqueue(c.metadata!.name!),
      onUpdate: (_o, c) => this.runner.enqueue(c.metadata!.name!),
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  private async allowed(csr: Csr, subresource: string): Promise<boolean> {
    const s = csr.spec;
    const review: SubjectAccessReview = {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: {
        user: s.username,
        uid: s.uid,
        groups: s.groups,
        extra: s.extra,
        resourceAttributes: { group: 'certificates.k8s.io', resource: 'certificatesigningrequests', verb: 'create', subresource },
      },
    };
    const out = await this.ctx.client.resource<SubjectAccessReview & KubeObject>(sarRef).create(review as never);
    return !!out.status?.allowed;
  }

  async reconcile(name: string): Promise<void> {
    const csr = this.csrs.store.getByName(undefined, name);
    if (!csr || (csr.spec.signerName !== kubeletClientSigner && csr.spec.signerName !== kubeletServingSigner)) return;
    if (hasCondition(csr, 'Approved') || hasCondition(csr, 'Denied') || csr.status?.certificate) return;
    const req = parseRequest(csr);
    if (!req) return;
    let message = 'Auto approving kubelet client certificate after SubjectAccessReview.';
    if (csr.spec.signerName === kubeletServingSigner) {
      if (kubeletServingProblem(csr, req)) return;
      const { cn } = subjectOf(req);
      if (cn !== csr.spec.username || !(csr.spec.groups ?? []).includes('system:nodes')) return;
      message = 'Auto approving kubelet serving certificate requested by the node itself.';
    } else {
      if (kubeletClientProblem(csr, req)) return;
      // Renewal by the node itself, else a bootstrapper asking for a node client certificate.
      const self = subjectOf(req).cn === csr.spec.username && (await this.allowed(csr, 'selfnodeclient'));
      if (!self && !(await this.allowed(csr, 'nodeclient'))) return;
    }
    const now = this.ctx.clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const approved: Csr = {
      ...csr,
      status: {
        ...csr.status,
        conditions: [
          ...(csr.status?.conditions ?? []),
          { type: 'Approved', status: 'True', reason: 'AutoApproved', message, lastUpdateTime: now, lastTransitionTime: now },
        ],
      },
    };
    try {
      await this.ctx.client.resource<Csr>(csrRef).update(approved, 'approval');
      this.ctx.logger.info('approved certificate signing request', { csr: name, user: csr.spec.username });
    } catch (err) {
      // Changed or gone meanwhile: the informer brings the new state back here.
      if (isConflict(err) || isNotFound(err)) return;
      throw err;
    }
  }
}
