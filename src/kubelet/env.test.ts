import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { EnvConfigError, resolveEnv } from './env.ts';
import { expand } from './expansion.ts';

const vars: Record<string, string> = { A: 'a', EMPTY: '' };
const lookup = (n: string) => vars[n];

describe('$(VAR) expansion', () => {
  it('follows upstream rules', () => {
    assert.equal(expand('$(A)-$(A)', lookup), 'a-a');
    assert.equal(expand('$(MISSING)', lookup), '$(MISSING)');
    assert.equal(expand('$$(A)', lookup), '$(A)');
    assert.equal(expand('$$$(A)', lookup), '$a');
    assert.equal(expand('$(A', lookup), '$(A');
    assert.equal(expand('x$', lookup), 'x$');
    assert.equal(expand('$A $(EMPTY)!', lookup), '$A !');
  });
});

const b64 = (s: string) => Buffer.from(s).toString('base64');
const pod: Pod = {
  metadata: { name: 'p', namespace: 'ns', uid: 'u1', labels: { b: '2', a: '1' } },
  spec: { nodeName: 'n1', serviceAccountName: 'sa', containers: [{ name: 'c', resources: { limits: { memory: '64Mi' }, requests: { cpu: '250m' } } }] },
  status: { podIP: '10.0.0.5', podIPs: [{ ip: '10.0.0.5' }], hostIP: '127.0.0.1' },
};
const src = {
  configMap: async (_ns: string, name: string) => (name === 'cm' ? { data: { KEY: 'v1', 'bad name': 'x', OTHER: 'o' } } : undefined),
  secret: async (_ns: string, name: string) => (name === 's' ? { data: { PASS: b64('hunter2') } } : undefined),
  allocatable: { cpu: '4', memory: '8Gi' },
};

describe('resolveEnv', () => {
  it('builds envFrom, env, valueFrom and expands command and args', async () => {
    const r = await resolveEnv(pod, {
      name: 'c',
      command: ['echo', '$(KEY)'],
      args: ['$(POD)/$(MISSING)'],
      resources: { limits: { memory: '64Mi' }, requests: { cpu: '250m' } },
      envFrom: [{ configMapRef: { name: 'cm' }, prefix: 'CM_' }, { secretRef: { name: 'nope', optional: true } }],
      env: [
        { name: 'KEY', valueFrom: { configMapKeyRef: { name: 'cm', key: 'KEY' } } },
        { name: 'PASS', valueFrom: { secretKeyRef: { name: 's', key: 'PASS' } } },
        { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'LABELS', valueFrom: { fieldRef: { fieldPath: 'metadata.labels' } } },
        { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
        { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
        { name: 'REQ', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
        { name: 'COMBO', value: '$(POD)-$(CM_KEY)' },
        { name: 'OPT', valueFrom: { configMapKeyRef: { name: 'cm', key: 'none', optional: true } } },
      ],
    }, src);
    const env = Object.fromEntries(r.env.map((e) => [e.name, e.value]));
    assert.equal(env.CM_KEY, 'v1');
    assert.equal(env.KEY, 'v1');
    assert.equal(env.PASS, 'hunter2');
    assert.equal(env.LABELS, 'a="1"\nb="2"');
    assert.equal(env.IP, '10.0.0.5');
    assert.equal(env.MEM, '64');
    assert.equal(env.CPU, '4');
    assert.equal(env.REQ, '250');
    assert.equal(env.COMBO, 'p-v1');
    assert.equal('OPT' in env, false);
    assert.deepEqual(r.invalidNames, ['CM_bad name']);
    assert.deepEqual(r.command, ['echo', 'v1']);
    assert.deepEqual(r.args, ['p/$(MISSING)']);
  });

  it('fails on a missing key or object unless optional', async () => {
    await assert.rejects(resolveEnv(pod, { name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cm', key: 'nope' } } }] }, src), (e: Error) => e instanceof EnvConfigError && e.message === "couldn't find key nope in ConfigMap ns/cm");
    await assert.rejects(resolveEnv(pod, { name: 'c', envFrom: [{ secretRef: { name: 'gone' } }] }, src), /secret "gone" not found/);
  });
});
