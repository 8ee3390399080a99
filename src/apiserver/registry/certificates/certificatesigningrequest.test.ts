import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { certificateSigningRequestStrategy as s, csrCondition } from './certificatesigningrequest.ts';

const pem = Buffer.from('-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n').toString('base64');
const csr = (spec: Record<string, unknown>, status?: Record<string, unknown>) =>
  ({ apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'x' }, spec, status }) as never;

describe('CertificateSigningRequest strategy', () => {
  it('requires a PEM request, a qualified signer name and known usages', () => {
    assert.deepEqual(s.validate(csr({ request: pem, signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'] })), []);
    const fields = s.validate(csr({ request: Buffer.from('nope').toString('base64'), signerName: 'nope', usages: ['flying'], expirationSeconds: 60 })).map((e) => `${e.type} ${e.field}`);
    assert.deepEqual(fields, ['FieldValueInvalid spec.request', 'FieldValueInvalid spec.signerName', 'FieldValueNotSupported spec.usages[0]', 'FieldValueInvalid spec.expirationSeconds']);
    assert.deepEqual(s.validate(csr({})).map((e) => e.field), ['spec.request', 'spec.signerName', 'spec.usages']);
  });

  it('keeps spec immutable and approval decisions out of status writes', () => {
    const old = csr({ request: pem, signerName: 'a.io/b', usages: ['client auth'] });
    assert.equal(s.validateUpdate!(csr({ request: pem, signerName: 'a.io/c', usages: ['client auth'] }), old).length, 1);
    const approved = csr({ request: pem, signerName: 'a.io/b', usages: ['client auth'] }, { conditions: [{ type: 'Approved', status: 'True' }] });
    assert.match(s.validateStatusUpdate!(approved, old)[0]?.detail ?? '', /Approved/);
    assert.deepEqual(s.validateStatusUpdate!(csr({}, { conditions: [{ type: 'Approved', status: 'True' }], certificate: 'Y2VydA==' }), approved), []);
  });

  it('prints the CONDITION column as kubectl shows it', () => {
    assert.equal(csrCondition(csr({})), 'Pending');
    assert.equal(csrCondition(csr({}, { conditions: [{ type: 'Approved', status: 'True' }], certificate: 'x' })), 'Approved,Issued');
    assert.equal(csrCondition(csr({}, { conditions: [{ type: 'Denied', status: 'True' }] })), 'Denied');
  });
});
