/**
 * @module Field tables for authorization/v1, written by tools/gen-tables.ts (v0.32.4); see ../table.ts.
 */
import type { MessageTable } from '../table.ts';

export const authorizationMessages: MessageTable = {
  'authorization.v1.FieldSelectorAttributes': {
    1: ['rawSelector', 'string', 'o'], 2: ['requirements', 'meta.v1.FieldSelectorRequirement', 'r'],
  },
  'authorization.v1.LabelSelectorAttributes': {
    1: ['rawSelector', 'string', 'o'], 2: ['requirements', 'meta.v1.LabelSelectorRequirement', 'r'],
  },
  'authorization.v1.LocalSubjectAccessReview': {
    1: ['metadata', 'meta.v1.ObjectMeta', 'o'], 2: ['spec', 'authorization.v1.SubjectAccessReviewSpec'],
    3: ['status', 'authorization.v1.SubjectAccessReviewStatus', 'o'],
  },
  'authorization.v1.NonResourceAttributes': {
    1: ['path', 'string', 'o'], 2: ['verb', 'string', 'o'],
  },
  'authorization.v1.NonResourceRule': {
    1: ['verbs', 'string', 'r'], 2: ['nonResourceURLs', 'string', 'r'],
  },
  'authorization.v1.ResourceAttributes': {
    1: ['namespace', 'string', 'o'], 2: ['verb', 'string', 'o'], 3: ['group', 'string', 'o'],
    4: ['version', 'string', 'o'], 5: ['resource', 'string', 'o'], 6: ['subresource', 'string', 'o'],
    7: ['name', 'string', 'o'], 8: ['fieldSelector', 'authorization.v1.FieldSelectorAttributes'],
    9: ['labelSelector', 'authorization.v1.LabelSelectorAttributes'],
  },
  'authorization.v1.ResourceRule': {
    1: ['verbs', 'string', 'r'], 2: ['apiGroups', 'string', 'r'], 3: ['resources', 'string', 'r'],
    4: ['resourceNames', 'string', 'r'],
  },
  'authorization.v1.SelfSubjectAccessReview': {
    1: ['metadata', 'meta.v1.ObjectMeta', 'o'], 2: ['spec', 'authorization.v1.SelfSubjectAccessReviewSpec'],
    3: ['status', 'authorization.v1.SubjectAccessReviewStatus', 'o'],
  },
  'authorization.v1.SelfSubjectAccessReviewSpec': {
    1: ['resourceAttributes', 'authorization.v1.ResourceAttributes'],
    2: ['nonResourceAttributes', 'authorization.v1.NonResourceAttributes'],
  },
  'authorization.v1.SelfSubjectRulesReview': {
    1: ['metadata', 'meta.v1.ObjectMeta', 'o'], 2: ['spec', 'authorization.v1.SelfSubjectRulesReviewSpec'],
    3: ['status', 'authorization.v1.SubjectRulesReviewStatus', 'o'],
  },
  'authorization.v1.SelfSubjectRulesReviewSpec': {
    1: ['namespace', 'string', 'o'],
  },
  'authorization.v1.SubjectAccessReview': {
    1: ['metadata', 'meta.v1.ObjectMeta', 'o'], 2: ['spec', 'authorization.v1.SubjectAccessReviewSpec'],
    3: ['status', 'authorization.v1.SubjectAccessReviewStatus', 'o'],
  },
  'authorization.v1.SubjectAccessReviewSpec': {
    1: ['resourceAttributes', 'authorization.v1.ResourceAttributes'],
    2: ['nonResourceAttributes', 'authorization.v1.NonResourceAttributes'], 3: ['user', 'string', 'o'],
    4: ['groups', 'string', 'r'], 5: ['extra', 'map<string,list<string>>'], 6: ['uid', 'string', 'o'],
  },
  'authorization.v1.SubjectAccessReviewStatus': {
    1: ['allowed', 'bool'], 4: ['denied', 'bool', 'o'], 2: ['reason', 'string', 'o'],
    3: ['evaluationError', 'string', 'o'],
  },
  'authorization.v1.SubjectRulesReviewStatus': {
    1: ['resourceRules', 'authorization.v1.ResourceRule', 'r'],
    2: ['nonResourceRules', 'authorization.v1.NonResourceRule', 'r'], 3: ['incomplete', 'bool'],
    4: ['evaluationError', 'string', 'o'],
  },
};
