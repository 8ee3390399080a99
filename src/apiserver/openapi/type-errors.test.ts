import { test } from 'node:test';
import assert from 'node:assert/strict';
import { typeError } from './type-errors.ts';

const cm = { group: '', version: 'v1', kind: 'ConfigMap' };
const deploy = { group: 'apps', version: 'v1', kind: 'Deployment' };

test('accepts well-typed objects, nulls, IntOrString and Quantity', () => {
  assert.equal(typeError({ metadata: { name: 'a', labels: { x: 'y' } }, data: { k: 'v' } }, cm), undefined);
  assert.equal(typeError({ metadata: { name: 'a', annotations: null } }, cm), undefined);
  assert.equal(
    typeError({ spec: { replicas: 2, strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } }, template: { spec: { containers: [{ name: 'c', resources: { limits: { cpu: 1, memory: '1Gi' } } }] } } } }, deploy),
    undefined,
  );
});

test('names the first mismatch as Go does', () => {
  assert.match(typeError({ metadata: 'x' }, cm)!, /cannot unmarshal string into Go struct field ConfigMap\.metadata of type object/);
  assert.match(typeError({ spec: { replicas: 'many' } }, deploy)!, /cannot unmarshal string into Go struct field Deployment\.spec\.replicas of type int/);
  assert.match(typeError({ spec: { replicas: 1.5 } }, deploy)!, /number 1\.5 into Go struct field Deployment\.spec\.replicas of type int/);
  assert.match(typeError({ data: { k: 1 } }, cm)!, /number into Go struct field ConfigMap\.data\.k of type string/);
  assert.match(typeError({ spec: { template: { spec: { containers: {} } } } }, deploy)!, /object into Go struct field Deployment\.spec\.template\.spec\.containers of type array/);
});
