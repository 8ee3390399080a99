import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createClientCsr } from '../../pki/csr.ts';
import { kubeletClientProblem, kubeletServingProblem, parseRequest, sansOf, type Csr } from './csr-info.ts';

const csrOf = async (cn: string, orgs: string[], sans: string[], usages: string[], signerName: string): Promise<Csr> => {
  const { csr } = await createClientCsr(cn, orgs, sans);
  return { metadata: { name: 'x' }, spec: { request: Buffer.from(csr).toString('base64'), signerName, usages } } as Csr;
};

describe('kubelet CSR checks', () => {
  it('accepts a node serving request with IP and DNS names', async () => {
    const c = await csrOf('system:node:n1', ['system:nodes'], ['10.80.0.11', 'n1'], ['digital signature', 'server auth'], 'kubernetes.io/kubelet-serving');
    const req = parseRequest(c)!;
    assert.equal(kubeletServingProblem(c, req), '');
    assert.deepEqual(sansOf(req)!.names.items.map((n) => [n.type, n.value]), [['ip', '10.80.0.11'], ['dns', 'n1']]);
    // A serving request is not a client request (names are not allowed there).
    assert.match(kubeletClientProblem(c, req), /subjectAltNames are not allowed/);
  });

  it('refuses serving requests as upstream does', async () => {
    const cases: Array<[string, string[], string[], string[], RegExp]> = [
      ['system:node:n1', ['system:nodes'], [], ['server auth'], /DNS or IP subjectAltName is required/],
      ['jane', ['system:nodes'], ['n1'], ['server auth'], /common name/],
      ['system:node:n1', ['dev'], ['n1'], ['server auth'], /organization/],
      ['system:node:n1', ['system:nodes'], ['n1'], ['digital signature'], /did not contain server auth/],
      ['system:node:n1', ['system:nodes'], ['n1'], ['server auth', 'client auth'], /may only be/],
    ];
    for (const [cn, orgs, sans, usages, re] of cases) {
      const c = await csrOf(cn, orgs, sans, usages, 'kubernetes.io/kubelet-serving');
      assert.match(kubeletServingProblem(c, parseRequest(c)!), re, `${cn} ${orgs} ${sans} ${usages}`);
    }
  });
});
