/**
 * @module Create-only review resources answered from the caller's identity and the authorizer:
 * SelfSubjectReview (`kubectl auth whoami`), SelfSubjectAccessReview (`kubectl auth can-i`),
 * SelfSubjectRulesReview (`can-i --list`), SubjectAccessReview, LocalSubjectAccessReview and
 * TokenReview. Nothing is stored.
 */
import type { FieldErrorType } from '../../api/field-error.ts';
import { StatusError } from '../../machinery/status.ts';
import type { Authenticator } from '../auth/authenticator.ts';
import type { AuthorizationAttributes, Authorizer } from '../auth/authorizer.ts';
import type { ApiResponse, UserInfo } from '../types.ts';
import { decodeObject } from './body.ts';
import { json } from './respond.ts';
import type { ResourceRequestInfo } from '../request-info.ts';
import type { ApiRequest } from '../types.ts';

interface ResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

interface AccessReviewSpec {
  resourceAttributes?: ResourceAttributes;
  nonResourceAttributes?: { path?: string; verb?: string };
  user?: string;
  groups?: string[];
  uid?: string;
  extra?: Record<string, string[]>;
  namespace?: string;
}

function attributesOf(user: UserInfo, spec: AccessReviewSpec, kind = 'SelfSubjectAccessReview'): AuthorizationAttributes {
  const r = spec.resourceAttributes;
  const n = spec.nonResourceAttributes;
  if (!r && !n)
    throw StatusError.invalid({ group: 'authorization.k8s.io', kind }, '', [
      { type: 'FieldValueRequired', field: 'spec.resourceAttributes', detail: 'exactly one of nonResourceAttributes or resourceAttributes must be specified' },
    ]);
  return {
    user,
    verb: r?.verb ?? n?.verb ?? '',
    isResourceRequest: !!r,
    namespace: r?.namespace ?? '',
    apiGroup: r?.group ?? '',
    apiVersion: r?.version ?? '',
    resource: r?.resource ?? '',
    subresource: r?.subresource ?? '',
    name: r?.name ?? '',
    path: n?.path ?? '',
  };
}

/** Upstream's SubjectAccessReview / LocalSubjectAccessReview validation. */
function validateSubjectReview(info: ResourceRequestInfo, spec: AccessReviewSpec, attrs: AuthorizationAttributes): void {
  if (info.resource === 'selfsubjectaccessreviews') return;
  const kind = info.resource === 'subjectaccessreviews' ? 'SubjectAccessReview' : 'LocalSubjectAccessReview';
  const invalid = (field: string, detail: string, type: FieldErrorType = 'FieldValueInvalid') =>
    StatusError.invalid({ group: 'authorization.k8s.io', kind }, '', [{ type, field, detail }]);
  if (spec.resourceAttributes && spec.nonResourceAttributes)
    throw invalid('spec.nonResourceAttributes', 'cannot be specified in combination with resourceAttributes');
  if (!spec.user && !(spec.groups ?? []).length) throw invalid('spec.user', 'at least one of user or group must be specified');
  if (info.resource === 'localsubjectaccessreviews') {
    if (!spec.resourceAttributes) throw invalid('spec.resourceAttributes', 'disallowed on this kind of request', 'FieldValueRequired');
    if (attrs.namespace !== info.namespace) throw invalid('spec.resourceAttributes.namespace', 'must match metadata.namespace');
  }
}

export async function review(
  info: ResourceRequestInfo,
  req: ApiRequest,
  user: UserInfo,
  deps: { authorizer: Authorizer; authenticator: Authenticator },
): Promise<ApiResponse> {
  if (req.method.toUpperCase() !== 'POST') throw StatusError.methodNotAllowed();
  const body = decodeObject(req.headers['content-type'], req.body) as { spec?: AccessReviewSpec; metadata?: object };
  const spec = body.spec ?? {};
  const base = { apiVersion: `${info.group}/${info.version}`, metadata: { ...(body.metadata ?? {}), creationTimestamp: null }, spec };
  switch (info.resource) {
    case 'selfsubjectreviews':
      return json(201, { ...base, kind: 'SelfSubjectReview', status: { userInfo: user } });
    case 'selfsubjectaccessreviews':
    case 'subjectaccessreviews':
    case 'localsubjectaccessreviews': {
      const subject: UserInfo =
        info.resource === 'selfsubjectaccessreviews'
          ? user
          : { username: spec.user ?? '', groups: spec.groups ?? [], uid: spec.uid, extra: spec.extra };
      const kind = { selfsubjectaccessreviews: 'SelfSubjectAccessReview', subjectaccessreviews: 'SubjectAccessReview', localsubjectaccessreviews: 'LocalSubjectAccessReview' }[info.resource];
      const attrs = attributesOf(subject, spec, kind);
      validateSubjectReview(info, spec, attrs);
      if (info.resource === 'localsubjectaccessreviews') attrs.namespace = info.namespace;
      const d = await deps.authorizer.authorize(attrs);
      const status: Record<string, unknown> = { allowed: d.allowed };
      if (d.reason) status.reason = d.reason;
      if (!d.allowed && d.denied) status.denied = true;
      return json(201, { ...base, kind, status });
    }
    case 'selfsubjectrulesreviews': {
      const rules = await deps.authorizer.rulesFor(user, spec.namespace ?? '');
      return json(201, { ...base, kind: 'SelfSubjectRulesReview', status: rules });
    }
    case 'tokenreviews': {
      const token = (spec as { token?: string }).token ?? '';
      const probe: ApiRequest = { ...req, headers: { authorization: `Bearer ${token}` }, peer: undefined };
      const who = token ? await deps.authenticator.authenticate(probe) : undefined;
      const status = who ? { authenticated: true, user: who } : { authenticated: false, user: {} };
      return json(201, { ...base, kind: 'TokenReview', status });
    }
  }
  throw StatusError.pathNotFound();
}

export const reviewResources = new Set([
  'selfsubjectreviews',
  'selfsubjectaccessreviews',
  'subjectaccessreviews',
  'localsubjectaccessreviews',
  'selfsubjectrulesreviews',
  'tokenreviews',
]);
