/**
 * @module Mapping external identities (OIDC, webhook) to Kubernetes users and groups, as EKS's
 * `aws-auth` ConfigMap does for IAM: the ConfigMap `kube-system/identity-mappings` holds YAML
 * lists in `mapUsers` (`{externalUser, username, groups}`) and `mapGroups`
 * (`{externalGroup, groups}`). A mapped user gets the configured username (default: its own)
 * plus the groups; an unmapped identity passes through unchanged. Read on every
 * authentication from the (watch-cached) store, so edits apply at once.
 */
import { parse } from 'yaml';
import type { KubeObject } from '../../api/object.ts';
import type { UserInfo } from '../types.ts';
import { withAuthenticated, type TokenAuthenticator } from './authenticator.ts';

export const identityMappingsNamespace = 'kube-system';
export const identityMappingsName = 'identity-mappings';

interface UserMapping {
  externalUser?: string;
  username?: string;
  groups?: string[];
}
interface GroupMapping {
  externalGroup?: string;
  groups?: string[];
}

function list<T>(text: string | undefined): T[] {
  if (!text) return [];
  try {
    const v = parse(text) as unknown;
    return Array.isArray(v) ? (v as T[]) : [];
  } catch {
    return [];
  }
}

export function applyIdentityMappings(user: UserInfo, data: Record<string, string> | undefined): UserInfo {
  const users = list<UserMapping>(data?.mapUsers);
  const groups = list<GroupMapping>(data?.mapGroups);
  const out: UserInfo = { ...user, groups: user.groups.filter((g) => g !== 'system:authenticated') };
  const u = users.find((m) => m.externalUser === user.username);
  if (u) {
    if (u.username) out.username = u.username;
    out.groups.push(...(u.groups ?? []));
  }
  for (const g of groups) if (g.externalGroup && user.groups.includes(g.externalGroup)) out.groups.push(...(g.groups ?? []));
  out.groups = withAuthenticated([...new Set(out.groups)]);
  return out;
}

export function mappedTokenAuthenticator(inner: TokenAuthenticator, readConfigMap: () => Promise<KubeObject | undefined>): TokenAuthenticator {
  return {
    async authenticateToken(token) {
      const user = await inner.authenticateToken(token);
      if (!user) return undefined;
      const cm = (await readConfigMap()) as (KubeObject & { data?: Record<string, string> }) | undefined;
      return cm ? applyIdentityMappings(user, cm.data) : user;
    },
  };
}
