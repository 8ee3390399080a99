/**
 * @module Authorization: may this user do this verb on this resource (or non-resource path)?
 * RBAC and the Node authorizer implement this interface (a later issue); until then every
 * authenticated user may do everything.
 */
import type { UserInfo } from '../types.ts';

export interface AuthorizationAttributes {
  user: UserInfo;
  verb: string;
  isResourceRequest: boolean;
  namespace: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  name: string;
  /** For non-resource requests. */
  path: string;
}

export type Decision = { allowed: true; reason?: string } | { allowed: false; reason?: string; denied?: boolean };

export interface RuleSet {
  resourceRules: { verbs: string[]; apiGroups: string[]; resources: string[]; resourceNames?: string[] }[];
  nonResourceRules: { verbs: string[]; nonResourceURLs: string[] }[];
  incomplete: boolean;
}

export interface Authorizer {
  authorize(attrs: AuthorizationAttributes): Promise<Decision>;
  /** What the user may do in a namespace (SelfSubjectRulesReview). */
  rulesFor(user: UserInfo, namespace: string): Promise<RuleSet>;
}

export const allowAllAuthorizer: Authorizer = {
  async authorize() {
    return { allowed: true };
  },
  async rulesFor() {
    return {
      resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
      nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
      incomplete: false,
    };
  },
};
