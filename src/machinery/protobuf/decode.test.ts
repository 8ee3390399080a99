/**
 * @module Wire-level behaviour of decodeKubernetesProtobuf on hand-built bodies: the
 * envelope, errors, presence rules, well-known types, inline fields and unknown fields.
 * (What the real kubectl sends is covered by decode.fixtures.test.ts.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StatusError } from '../status.ts';
import { decodeKubernetesProtobuf, decodeProtobufEnvelope, supportsProtobufKind } from './decode.ts';
import { KIND_MESSAGES, MESSAGES } from './messages/index.ts';
import type { FieldSpec } from './table.ts';
import { decodeMicroTime, formatGoDuration } from './well-known.ts';

// A tiny protobuf writer, enough to build test messages.
type Part = Uint8Array;
function varint(n: number | bigint): Part {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Uint8Array.from(out);
}
const cat = (...parts: Part[]): Part => Uint8Array.from(parts.flatMap((p) => [...p]));
const vint = (no: number, n: number | bigint): Part => cat(varint(no << 3), varint(n));
const bytes = (no: number, b: Part): Part => cat(varint((no << 3) | 2), varint(b.length), b);
const str = (no: number, s: string): Part => bytes(no, new TextEncoder().encode(s));
const msg = (no: number, ...parts: Part[]): Part => bytes(no, cat(...parts));
const fixed32 = (no: number): Part => cat(varint((no << 3) | 5), Uint8Array.of(1, 2, 3, 4));
const fixed64 = (no: number): Part => cat(varint((no << 3) | 1), new Uint8Array(8));
const entry = (no: number, k: string, v: Part): Part => msg(no, str(1, k), v);

function body(apiVersion: string, kind: string, raw: Part): Uint8Array {
  return cat(Uint8Array.of(0x6b, 0x38, 0x73, 0x00), msg(1, str(1, apiVersion), str(2, kind)), bytes(2, raw), str(3, ''), str(4, ''));
}

function statusOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof StatusError, `expected StatusError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected an error');
}

test('reads the envelope', () => {
  const env = decodeProtobufEnvelope(body('v1', 'ConfigMap', str(2, 'x')));
  assert.equal(env.apiVersion, 'v1');
  assert.equal(env.kind, 'ConfigMap');
  assert.equal(env.raw.length, 3);
  assert.ok(supportsProtobufKind('apps/v1', 'Deployment'));
  assert.ok(!supportsProtobufKind('apps/v1', 'StatefulSet'));
  assert.ok(!supportsProtobufKind('v1', 'toString'));
});

test('malformed bodies are 400 BadRequest', () => {
  assert.equal(statusOf(() => decodeKubernetesProtobuf(new TextEncoder().encode('{"kind":"Pod"}'))).code, 400);
  assert.equal(statusOf(() => decodeKubernetesProtobuf(Uint8Array.of(0x6b, 0x38))).code, 400);
  const good = body('v1', 'ConfigMap', msg(1, str(1, 'c')));
  assert.equal(statusOf(() => decodeKubernetesProtobuf(good.subarray(0, good.length - 3))).code, 400);
  // A string field sent with the varint wire type.
  assert.equal(statusOf(() => decodeKubernetesProtobuf(body('v1', 'ConfigMap', msg(1, vint(1, 5))))).code, 400);
  // Wire types 3/4 (groups) are not used by Kubernetes.
  assert.equal(statusOf(() => decodeKubernetesProtobuf(body('v1', 'ConfigMap', varint((9 << 3) | 3)))).code, 400);
  assert.equal(statusOf(() => decodeKubernetesProtobuf(cat(Uint8Array.of(0x6b, 0x38, 0x73, 0), msg(1, str(1, 'v1'))))).code, 400);
});

test('unknown kinds are 415 naming the kind', () => {
  const e = statusOf(() => decodeKubernetesProtobuf(body('apps/v1', 'StatefulSet', new Uint8Array())));
  assert.equal(e.code, 415);
  assert.equal(e.reason, 'UnsupportedMediaType');
  assert.match(e.message, /StatefulSet/);
  const enc = statusOf(() => decodeKubernetesProtobuf(cat(body('v1', 'ConfigMap', new Uint8Array()), str(3, 'gzip'))));
  assert.equal(enc.code, 415);
});

test('skips unknown fields of every wire type', () => {
  const raw = cat(
    vint(99, 7),
    msg(1, str(1, 'c'), fixed32(50), str(51, 'future')),
    fixed64(98),
    entry(2, 'a', str(2, '1')),
    entry(2, 'empty', new Uint8Array()),
    entry(3, 'bin', bytes(2, Uint8Array.of(0, 255))),
    vint(4, 1),
  );
  assert.deepStrictEqual(decodeKubernetesProtobuf(body('v1', 'ConfigMap', raw)), {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'c' },
    data: { a: '1', empty: '' },
    binaryData: { bin: 'AP8=' },
    immutable: true,
  });
});

test('pods: presence, zero values, inline fields, well-known types', () => {
  const time = (no: number, s: number) => msg(no, vint(1, s));
  const container = cat(
    str(1, 'app'),
    str(2, 'nginx'),
    str(5, ''), // value field with omitempty: dropped when empty
    msg(6, str(1, ''), vint(2, 0), vint(3, 8080), str(4, 'TCP'), str(5, '')),
    msg(7, str(1, 'CM'), str(2, ''), msg(3, msg(3, msg(1, str(1, 'cfg')), str(2, 'k'), vint(3, 0)))),
    msg(8, entry(1, 'cpu', msg(2, str(1, '500m'))), entry(2, 'memory', msg(2, str(1, '')))),
    msg(10, msg(1, msg(2, str(1, '/healthz'), msg(2, vint(1, 1), str(3, 'http')))), vint(2, 0), vint(4, 10)),
    msg(15, vint(4, 0), vint(5, 0)),
    vint(16, 0),
  );
  const spec = cat(
    msg(1, str(1, 'scratch'), msg(2, msg(2, new Uint8Array()))),
    msg(1, str(1, 'cfg'), msg(2, msg(19, msg(1, str(1, 'settings')), vint(3, 420)))),
    msg(2, container),
    vint(4, 0),
    vint(25, (-5n & 0xffffffffffffffffn)),
    msg(14, vint(4, 1000), vint(4, 2000)),
    msg(14, bytes(4, cat(varint(3000), varint(4000)))), // a repeated message field merges; packed ints
  );
  const raw = cat(msg(1, str(1, 'p'), str(2, ''), time(8, 1704067200), time(9, 1704070800), vint(10, 0)), msg(2, spec), msg(3, new Uint8Array()));
  assert.deepStrictEqual(decodeKubernetesProtobuf(body('v1', 'Pod', raw)), {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'p',
      creationTimestamp: '2024-01-01T00:00:00Z',
      deletionTimestamp: '2024-01-01T01:00:00Z',
      deletionGracePeriodSeconds: 0,
    },
    spec: {
      volumes: [
        { name: 'scratch', emptyDir: {} },
        { name: 'cfg', configMap: { name: 'settings', defaultMode: 420 } },
      ],
      containers: [
        {
          name: 'app',
          image: 'nginx',
          ports: [{ containerPort: 8080, protocol: 'TCP' }],
          env: [{ name: 'CM', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k', optional: false } } }],
          resources: { limits: { cpu: '500m' }, requests: { memory: '0' } },
          livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10 },
          securityContext: { runAsUser: 0, runAsNonRoot: false },
        },
      ],
      terminationGracePeriodSeconds: 0,
      priority: -5,
      securityContext: { supplementalGroups: [1000, 2000, 3000, 4000] },
    },
  });
});

test('eviction carries DeleteOptions', () => {
  const raw = cat(msg(1, str(1, 'p'), str(3, 'default')), msg(2, vint(1, 0), msg(2, str(1, 'uid-1')), str(5, 'All')));
  assert.deepStrictEqual(decodeKubernetesProtobuf(body('policy/v1', 'Eviction', raw)), {
    apiVersion: 'policy/v1',
    kind: 'Eviction',
    metadata: { name: 'p', namespace: 'default' },
    deleteOptions: { gracePeriodSeconds: 0, preconditions: { uid: 'uid-1' }, dryRun: ['All'] },
  });
});

test('Go duration strings and MicroTime', () => {
  const cases: Array<[bigint, string]> = [
    [0n, '0s'], [1n, '1ns'], [1500n, '1.5µs'], [100_000_000n, '100ms'], [1_500_000_000n, '1.5s'],
    [5_400_000_000_000n, '1h30m0s'], [61_000_000_000n, '1m1s'], [-2_000_000_000n, '-2s'],
  ];
  for (const [ns, s] of cases) assert.equal(formatGoDuration(ns), s);
  assert.equal(decodeMicroTime(cat(vint(1, 1704067200), vint(2, 123456789))), '2024-01-01T00:00:00.123456Z');
  assert.equal(decodeMicroTime(new Uint8Array()), null);
});

test('every table type resolves', () => {
  const special = new Set(['string', 'int32', 'int64', 'bool', 'bytes', 'double', 'float', 'Time', 'MicroTime',
    'Duration', 'Quantity', 'IntOrString', 'RawExtension', 'FieldsV1']);
  const ok = (t: string): boolean => {
    const m = /^map<string,(.+)>$/.exec(t) ?? /^list<(.+)>$/.exec(t);
    return m ? ok(m[1]!) : special.has(t) || Object.hasOwn(MESSAGES, t);
  };
  for (const [name, spec] of Object.entries(MESSAGES)) {
    for (const [no, f] of Object.entries(spec) as Array<[string, FieldSpec]>) {
      assert.ok(ok(f[1]), `${name} #${no} ${f[0]}: unknown type ${f[1]}`);
      assert.match(f[2] ?? '', /^r?o?i?$/, `${name} #${no} flags`);
    }
  }
  for (const m of Object.values(KIND_MESSAGES)) assert.ok(MESSAGES[m], m);
});
