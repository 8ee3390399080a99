/**
 * @module `POST serviceaccounts/<name>/token` (TokenRequest, upstream's TokenREST): signs a
 * ServiceAccount JWT for the requested audiences (default: the API server's) and lifetime
 * (default one hour, at least ten minutes), optionally bound to a Pod, Secret or Node whose
 * deletion ends the token. Nothing is stored.
 */
import type { TokenRequest } from 'kubernetes-types/authentication/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../../api/field-error.ts';
import { StatusError } from '../../machinery/status.ts';
import type { ServiceAccountTokenRequest } from '../auth/authenticator.ts';
import type { ServerContext } from '../context.ts';
import type { ApiResponse } from '../types.ts';
import { decodeObject } from './body.ts';
import { json } from './respond.ts';
import type { RequestScope } from './scope.ts';

const minExpirationSeconds = 600;
const maxExpirationSeconds = 2 ** 32;
const boundKinds: Record<string, 'pods' | 'secrets' | 'nodes'> = { Pod: 'pods', Secret: 'secrets', Node: 'nodes' };

function validate(tr: TokenRequest): FieldError[] {
  const out: FieldError[] = [];
  const exp = tr.spec.expirationSeconds ?? 0;
  if (exp < minExpirationSeconds)
    out.push({ type: 'FieldValueInvalid', field: 'spec.expirationSeconds', value: exp, detail: 'may not specify a duration less than 10 minutes' });
  if (exp > maxExpirationSeconds)
    out.push({ type: 'FieldValueInvalid', field: 'spec.expirationSeconds', value: exp, detail: 'may not specify a duration larger than 2^32 seconds' });
  const ref = tr.spec.boundObjectRef;
  if (ref) {
    if (!ref.kind || !boundKinds[ref.kind])
      out.push({ type: 'FieldValueNotSupported', field: 'spec.boundObjectRef.kind', value: ref.kind ?? '', detail: 'supported values: "Node", "Pod", "Secret"' });
    if (ref.apiVersion && ref.apiVersion !== 'v1')
      out.push({ type: 'FieldValueNotSupported', field: 'spec.boundObjectRef.apiVersion', value: ref.apiVersion, detail: 'supported values: "v1"' });
    if (!ref.name) out.push({ type: 'FieldValueRequired', field: 'spec.boundObjectRef.name' });
  }
  return out;
}

export async function serviceAccountToken(server: ServerContext, scope: RequestScope): Promise<ApiResponse> {
  if (scope.req.method.toUpperCase() !== 'POST') throw StatusError.methodNotAllowed();
  const issuer = server.authenticator.tokenIssuer;
  if (!issuer) throw StatusError.pathNotFound();
  const { namespace, name } = scope.info;
  const sa = await scope.store.get(namespace, name);
  const body = decodeObject(scope.req.headers['content-type'], scope.req.body) as unknown as TokenRequest;
  const spec = { ...(body.spec ?? {}) } as TokenRequest['spec'] & { audiences: string[] };
  // Go's decoder refuses wrongly typed fields before validation runs (400, not 500).
  const cannot = (field: string, got: string, want: string) =>
    StatusError.badRequest(`TokenRequest in version "v1" cannot be handled as a TokenRequest: json: cannot unmarshal ${got} into Go struct field TokenRequestSpec.spec.${field} of type ${want}`);
  const exp: unknown = spec.expirationSeconds;
  if (exp !== undefined && exp !== null && !(typeof exp === 'number' && Number.isInteger(exp))) throw cannot('expirationSeconds', typeof exp === 'number' ? 'number' : typeof exp, 'int64');
  const auds: unknown = spec.audiences;
  if (auds !== undefined && auds !== null && !(Array.isArray(auds) && auds.every((a) => typeof a === 'string'))) throw cannot('audiences', Array.isArray(auds) ? 'array' : typeof auds, '[]string');
  if (spec.expirationSeconds === undefined || spec.expirationSeconds === null) spec.expirationSeconds = 3600;
  if (!spec.audiences?.length) spec.audiences = [...issuer.defaultAudiences];
  const tr: TokenRequest = { ...body, spec };
  const errs = validate(tr);
  if (errs.length) throw StatusError.invalid({ group: 'authentication.k8s.io', kind: 'TokenRequest' }, name, errs);

  const req: ServiceAccountTokenRequest = {
    namespace,
    serviceAccount: { name, uid: sa.metadata.uid ?? '' },
    audiences: spec.audiences,
    expirationSeconds: spec.expirationSeconds!,
  };
  const ref = spec.boundObjectRef;
  if (ref?.kind && ref.name) {
    const resource = boundKinds[ref.kind]!;
    const store = server.store('', 'v1', resource);
    const bound = store ? await store.get(resource === 'nodes' ? '' : namespace, ref.name) : undefined;
    if (!bound) throw StatusError.notFound({ group: '', resource }, ref.name);
    const uid = bound.metadata.uid ?? '';
    if (ref.uid && ref.uid !== uid)
      throw StatusError.conflict({ group: '', resource }, ref.name,
        `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
    if (resource === 'pods') {
      const podSa = (bound as unknown as Pod).spec?.serviceAccountName || 'default';
      if (podSa !== name) throw StatusError.badRequest(`cannot bind token for serviceaccount "${name}" to pod running with different serviceaccount name.`);
      req.pod = { name: ref.name, uid };
    } else if (resource === 'secrets') req.secret = { name: ref.name, uid };
    else req.node = { name: ref.name, uid };
    spec.boundObjectRef = { ...ref, apiVersion: 'v1', uid };
  }
  const token = await issuer.issue(req, scope.now);
  const expires = new Date(Math.floor(scope.now.getTime() / 1000) * 1000 + spec.expirationSeconds! * 1000);
  return json(201, {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name, namespace, creationTimestamp: null },
    spec,
    status: { token, expirationTimestamp: expires.toISOString().replace(/\.\d{3}Z$/, 'Z') },
  });
}
