/**
 * @module Impersonation (upstream apiserver/pkg/endpoints/filters/impersonation.go): the
 * `Impersonate-User`, `Impersonate-Group`, `Impersonate-Uid` and `Impersonate-Extra-<key>`
 * headers (`kubectl --as`, `--as-group`) make the request run as another user, if the caller
 * may `impersonate` each of them: users, groups, serviceaccounts (for
 * `system:serviceaccount:ns:name`), uids and userextras/<key>. Wraps an authenticator, so the
 * rest of the pipeline sees only the impersonated user.
 */
import { StatusError } from '../../machinery/status.ts';
import type { ApiRequest, UserInfo } from '../types.ts';
import type { Authenticator } from './authenticator.ts';
import type { AuthorizationAttributes, Authorizer } from './authorizer.ts';

const saPrefix = 'system:serviceaccount:';

/** Repeated headers arrive joined with ", " (Node's http); split them back. */
const values = (v: string | undefined): string[] => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : []);

interface Request {
  user?: string;
  groups: string[];
  uid?: string;
  extra: Record<string, string[]>;
}

function parse(headers: ApiRequest['headers']): Request | undefined {
  const r: Request = { user: headers['impersonate-user'], groups: values(headers['impersonate-group']), uid: headers['impersonate-uid'], extra: {} };
  for (const [k, v] of Object.entries(headers)) {
    if (!k.startsWith('impersonate-extra-')) continue;
    // The key is percent-encoded in the header name (upstream unescapes it).
    const key = decodeURIComponent(k.slice('impersonate-extra-'.length));
    r.extra[key] = values(v);
  }
  if (!r.user && !r.groups.length && !r.uid && !Object.keys(r.extra).length) return undefined;
  return r;
}

function forbiddenFor(a: Omit<AuthorizationAttributes, 'user'>, caller: UserInfo, reason?: string): StatusError {
  const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const scope = a.namespace ? ` in the namespace "${a.namespace}"` : ' at the cluster scope';
  const why = reason ? `: ${reason}` : '';
  return StatusError.forbidden({ group: a.apiGroup, resource: a.resource }, a.name, `User "${caller.username}" cannot impersonate resource "${res}" in API group "${a.apiGroup}"${scope}${why}`);
}

export function impersonatingAuthenticator(inner: Authenticator, authorizer: Authorizer): Authenticator {
  return {
    async authenticate(req) {
      const caller = await inner.authenticate(req);
      if (!caller) return undefined;
      const want = parse(req.headers);
      if (!want) return caller;
      if (!want.user) throw StatusError.badRequest('requested impersonation of groups, uid or extra without impersonating a user');
      const checks: Omit<AuthorizationAttributes, 'user'>[] = [];
      const base = { verb: 'impersonate', isResourceRequest: true, namespace: '', apiGroup: '', apiVersion: '', subresource: '', path: '' };
      let groups = [...want.groups];
      if (want.user.startsWith(saPrefix)) {
        const [ns = '', name = ''] = want.user.slice(saPrefix.length).split(':');
        checks.push({ ...base, resource: 'serviceaccounts', namespace: ns, name });
        // A ServiceAccount's groups are fixed; they are implied unless groups were asked for.
        if (!groups.length) groups = ['system:serviceaccounts', `system:serviceaccounts:${ns}`];
      } else checks.push({ ...base, resource: 'users', name: want.user });
      for (const g of want.groups) checks.push({ ...base, resource: 'groups', name: g });
      if (want.uid) checks.push({ ...base, apiGroup: 'authentication.k8s.io', resource: 'uids', name: want.uid });
      for (const [key, vals] of Object.entries(want.extra))
        for (const v of vals) checks.push({ ...base, apiGroup: 'authentication.k8s.io', resource: 'userextras', subresource: key, name: v });
      for (const c of checks) {
        const d = await authorizer.authorize({ ...c, user: caller });
        if (!d.allowed) throw forbiddenFor(c, caller, d.reason);
      }
      if (want.user === 'system:anonymous') {
        if (!groups.includes('system:unauthenticated')) groups.push('system:unauthenticated');
      } else if (!groups.includes('system:authenticated')) groups.push('system:authenticated');
      const user: UserInfo = { username: want.user, groups };
      if (want.uid) user.uid = want.uid;
      if (Object.keys(want.extra).length) user.extra = want.extra;
      return user;
    },
  };
}
