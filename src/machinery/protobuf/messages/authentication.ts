/**
 * @module Field tables for authentication/v1, written by tools/gen-tables.ts (v0.32.4); see ../table.ts.
 */
import type { MessageTable } from '../table.ts';

export const authenticationMessages: MessageTable = {
  'authentication.v1.BoundObjectReference': {
    1: ['kind', 'string', 'o'], 2: ['apiVersion', 'string', 'o'], 3: ['name', 'string', 'o'],
    4: ['uid', 'string', 'o'],
  },
  'authentication.v1.SelfSubjectReview': {
    1: ['metadata', 'meta.v1.ObjectMeta', 'o'],
    2: ['status', 'authentication.v1.SelfSubjectReviewStatus', 'o'],
  },
  'authentication.v1.SelfSubjectReviewStatus': {
    1: ['userInfo', 'authentication.v1.UserInfo', 'o'],
  },
  'authentication.v1.TokenRequest': {
    1: ['metadata', 'meta.v1.ObjectMeta', 'o'], 2: ['spec', 'authentication.v1.TokenRequestSpec'],
    3: ['status', 'authentication.v1.TokenRequestStatus', 'o'],
  },
  'authentication.v1.TokenRequestSpec': {
    1: ['audiences', 'string', 'r'], 4: ['expirationSeconds', 'int64'],
    3: ['boundObjectRef', 'authentication.v1.BoundObjectReference'],
  },
  'authentication.v1.TokenRequestStatus': {
    1: ['token', 'string'], 2: ['expirationTimestamp', 'Time'],
  },
  'authentication.v1.TokenReview': {
    1: ['metadata', 'meta.v1.ObjectMeta', 'o'], 2: ['spec', 'authentication.v1.TokenReviewSpec'],
    3: ['status', 'authentication.v1.TokenReviewStatus', 'o'],
  },
  'authentication.v1.TokenReviewSpec': {
    1: ['token', 'string', 'o'], 2: ['audiences', 'string', 'r'],
  },
  'authentication.v1.TokenReviewStatus': {
    1: ['authenticated', 'bool', 'o'], 2: ['user', 'authentication.v1.UserInfo', 'o'],
    4: ['audiences', 'string', 'r'], 3: ['error', 'string', 'o'],
  },
  'authentication.v1.UserInfo': {
    1: ['username', 'string', 'o'], 2: ['uid', 'string', 'o'], 3: ['groups', 'string', 'r'],
    4: ['extra', 'map<string,list<string>>'],
  },
};
