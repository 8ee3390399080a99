/**
 * @module Field tables for certificates/v1, written by tools/gen-tables.ts (v0.32.4); see ../table.ts.
 */
import type { MessageTable } from '../table.ts';

export const certificatesMessages: MessageTable = {
  'certificates.v1.CertificateSigningRequest': {
    1: ['metadata', 'meta.v1.ObjectMeta', 'o'], 2: ['spec', 'certificates.v1.CertificateSigningRequestSpec'],
    3: ['status', 'certificates.v1.CertificateSigningRequestStatus', 'o'],
  },
  'certificates.v1.CertificateSigningRequestCondition': {
    1: ['type', 'string'], 6: ['status', 'string'], 2: ['reason', 'string', 'o'],
    3: ['message', 'string', 'o'], 4: ['lastUpdateTime', 'Time', 'o'], 5: ['lastTransitionTime', 'Time', 'o'],
  },
  'certificates.v1.CertificateSigningRequestSpec': {
    1: ['request', 'bytes'], 7: ['signerName', 'string'], 8: ['expirationSeconds', 'int32'],
    5: ['usages', 'string', 'r'], 2: ['username', 'string', 'o'], 3: ['uid', 'string', 'o'],
    4: ['groups', 'string', 'r'], 6: ['extra', 'map<string,list<string>>'],
  },
  'certificates.v1.CertificateSigningRequestStatus': {
    1: ['conditions', 'certificates.v1.CertificateSigningRequestCondition', 'r'], 2: ['certificate', 'bytes'],
  },
};
