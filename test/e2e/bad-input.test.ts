/**
 * Bad input on the paths added with the control loops, security, services and storage: each
 * answers with a Kubernetes Status (the upstream reason), never a 500 or a stored object.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { haveKubectl } from '../support/kubectl.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

const cases: { what: string; path: string; body: unknown; expect: RegExp }[] = [
  { what: 'a TokenRequest with a string expirationSeconds', path: '/api/v1/namespaces/default/serviceaccounts/default/token', body: { spec: { expirationSeconds: 'x' } }, expect: /BadRequest.*cannot unmarshal string into Go struct field TokenRequestSpec\.spec\.expirationSeconds of type int64/ },
  { what: 'a quota with a malformed quantity', path: '/api/v1/namespaces/default/resourcequotas', body: { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard: { pods: 'lots' } } }, expect: /ResourceQuota "q" is invalid: spec\.hard\[pods\]: Invalid value: "lots": quantities must match/ },
  { what: 'a LimitRange with a malformed max', path: '/api/v1/namespaces/default/limitranges', body: { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'l' }, spec: { limits: [{ type: 'Container', max: { cpu: 'zz' } }] } }, expect: /LimitRange "l" is invalid: spec\.limits\[0\]\.max\[cpu\]/ },
  { what: 'a claim with a malformed storage request', path: '/api/v1/namespaces/default/persistentvolumeclaims', body: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: 'huge' } } } }, expect: /PersistentVolumeClaim "c" is invalid: spec\.resources\.requests\[storage\]/ },
  { what: 'a Service with a malformed clusterIP', path: '/api/v1/namespaces/default/services', body: { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { clusterIP: '999.1.1.1', ports: [{ port: 80 }] } }, expect: /Service "s" is invalid: spec\.clusterIPs\[0\]: Invalid value: "999\.1\.1\.1"/ },
  { what: 'a SubjectAccessReview without attributes', path: '/apis/authorization.k8s.io/v1/subjectaccessreviews', body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: {} }, expect: /The SubjectAccessReview "" is invalid: spec\.resourceAttributes: Required value/ },
  { what: 'a CSR whose request is not PEM', path: '/apis/certificates.k8s.io/v1/certificatesigningrequests', body: { apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'x' }, spec: { request: 'bm90IGEgY3Ny', signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'] } }, expect: /CertificateSigningRequest "x" is invalid: spec\.request/ },
];

describe('bad input on the newer paths', { skip: haveKubectl ? false : 'kubectl not installed at /usr/bin/kubectl' }, () => {
  let c: TestCluster;
  before(async () => {
    c = await startCluster({ datastore: 'memory', simNodes: 1 });
  });
  after(async () => {
    await c?.stop();
  });

  for (const t of cases)
    it(`refuses ${t.what}`, async () => {
      const r = await c.kubectl(['create', '--raw', t.path, '-f', '-'], { input: JSON.stringify(t.body) });
      assert.notEqual(r.code, 0, r.stdout);
      assert.match(r.stderr, t.expect);
      assert.doesNotMatch(r.stderr, /InternalError/);
    });

  it('answers logs and exec on a pod whose node has no kubelet endpoint with a Status', async () => {
    await c.kubectl.ok(['run', 'p', '--image=busybox', '--overrides', '{"spec":{"nodeName":"sim-0"}}']);
    const bad = await c.kubectl(['get', '--raw', '/api/v1/namespaces/default/pods/p/log?tailLines=abc']);
    assert.match(bad.stderr, /BadRequest.*invalid value for tailLines: abc/);
    const exec = await c.kubectl(['exec', 'p', '--', 'true']);
    assert.match(exec.stderr, /ServiceUnavailable.*node "sim-0" has no reachable kubelet endpoint/);
    assert.match(await c.kubectl.ok(['get', '--raw', '/readyz']), /ok/);
  });
});
