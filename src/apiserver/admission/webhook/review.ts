/**
 * @module The AdmissionReview (`admission.k8s.io/v1`) the API server sends a webhook, and the
 * CEL `request` variable built from the same fields.
 */
import { randomUUID } from 'node:crypto';
import type { AdmissionAttributes } from '../interface.ts';

export interface AdmissionRequest {
  uid: string;
  kind: { group: string; version: string; kind: string };
  resource: { group: string; version: string; resource: string };
  subResource?: string;
  requestKind: { group: string; version: string; kind: string };
  requestResource: { group: string; version: string; resource: string };
  requestSubResource?: string;
  name?: string;
  namespace?: string;
  operation: string;
  userInfo: { username: string; uid?: string; groups: string[]; extra?: Record<string, string[]> };
  object: unknown;
  oldObject: unknown;
  dryRun: boolean;
  options: unknown;
}

const optionsKind = { CREATE: 'CreateOptions', UPDATE: 'UpdateOptions', DELETE: 'DeleteOptions', CONNECT: '' } as const;

export function admissionRequest(a: AdmissionAttributes): AdmissionRequest {
  const sub = a.subresource ? a.resource.subresources?.find((s) => s.name === a.subresource) : undefined;
  const kind = sub?.kind ?? { group: a.resource.group, version: a.resource.version, kind: a.resource.kind };
  const resource = { group: a.resource.group, version: a.resource.version, resource: a.resource.resource };
  const req: AdmissionRequest = {
    uid: randomUUID(),
    kind,
    resource,
    requestKind: kind,
    requestResource: resource,
    operation: a.operation,
    userInfo: { username: a.user.username, groups: a.user.groups, ...(a.user.uid ? { uid: a.user.uid } : {}), ...(a.user.extra ? { extra: a.user.extra } : {}) },
    object: a.object ?? null,
    oldObject: a.oldObject ?? null,
    dryRun: a.dryRun,
    options: optionsKind[a.operation] ? { apiVersion: 'meta.k8s.io/v1', kind: optionsKind[a.operation] } : null,
  };
  if (a.subresource) {
    req.subResource = a.subresource;
    req.requestSubResource = a.subresource;
  }
  if (a.name) req.name = a.name;
  if (a.namespace) req.namespace = a.namespace;
  return req;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: { code?: number; reason?: string; message?: string; details?: unknown };
  patch?: string;
  patchType?: string;
  warnings?: string[];
}
