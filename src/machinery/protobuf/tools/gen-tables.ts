/**
 * @module Developer tool that (re)writes the field tables in `../messages/`. It reads an
 * upstream checkout of kubernetes/api and kubernetes/apimachinery at a tag (read-only, via
 * `git show`) and extracts facts only: field numbers and wire types from `generated.proto`,
 * JSON names, `omitempty`, pointer-ness and `,inline` from the Go struct tags in `types.go`.
 * Nothing upstream is copied; the output is our own compact table format (see ../table.ts).
 *
 *   node --import tsx src/machinery/protobuf/tools/gen-tables.ts \
 *     --api /path/to/kubernetes/api/.git --apimachinery /path/to/apimachinery/.git --ref v0.32.4
 *
 * To cover a new kind, add it to ROOTS below (and, if it lives in a new group, to FILES).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** apiVersion, kind, table message name. The registry in ../kinds.ts is written from this. */
const ROOTS: ReadonlyArray<readonly [string, string, string]> = [
  ['v1', 'ConfigMap', 'core.v1.ConfigMap'],
  ['v1', 'Secret', 'core.v1.Secret'],
  ['v1', 'Namespace', 'core.v1.Namespace'],
  ['v1', 'Service', 'core.v1.Service'],
  ['v1', 'ServiceAccount', 'core.v1.ServiceAccount'],
  ['v1', 'ResourceQuota', 'core.v1.ResourceQuota'],
  ['v1', 'Pod', 'core.v1.Pod'],
  ['v1', 'Status', 'meta.v1.Status'],
  ['apps/v1', 'Deployment', 'apps.v1.Deployment'],
  ['batch/v1', 'Job', 'batch.v1.Job'],
  ['batch/v1', 'CronJob', 'batch.v1.CronJob'],
  ['rbac.authorization.k8s.io/v1', 'Role', 'rbac.v1.Role'],
  ['rbac.authorization.k8s.io/v1', 'RoleBinding', 'rbac.v1.RoleBinding'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRole', 'rbac.v1.ClusterRole'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'rbac.v1.ClusterRoleBinding'],
  ['policy/v1', 'PodDisruptionBudget', 'policy.v1.PodDisruptionBudget'],
  ['policy/v1', 'Eviction', 'policy.v1.Eviction'],
  ['scheduling.k8s.io/v1', 'PriorityClass', 'scheduling.v1.PriorityClass'],
  ['networking.k8s.io/v1', 'Ingress', 'networking.v1.Ingress'],
  ['autoscaling/v1', 'HorizontalPodAutoscaler', 'autoscaling.v1.HorizontalPodAutoscaler'],
  ['autoscaling/v1', 'Scale', 'autoscaling.v1.Scale'],
  ['authentication.k8s.io/v1', 'TokenRequest', 'authentication.v1.TokenRequest'],
  ['authentication.k8s.io/v1', 'TokenReview', 'authentication.v1.TokenReview'],
  ['authentication.k8s.io/v1', 'SelfSubjectReview', 'authentication.v1.SelfSubjectReview'],
  ['authorization.k8s.io/v1', 'SelfSubjectAccessReview', 'authorization.v1.SelfSubjectAccessReview'],
  ['authorization.k8s.io/v1', 'SelfSubjectRulesReview', 'authorization.v1.SelfSubjectRulesReview'],
  ['authorization.k8s.io/v1', 'SubjectAccessReview', 'authorization.v1.SubjectAccessReview'],
  ['authorization.k8s.io/v1', 'LocalSubjectAccessReview', 'authorization.v1.LocalSubjectAccessReview'],
  ['certificates.k8s.io/v1', 'CertificateSigningRequest', 'certificates.v1.CertificateSigningRequest'],
];

/** Table package → [repo, directory]. */
const PACKAGES: Readonly<Record<string, readonly ['api' | 'apimachinery', string]>> = {
  'meta.v1': ['apimachinery', 'pkg/apis/meta/v1'],
  'core.v1': ['api', 'core/v1'],
  'apps.v1': ['api', 'apps/v1'],
  'batch.v1': ['api', 'batch/v1'],
  'rbac.v1': ['api', 'rbac/v1'],
  'policy.v1': ['api', 'policy/v1'],
  'scheduling.v1': ['api', 'scheduling/v1'],
  'networking.v1': ['api', 'networking/v1'],
  'autoscaling.v1': ['api', 'autoscaling/v1'],
  'authentication.v1': ['api', 'authentication/v1'],
  'authorization.v1': ['api', 'authorization/v1'],
  'certificates.v1': ['api', 'certificates/v1'],
};

/** Proto types the decoder implements by hand (see ../well-known.ts). */
const SPECIAL: Readonly<Record<string, string>> = {
  'k8s.io.apimachinery.pkg.apis.meta.v1.Time': 'Time',
  'k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime': 'MicroTime',
  'k8s.io.apimachinery.pkg.apis.meta.v1.Duration': 'Duration',
  'k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1': 'FieldsV1',
  'k8s.io.apimachinery.pkg.api.resource.Quantity': 'Quantity',
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString': 'IntOrString',
  'k8s.io.apimachinery.pkg.runtime.RawExtension': 'RawExtension',
};
const SCALARS = new Set(['string', 'int32', 'int64', 'bool', 'bytes', 'double', 'float']);

interface ProtoField {
  label: 'optional' | 'repeated' | 'map';
  type: string;
  key?: string;
  name: string;
  no: number;
}
interface GoField {
  json: string;
  omitempty: boolean;
  inline: boolean;
  pointer: boolean;
  goType: string;
}

const { values } = parseArgs({
  options: {
    api: { type: 'string' },
    apimachinery: { type: 'string' },
    ref: { type: 'string', default: 'v0.32.4' },
  },
});
if (!values.api || !values.apimachinery) {
  throw new Error('usage: gen-tables.ts --api <git dir> --apimachinery <git dir> [--ref v0.32.4]');
}
const gitDirs = { api: values.api, apimachinery: values.apimachinery };
const ref = values.ref ?? 'v0.32.4';

function git(repo: 'api' | 'apimachinery', ...args: string[]): string {
  return execFileSync('git', ['--git-dir', gitDirs[repo], ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
}

function protoPackageOf(pkg: string): string {
  if (pkg.startsWith('k8s.io.api.')) return pkg.slice('k8s.io.api.'.length);
  if (pkg === 'k8s.io.apimachinery.pkg.apis.meta.v1') return 'meta.v1';
  return pkg;
}

function resolveType(type: string, pkg: string): string {
  if (SCALARS.has(type)) return type;
  const abs = type.startsWith('.') ? type.slice(1) : type.includes('.') ? type : `${pkg}.${type}`;
  const special = SPECIAL[abs];
  if (special) return special;
  const i = abs.lastIndexOf('.');
  return `${protoPackageOf(abs.slice(0, i))}.${abs.slice(i + 1)}`;
}

function parseProto(text: string): Map<string, ProtoField[]> {
  const pkg = /^package ([\w.]+);/m.exec(text)?.[1] ?? '';
  const out = new Map<string, ProtoField[]>();
  let current: ProtoField[] | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const m = /^message (\w+) \{/.exec(line);
    if (m) {
      current = [];
      out.set(`${protoPackageOf(pkg)}.${m[1]}`, current);
      continue;
    }
    if (!current || line.startsWith('//')) continue;
    const map = /^map<\s*([\w.]+)\s*,\s*([\w.]+)\s*>\s+(\w+)\s*=\s*(\d+);/.exec(line);
    if (map) {
      current.push({ label: 'map', key: map[1]!, type: resolveType(map[2]!, pkg), name: map[3]!, no: Number(map[4]) });
      continue;
    }
    const f = /^(optional|repeated) ([\w.]+) (\w+) = (\d+);/.exec(line);
    if (f) current.push({ label: f[1] as 'optional', type: resolveType(f[2]!, pkg), name: f[3]!, no: Number(f[4]) });
  }
  return out;
}

/** Go structs (by name) → fields by protobuf number; plus names of `type X []T` slice types. */
function parseGo(text: string): { structs: Map<string, Map<number, GoField>>; slices: Set<string> } {
  const structs = new Map<string, Map<number, GoField>>();
  const slices = new Set<string>();
  let current: Map<number, GoField> | undefined;
  for (const raw of text.split('\n')) {
    const s = /^type (\w+) struct \{/.exec(raw);
    if (s) {
      current = new Map();
      structs.set(s[1]!, current);
      continue;
    }
    const sl = /^type (\w+) \[\]/.exec(raw);
    if (sl) slices.add(sl[1]!);
    if (raw.startsWith('}')) current = undefined;
    if (!current) continue;
    const f = /^\s+(?:(\w+)\s+)?([^\s`]+)\s+`([^`]*)`/.exec(raw);
    if (!f) continue;
    const tag = f[3]!;
    const pb = /protobuf:"[a-z0-9]+,(\d+),/.exec(tag);
    const js = /json:"([^"]*)"/.exec(tag);
    if (!pb || !js) continue;
    const [json = '', ...opts] = js[1]!.split(',');
    current.set(Number(pb[1]), {
      json,
      omitempty: opts.includes('omitempty'),
      inline: opts.includes('inline'),
      pointer: f[2]!.startsWith('*'),
      goType: f[2]!,
    });
  }
  return { structs, slices };
}

const proto = new Map<string, ProtoField[]>();
const goStructs = new Map<string, Map<number, GoField>>();
const listWrappers = new Set<string>();
for (const [tpkg, [repo, dir]] of Object.entries(PACKAGES)) {
  for (const [k, v] of parseProto(git(repo, 'show', `${ref}:${dir}/generated.proto`))) proto.set(k, v);
  const files = git(repo, 'ls-tree', '--name-only', `${ref}:${dir}`).split('\n');
  for (const file of files) {
    if (!file.endsWith('.go') || file.endsWith('_test.go') || /generated/.test(file)) continue;
    const { structs, slices } = parseGo(git(repo, 'show', `${ref}:${dir}/${file}`));
    for (const [k, v] of structs) goStructs.set(`${tpkg}.${k}`, v);
    for (const k of slices) listWrappers.add(`${tpkg}.${k}`);
  }
}

/** One table row: [jsonName, type, flags]. Flags: r repeated, o omit zero value, i inline. */
function row(msg: string, f: ProtoField): string {
  const go = goStructs.get(msg)?.get(f.no);
  if (!go) throw new Error(`no Go field for ${msg} #${f.no} ${f.name}`);
  let type = f.type;
  if (listWrappers.has(type)) type = `list<${proto.get(type)?.[0]?.type ?? 'string'}>`;
  if (f.label === 'map') {
    const v = listWrappers.has(f.type) ? `list<${proto.get(f.type)?.[0]?.type ?? 'string'}>` : f.type;
    type = `map<${f.key},${v}>`;
  }
  let flags = '';
  if (f.label === 'repeated') flags += 'r';
  const valueKind = !go.pointer && !go.goType.startsWith('[]') && !go.goType.startsWith('map[');
  if (go.omitempty && valueKind && f.label !== 'repeated') flags += 'o';
  if (go.inline) flags += 'i';
  const name = go.inline ? f.name : go.json;
  return flags ? `${f.no}: ['${name}', '${type}', '${flags}']` : `${f.no}: ['${name}', '${type}']`;
}

function refs(msg: string): string[] {
  const out: string[] = [];
  for (const f of proto.get(msg) ?? []) {
    if (proto.has(f.type) && !listWrappers.has(f.type)) out.push(f.type);
  }
  return out;
}

function reach(from: string[], stop: Set<string>): string[] {
  const seen: string[] = [];
  const queue = [...from];
  while (queue.length) {
    const m = queue.shift()!;
    if (seen.includes(m) || stop.has(m)) continue;
    if (!proto.has(m)) throw new Error(`unknown message ${m}`);
    seen.push(m);
    queue.push(...refs(m));
  }
  return seen;
}

/** Output files: core/v1 is split along the Pod's structure to keep files small. */
const assigned = new Set<string>();
const files: Array<[string, string, string[]]> = [];
function claim(file: string, what: string, msgs: string[]): void {
  const mine = reach(msgs, assigned).sort();
  mine.forEach((m) => assigned.add(m));
  files.push([file, what, mine]);
}
claim('meta.ts', 'meta/v1 (apimachinery)', reach(['meta.v1.ObjectMeta', 'meta.v1.Status', 'meta.v1.DeleteOptions'], new Set()).concat(['meta.v1.LabelSelector', 'meta.v1.ListMeta', 'meta.v1.Condition', 'meta.v1.FieldSelectorRequirement']));
claim('core-volume.ts', 'core/v1 volumes', ['core.v1.Volume', 'core.v1.PersistentVolumeClaim']);
claim('core-container.ts', 'core/v1 containers', ['core.v1.Container', 'core.v1.EphemeralContainer']);
claim('core-pod.ts', 'core/v1 pod spec and status', ['core.v1.PodTemplateSpec', 'core.v1.Pod']);
const rest = ROOTS.map((r) => r[2]);
claim('core.ts', 'core/v1 other kinds', rest.filter((m) => m.startsWith('core.v1.')));
for (const group of ['apps', 'batch', 'rbac', 'policy', 'scheduling', 'networking', 'autoscaling', 'authentication', 'authorization', 'certificates']) {
  claim(`${group}.ts`, `${group}/v1`, rest.filter((m) => m.startsWith(`${group}.v1.`)));
}

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'messages');
const constName = (file: string): string =>
  file.replace('.ts', '').replace(/-(\w)/g, (_, c: string) => c.toUpperCase()) + 'Messages';
for (const [file, what, msgs] of files) {
  const lines = [
    `/**`,
    ` * @module Field tables for ${what}, written by tools/gen-tables.ts (${ref}); see ../table.ts.`,
    ` */`,
    `import type { MessageTable } from '../table.ts';`,
    ``,
    `export const ${constName(file)}: MessageTable = {`,
  ];
  for (const msg of msgs) {
    const rows = (proto.get(msg) ?? []).map((f) => row(msg, f));
    if (rows.length === 0) {
      lines.push(`  '${msg}': {},`);
      continue;
    }
    lines.push(`  '${msg}': {`);
    let cur = '   ';
    for (const r of rows) {
      if (cur.length + r.length + 2 > 110 && cur.trim()) {
        lines.push(cur.trimEnd());
        cur = '   ';
      }
      cur += ` ${r},`;
    }
    lines.push(cur.trimEnd(), '  },');
  }
  lines.push('};', '');
  writeFileSync(join(outDir, file), lines.join('\n'));
  console.log(`${file}: ${msgs.length} messages, ${lines.length} lines`);
}

const kinds = [
  `/**`,
  ` * @module Which table message decodes which apiVersion/kind (written by tools/gen-tables.ts).`,
  ` */`,
  ``,
  `export const KIND_MESSAGES: Readonly<Record<string, string>> = {`,
  ...ROOTS.map(([v, k, m]) => `  '${v}/${k}': '${m}',`),
  `};`,
  ``,
];
writeFileSync(join(outDir, 'kinds.ts'), kinds.join('\n'));
