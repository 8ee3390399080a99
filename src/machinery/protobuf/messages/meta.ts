/**
 * @module Field tables for meta/v1 (apimachinery), written by tools/gen-tables.ts (v0.32.4); see ../table.ts.
 */
import type { MessageTable } from '../table.ts';

export const metaMessages: MessageTable = {
  'meta.v1.Condition': {
    1: ['type', 'string'], 2: ['status', 'string'], 3: ['observedGeneration', 'int64', 'o'],
    4: ['lastTransitionTime', 'Time'], 5: ['reason', 'string'], 6: ['message', 'string'],
  },
  'meta.v1.DeleteOptions': {
    1: ['gracePeriodSeconds', 'int64'], 2: ['preconditions', 'meta.v1.Preconditions'],
    3: ['orphanDependents', 'bool'], 4: ['propagationPolicy', 'string'], 5: ['dryRun', 'string', 'r'],
    6: ['ignoreStoreReadErrorWithClusterBreakingPotential', 'bool'],
  },
  'meta.v1.FieldSelectorRequirement': {
    1: ['key', 'string'], 2: ['operator', 'string'], 3: ['values', 'string', 'r'],
  },
  'meta.v1.LabelSelector': {
    1: ['matchLabels', 'map<string,string>'],
    2: ['matchExpressions', 'meta.v1.LabelSelectorRequirement', 'r'],
  },
  'meta.v1.LabelSelectorRequirement': {
    1: ['key', 'string'], 2: ['operator', 'string'], 3: ['values', 'string', 'r'],
  },
  'meta.v1.ListMeta': {
    1: ['selfLink', 'string', 'o'], 2: ['resourceVersion', 'string', 'o'], 3: ['continue', 'string', 'o'],
    4: ['remainingItemCount', 'int64'],
  },
  'meta.v1.ManagedFieldsEntry': {
    1: ['manager', 'string', 'o'], 2: ['operation', 'string', 'o'], 3: ['apiVersion', 'string', 'o'],
    4: ['time', 'Time'], 6: ['fieldsType', 'string', 'o'], 7: ['fieldsV1', 'FieldsV1'],
    8: ['subresource', 'string', 'o'],
  },
  'meta.v1.ObjectMeta': {
    1: ['name', 'string', 'o'], 2: ['generateName', 'string', 'o'], 3: ['namespace', 'string', 'o'],
    4: ['selfLink', 'string', 'o'], 5: ['uid', 'string', 'o'], 6: ['resourceVersion', 'string', 'o'],
    7: ['generation', 'int64', 'o'], 8: ['creationTimestamp', 'Time', 'o'], 9: ['deletionTimestamp', 'Time'],
    10: ['deletionGracePeriodSeconds', 'int64'], 11: ['labels', 'map<string,string>'],
    12: ['annotations', 'map<string,string>'], 13: ['ownerReferences', 'meta.v1.OwnerReference', 'r'],
    14: ['finalizers', 'string', 'r'], 17: ['managedFields', 'meta.v1.ManagedFieldsEntry', 'r'],
  },
  'meta.v1.OwnerReference': {
    5: ['apiVersion', 'string'], 1: ['kind', 'string'], 3: ['name', 'string'], 4: ['uid', 'string'],
    6: ['controller', 'bool'], 7: ['blockOwnerDeletion', 'bool'],
  },
  'meta.v1.Preconditions': {
    1: ['uid', 'string'], 2: ['resourceVersion', 'string'],
  },
  'meta.v1.Status': {
    1: ['metadata', 'meta.v1.ListMeta', 'o'], 2: ['status', 'string', 'o'], 3: ['message', 'string', 'o'],
    4: ['reason', 'string', 'o'], 5: ['details', 'meta.v1.StatusDetails'], 6: ['code', 'int32', 'o'],
  },
  'meta.v1.StatusCause': {
    1: ['reason', 'string', 'o'], 2: ['message', 'string', 'o'], 3: ['field', 'string', 'o'],
  },
  'meta.v1.StatusDetails': {
    1: ['name', 'string', 'o'], 2: ['group', 'string', 'o'], 3: ['kind', 'string', 'o'],
    6: ['uid', 'string', 'o'], 4: ['causes', 'meta.v1.StatusCause', 'r'],
    5: ['retryAfterSeconds', 'int32', 'o'],
  },
};
