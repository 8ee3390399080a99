/**
 * @module certificates.k8s.io/v1 CertificateSigningRequests (upstream pkg/registry/certificates):
 * a PEM CSR, a signer name and usages; spec is immutable, the requester's identity is filled in
 * by the create handler, approval conditions come through `approval` and the issued
 * certificate through `status`. Columns NAME · AGE · SIGNERNAME · REQUESTOR ·
 * REQUESTEDDURATION · CONDITION.
 */
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';
import { forbidden, invalid, required, type FieldError } from '../../../api/field-error.ts';
import type { KubeObject, Mutable } from '../../../api/object.ts';
import { builtinResources, findResource } from '../../../machinery/resources.ts';
import { ageColumn, ageOf, column, humanDuration, nameColumn } from '../printing.ts';
import type { Strategy } from '../strategy.ts';

type Csr = Mutable<CertificateSigningRequest> & KubeObject;

/** Upstream's certificates.KeyUsage values. */
export const keyUsages = new Set([
  'signing', 'digital signature', 'content commitment', 'key encipherment', 'key agreement', 'data encipherment',
  'cert sign', 'crl sign', 'encipher only', 'decipher only', 'any', 'server auth', 'client auth', 'code signing',
  'email protection', 's/mime', 'ipsec end system', 'ipsec tunnel', 'ipsec user', 'timestamping', 'ocsp signing',
  'microsoft sgc', 'netscape sgc',
]);

const signerName = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)\/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

function decodedRequest(b64: string): string | undefined {
  try {
    return Buffer.from(b64, 'base64').toString('utf8');
  } catch {
    return undefined;
  }
}

function validateSpec(c: Csr): FieldError[] {
  const out: FieldError[] = [];
  const s = c.spec ?? ({} as Csr['spec']);
  if (!s.request) out.push(required('spec.request'));
  else if (!/-----BEGIN CERTIFICATE REQUEST-----[\s\S]+-----END CERTIFICATE REQUEST-----/.test(decodedRequest(s.request) ?? ''))
    out.push(invalid('spec.request', '<request>', 'PEM block type must be CERTIFICATE REQUEST'));
  if (!s.signerName) out.push(required('spec.signerName'));
  else if (!signerName.test(s.signerName))
    out.push(invalid('spec.signerName', s.signerName, 'must be a fully qualified domain and path of the form \'example.com/signer-name\''));
  if (!s.usages?.length) out.push(required('spec.usages'));
  (s.usages ?? []).forEach((u, i) => {
    if (!keyUsages.has(u)) out.push({ type: 'FieldValueNotSupported', field: `spec.usages[${i}]`, value: u });
  });
  if (s.expirationSeconds !== undefined && s.expirationSeconds !== null && s.expirationSeconds < 600)
    out.push(invalid('spec.expirationSeconds', s.expirationSeconds, 'may not specify a duration less than 600 seconds (10 minutes)'));
  return out;
}

/** Checks status conditions (also used by the `approval` subresource handler). */
export function validateCsrConditions(c: Csr): FieldError[] {
  const out: FieldError[] = [];
  const conds = c.status?.conditions ?? [];
  const seen = new Set<string>();
  conds.forEach((cond, i) => {
    if (!cond.type) out.push(required(`status.conditions[${i}].type`));
    if (seen.has(cond.type)) out.push({ type: 'FieldValueDuplicate', field: `status.conditions[${i}].type`, value: cond.type });
    seen.add(cond.type);
    if (cond.status && cond.status !== 'True' && cond.status !== 'False' && cond.status !== 'Unknown')
      out.push({ type: 'FieldValueNotSupported', field: `status.conditions[${i}].status`, value: cond.status });
  });
  const isTrue = (t: string) => conds.some((x) => x.type === t && x.status !== 'False');
  if (isTrue('Approved') && isTrue('Denied'))
    out.push(invalid('status.conditions', 'Approved', 'Approved and Denied conditions are mutually exclusive'));
  return out;
}

const conditionsOf = (c: Csr, t: string) => JSON.stringify(((c as Csr).status?.conditions ?? []).filter((x) => x.type === t));

export function csrCondition(c: Csr): string {
  const conds = (c.status?.conditions ?? []).filter((x) => x.status !== 'False').map((x) => x.type);
  if (c.status?.certificate) conds.push('Issued');
  return conds.length ? conds.join(',') : 'Pending';
}

export const certificateSigningRequestStrategy: Strategy<Csr> = {
  info: findResource(builtinResources, 'certificates.k8s.io', 'v1', 'certificatesigningrequests')!,
  validate: validateSpec,
  validateUpdate(c, old) {
    return JSON.stringify(c.spec) === JSON.stringify(old.spec) ? [] : [forbidden('spec', 'field is immutable')];
  },
  validateStatusUpdate(c, old) {
    const out = validateCsrConditions(c);
    // Approval decisions change only through the approval subresource.
    for (const t of ['Approved', 'Denied'])
      if (conditionsOf(c, t) !== conditionsOf(old, t)) out.push(forbidden('status.conditions', `updates may not add a condition of type "${t}"`));
    if (old.status?.certificate && c.status?.certificate !== old.status.certificate)
      out.push(forbidden('status.certificate', 'updates may not modify existing certificate content'));
    return out;
  },
  table: {
    columns: [
      nameColumn,
      ageColumn,
      column('SignerName', 'string', 'Name of the signer the request is made to.'),
      column('Requestor', 'string', 'The user who made the request.'),
      column('RequestedDuration', 'string', 'The requested validity duration of the certificate.'),
      column('Condition', 'string', 'The state of the request: Pending, Approved, Denied, Failed, Issued.'),
    ],
    cells: (c, now) => [
      c.metadata?.name ?? '',
      ageOf(c, now),
      c.spec?.signerName ?? '',
      c.spec?.username ?? '',
      c.spec?.expirationSeconds ? humanDuration(c.spec.expirationSeconds * 1000) : '<none>',
      csrCondition(c),
    ],
  },
};

