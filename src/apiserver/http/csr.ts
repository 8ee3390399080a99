/**
 * @module CertificateSigningRequest writes that differ from the generic verbs: create records
 * the requester (spec.username, uid, groups, extra — never taken from the body, as upstream's
 * PrepareForCreate), and the `approval` subresource changes only the status conditions.
 */
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';
import type { Mutable } from '../../api/object.ts';
import { StatusError } from '../../machinery/status.ts';
import { validateCsrConditions } from '../registry/certificates/certificatesigningrequest.ts';
import type { ApiResponse } from '../types.ts';
import { decodeObject } from './body.ts';
import { json } from './respond.ts';
import { checkUnknownFields, warningHeaders, writeOptions, type RequestScope } from './scope.ts';

type Csr = Mutable<CertificateSigningRequest>;

export async function csrCreate(scope: RequestScope): Promise<ApiResponse> {
  const obj = decodeObject(scope.req.headers['content-type'], scope.req.body);
  const warnings = checkUnknownFields(scope, obj);
  const csr = obj as unknown as Csr;
  const spec = (csr.spec ??= {} as Csr['spec']) as Mutable<Csr['spec']>;
  const u = scope.user;
  spec.username = u.username;
  if (u.uid) spec.uid = u.uid;
  else delete spec.uid;
  spec.groups = [...u.groups];
  if (u.extra && Object.keys(u.extra).length) spec.extra = u.extra;
  else delete spec.extra;
  const opts = writeOptions(scope, '');
  const created = await scope.store.create('', obj, opts);
  return json(201, created, warningHeaders([...warnings, ...(opts.warnings ?? [])]));
}

export async function csrApproval(scope: RequestScope): Promise<ApiResponse> {
  const body = decodeObject(scope.req.headers['content-type'], scope.req.body) as unknown as Csr;
  const wantedRv = body.metadata?.resourceVersion;
  const { object } = await scope.store.guaranteedUpdate(
    '',
    scope.info.name,
    (current) => {
      if (!current) throw StatusError.notFound(scope.store.qualified, scope.info.name);
      const next = current as unknown as Csr;
      if (wantedRv) (next.metadata as { resourceVersion?: string }).resourceVersion = wantedRv;
      const status = (next.status ??= {}) as Mutable<NonNullable<Csr['status']>>;
      const conds = (body.status?.conditions ?? []).map((c) => ({
        ...c,
        lastUpdateTime: c.lastUpdateTime || scope.now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
        lastTransitionTime: c.lastTransitionTime || scope.now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      }));
      status.conditions = conds;
      const errs = validateCsrConditions(next as never);
      if (errs.length) throw StatusError.invalid({ group: 'certificates.k8s.io', kind: 'CertificateSigningRequest' }, scope.info.name, errs);
      return current;
    },
    writeOptions(scope),
  );
  return json(200, object);
}
