/**
 * @module What the CSR approver and signer both read from a CertificateSigningRequest: its
 * parsed PKCS#10 request, its conditions, and whether it is a kubelet client certificate
 * request (upstream pkg/apis/certificates IsKubeletClientCSR).
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';
import type { KubeObject } from '../../api/object.ts';
import type { ResourceRef } from '../../client/rest.ts';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export type Csr = CertificateSigningRequest & KubeObject;
export const csrRef: ResourceRef = { group: 'certificates.k8s.io', version: 'v1', resource: 'certificatesigningrequests', namespaced: false };
export const kubeletClientSigner = 'kubernetes.io/kube-apiserver-client-kubelet';
export const apiserverClientSigner = 'kubernetes.io/kube-apiserver-client';
export const kubeletServingSigner = 'kubernetes.io/kubelet-serving';

/** The request's subject alternative names, if any. */
export function sansOf(req: x509.Pkcs10CertificateRequest): x509.SubjectAlternativeNameExtension | undefined {
  return req.extensions.find((e): e is x509.SubjectAlternativeNameExtension => e instanceof x509.SubjectAlternativeNameExtension);
}

export function parseRequest(csr: Csr): x509.Pkcs10CertificateRequest | undefined {
  try {
    return new x509.Pkcs10CertificateRequest(Buffer.from(csr.spec.request, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
}

export function hasCondition(csr: Csr, type: string): boolean {
  return (csr.status?.conditions ?? []).some((c) => c.type === type && c.status !== 'False');
}

/** CN and O of a request's subject. */
export function subjectOf(req: x509.Pkcs10CertificateRequest): { cn: string; orgs: string[] } {
  const name = new x509.Name(req.subject).toJSON();
  const cn = name.flatMap((rdn) => rdn.CN ?? []);
  const orgs = name.flatMap((rdn) => rdn.O ?? []);
  return { cn: cn[0] ?? '', orgs };
}

const allowedKubeletUsages = new Set(['digital signature', 'key encipherment', 'client auth']);

/** Why the request is not a valid kubelet client certificate request, or '' if it is. */
export function kubeletClientProblem(csr: Csr, req: x509.Pkcs10CertificateRequest): string {
  const { cn, orgs } = subjectOf(req);
  if (orgs.length !== 1 || orgs[0] !== 'system:nodes') return 'subject organization is not system:nodes';
  if (!cn.startsWith('system:node:') || cn.length === 'system:node:'.length) return 'subject common name does not begin with system:node:';
  const san = req.extensions.find((e): e is x509.SubjectAlternativeNameExtension => e instanceof x509.SubjectAlternativeNameExtension);
  if (san && san.names.items.length) return 'DNS, email, IP or URI subjectAltNames are not allowed';
  const usages = csr.spec.usages ?? [];
  if (!usages.includes('client auth')) return 'usages did not contain client auth';
  if (usages.some((u) => !allowedKubeletUsages.has(u))) return 'usages may only be digital signature, key encipherment and client auth';
  return '';
}

const allowedServingUsages = new Set(['digital signature', 'key encipherment', 'server auth']);

/**
 * Why the request is not a valid kubelet serving certificate request (upstream
 * IsKubeletServingCSR / ValidateKubeletServingCSR), or '' if it is: `system:node:<name>` in
 * `system:nodes`, DNS or IP names only (at least one), usages within digital signature, key
 * encipherment and server auth.
 */
export function kubeletServingProblem(csr: Csr, req: x509.Pkcs10CertificateRequest): string {
  const { cn, orgs } = subjectOf(req);
  if (orgs.length !== 1 || orgs[0] !== 'system:nodes') return 'subject organization is not system:nodes';
  if (!cn.startsWith('system:node:') || cn.length === 'system:node:'.length) return 'subject common name does not begin with system:node:';
  const names = sansOf(req)?.names.items ?? [];
  if (names.some((n) => n.type !== 'dns' && n.type !== 'ip')) return 'email and URI subjectAltNames are not allowed';
  if (!names.length) return 'DNS or IP subjectAltName is required';
  const usages = csr.spec.usages ?? [];
  if (!usages.includes('server auth')) return 'usages did not contain server auth';
  if (usages.some((u) => !allowedServingUsages.has(u))) return 'usages may only be digital signature, key encipherment and server auth';
  return '';
}
