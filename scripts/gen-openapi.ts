/**
 * @module Generates `src/apiserver/openapi/schemas.generated.json`: OpenAPI v3 component schemas
 * for the group/versions Skiff serves, named as upstream names them
 * (`io.k8s.api.apps.v1.Deployment`, `io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`, …).
 *
 * Source: the `.d.ts` files of `kubernetes-types`, parsed with the TypeScript compiler API
 * (syntax only; type references are resolved through each file's imports). Their JSDoc is the
 * upstream field documentation and is kept verbatim, `More info:` links included, as upstream does.
 *
 * Mapping rules:
 * - interface → `type: object` with `properties`; non-optional members → `required`;
 * - a reference to another named type → `allOf: [{$ref}]` beside the field's description
 *   (upstream v3 style); bare `$ref` inside `items` and `additionalProperties`;
 * - `Array<T>` / `T[]` → `type: array` + `items`; `{[name: string]: T}` → `additionalProperties`;
 * - string-literal types (`apiVersion?: "apps/v1"`) → `type: string`;
 * - `number | string` → `$ref` IntOrString (`oneOf` integer|string, `x-kubernetes-int-or-string`);
 * - Quantity → `oneOf` string|number as upstream v3; Time/MicroTime → `string`, `date-time`;
 * - RawExtension and FieldsV1 (empty interfaces standing for arbitrary JSON) →
 *   `x-kubernetes-preserve-unknown-fields: true`;
 * - `number` → `type: integer`. Kubernetes API types use floats almost nowhere (none in the
 *   groups served here), so every number is an integer; `format` is `int64` for the field names
 *   upstream declares as int64 (`INT64_FIELDS` below) and `int32` otherwise;
 * - an interface whose `apiVersion` and `kind` are string literals is a top-level kind and gets
 *   `x-kubernetes-group-version-kind: [{group, version, kind}]`.
 *
 * Run with `npm run gen:openapi`; with `--check` it only verifies the committed file is current.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

type Schema = Record<string, unknown>;

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const typesRoot = dirname(require.resolve('kubernetes-types/package.json'));
const outFile = join(here, '..', 'src', 'apiserver', 'openapi', 'schemas.generated.json');

/** kubernetes-types module (relative to its root, no extension) → upstream schema-name prefix. */
const MODULES: Record<string, string> = {
  'core/v1': 'io.k8s.api.core.v1',
  'apps/v1': 'io.k8s.api.apps.v1',
  'batch/v1': 'io.k8s.api.batch.v1',
  'networking/v1': 'io.k8s.api.networking.v1',
  'storage/v1': 'io.k8s.api.storage.v1',
  'autoscaling/v1': 'io.k8s.api.autoscaling.v1',
  'autoscaling/v2': 'io.k8s.api.autoscaling.v2',
  'coordination/v1': 'io.k8s.api.coordination.v1',
  'discovery/v1': 'io.k8s.api.discovery.v1',
  'events/v1': 'io.k8s.api.events.v1',
  'rbac/v1': 'io.k8s.api.rbac.v1',
  'policy/v1': 'io.k8s.api.policy.v1',
  'scheduling/v1': 'io.k8s.api.scheduling.v1',
  'authorization/v1': 'io.k8s.api.authorization.v1',
  'authentication/v1': 'io.k8s.api.authentication.v1',
  'certificates/v1': 'io.k8s.api.certificates.v1',
  'admissionregistration/v1': 'io.k8s.api.admissionregistration.v1',
  'meta/v1': 'io.k8s.apimachinery.pkg.apis.meta.v1',
  'api/resource': 'io.k8s.apimachinery.pkg.api.resource',
  runtime: 'io.k8s.apimachinery.pkg.runtime',
};

const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

/** Field names upstream declares as int64 (in the served groups); every other integer is int32. */
const INT64_FIELDS = new Set([
  'generation', 'observedGeneration', 'deletionGracePeriodSeconds', 'gracePeriodSeconds',
  'remainingItemCount', 'activeDeadlineSeconds', 'terminationGracePeriodSeconds',
  'startingDeadlineSeconds', 'runAsUser', 'runAsGroup', 'fsGroup', 'supplementalGroups',
  'expirationSeconds', 'seconds', 'sizeBytes', 'revision', 'uid', 'gid',
]);

/** Upstream's hand-written schemas for types kubernetes-types renders as plain aliases. */
const SPECIAL: Record<string, (description: string) => Schema> = {
  'io.k8s.apimachinery.pkg.api.resource.Quantity': (description) => ({
    description,
    oneOf: [{ type: 'string' }, { type: 'number' }],
  }),
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': (description) => ({ description, type: 'string', format: 'date-time' }),
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime': (description) => ({ description, type: 'string', format: 'date-time' }),
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1': (description) => ({
    description,
    type: 'object',
    'x-kubernetes-preserve-unknown-fields': true,
  }),
  'io.k8s.apimachinery.pkg.runtime.RawExtension': (description) => ({
    description,
    type: 'object',
    'x-kubernetes-preserve-unknown-fields': true,
  }),
};

const intOrStringSchema: Schema = {
  description:
    'IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.',
  oneOf: [{ type: 'integer' }, { type: 'string' }],
  'x-kubernetes-int-or-string': true,
};

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

/** The text of the JSDoc block just before `node`, with the comment markers removed. */
function jsDoc(node: ts.Node, source: ts.SourceFile): string {
  const ranges = ts.getLeadingCommentRanges(source.text, node.getFullStart()) ?? [];
  const last = ranges.filter((r) => source.text.startsWith('/**', r.pos)).pop();
  if (!last) return '';
  const body = source.text.slice(last.pos + 3, last.end - 2);
  return body
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, ''))
    .join('\n')
    .trim();
}

/** One parsed kubernetes-types module. */
class ModuleReader {
  readonly source: ts.SourceFile;
  /** Local identifier → schema-name prefix of the module that declares it. */
  private readonly scope = new Map<string, string>();

  constructor(
    readonly module: string,
    readonly prefix: string,
  ) {
    const file = join(typesRoot, `${module}.d.ts`);
    this.source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    for (const stmt of this.source.statements) {
      if (!ts.isImportDeclaration(stmt) || !ts.isStringLiteral(stmt.moduleSpecifier)) continue;
      const target = relative(typesRoot, join(dirname(file), stmt.moduleSpecifier.text));
      const targetPrefix = MODULES[target];
      if (!targetPrefix) throw new Error(`${module}: import of unmapped module ${target}`);
      const names = stmt.importClause?.namedBindings;
      if (names && ts.isNamedImports(names)) for (const el of names.elements) this.scope.set(el.name.text, targetPrefix);
    }
  }

  private qualify(name: string): string {
    return `${this.scope.get(name) ?? this.prefix}.${name}`;
  }

  /** Schemas declared by this module, keyed by upstream name. */
  schemas(): Map<string, Schema> {
    const out = new Map<string, Schema>();
    for (const stmt of this.source.statements) {
      if (ts.isInterfaceDeclaration(stmt)) {
        const name = `${this.prefix}.${stmt.name.text}`;
        const special = SPECIAL[name];
        out.set(name, special ? special(jsDoc(stmt, this.source)) : this.interfaceSchema(stmt));
      } else if (ts.isTypeAliasDeclaration(stmt)) {
        const name = `${this.prefix}.${stmt.name.text}`;
        const description = jsDoc(stmt, this.source);
        const special = SPECIAL[name];
        out.set(name, special ? special(description) : { description, ...this.typeSchema(stmt.type, stmt.name.text) });
      }
    }
    return out;
  }

  private interfaceSchema(decl: ts.InterfaceDeclaration): Schema {
    const schema: Schema = { description: jsDoc(decl, this.source), type: 'object' };
    const properties: Record<string, Schema> = {};
    const required: string[] = [];
    const literals: Record<string, string> = {};
    for (const member of decl.members) {
      if (!ts.isPropertySignature(member) || !member.type) continue;
      const key = ts.isStringLiteral(member.name) ? member.name.text : member.name.getText(this.source);
      if (member.type && ts.isLiteralTypeNode(member.type) && ts.isStringLiteral(member.type.literal)) {
        literals[key] = member.type.literal.text;
      }
      properties[key] = this.fieldSchema(member.type, key, jsDoc(member, this.source));
      if (!member.questionToken) required.push(key);
    }
    if (Object.keys(properties).length) schema.properties = properties;
    if (required.length) schema.required = required;
    const { apiVersion, kind } = literals;
    if (apiVersion && kind) {
      const slash = apiVersion.indexOf('/');
      schema['x-kubernetes-group-version-kind'] = [
        { group: slash < 0 ? '' : apiVersion.slice(0, slash), kind, version: apiVersion.slice(slash + 1) },
      ];
    }
    return schema;
  }

  /** A property: description beside the type; named types wrapped in `allOf` as upstream v3 does. */
  private fieldSchema(type: ts.TypeNode, field: string, description: string): Schema {
    const inner = this.typeSchema(type, field);
    const withDoc = (s: Schema): Schema => (description ? { description, ...s } : s);
    return '$ref' in inner ? withDoc({ allOf: [inner] }) : withDoc(inner);
  }

  private typeSchema(type: ts.TypeNode, field: string): Schema {
    switch (type.kind) {
      case ts.SyntaxKind.StringKeyword:
        return { type: 'string' };
      case ts.SyntaxKind.BooleanKeyword:
        return { type: 'boolean' };
      case ts.SyntaxKind.NumberKeyword:
        return { type: 'integer', format: INT64_FIELDS.has(field) ? 'int64' : 'int32' };
      case ts.SyntaxKind.LiteralType:
        return { type: 'string' };
      case ts.SyntaxKind.ArrayType:
        return { type: 'array', items: this.typeSchema((type as ts.ArrayTypeNode).elementType, field) };
      case ts.SyntaxKind.UnionType: {
        const parts = (type as ts.UnionTypeNode).types.map((t) => t.kind).sort();
        if (parts.join() === [ts.SyntaxKind.NumberKeyword, ts.SyntaxKind.StringKeyword].sort().join()) {
          return ref(INT_OR_STRING);
        }
        throw new Error(`${this.module}: unsupported union in ${field}: ${type.getText(this.source)}`);
      }
      case ts.SyntaxKind.TypeLiteral:
        return this.literalSchema(type as ts.TypeLiteralNode, field);
      case ts.SyntaxKind.TypeReference: {
        const tr = type as ts.TypeReferenceNode;
        const name = tr.typeName.getText(this.source);
        if (name === 'Array' && tr.typeArguments?.length === 1) {
          return { type: 'array', items: this.typeSchema(tr.typeArguments[0]!, field) };
        }
        return ref(this.qualify(name));
      }
      default:
        throw new Error(`${this.module}: unsupported type in ${field}: ${type.getText(this.source)}`);
    }
  }

  private literalSchema(lit: ts.TypeLiteralNode, field: string): Schema {
    const index = lit.members.find(ts.isIndexSignatureDeclaration);
    if (index && lit.members.length === 1) {
      return { type: 'object', additionalProperties: this.typeSchema(index.type, field) };
    }
    throw new Error(`${this.module}: unsupported inline object in ${field}`);
  }
}

function generate(): Record<string, Schema> {
  const all = new Map<string, Schema>([[INT_OR_STRING, intOrStringSchema]]);
  for (const [module, prefix] of Object.entries(MODULES)) {
    for (const [name, schema] of new ModuleReader(module, prefix).schemas()) all.set(name, schema);
  }
  // Every $ref must resolve, or explain and the field validator would silently stop short.
  const missing = new Set<string>();
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === '$ref' && typeof x === 'string' && !all.has(x.slice('#/components/schemas/'.length))) missing.add(x);
        else visit(x);
      }
    }
  };
  addInlinedRuleFields(all);
  visit([...all.values()]);
  if (missing.size) throw new Error(`unresolved references: ${[...missing].join(', ')}`);
  return Object.fromEntries([...all.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Go's admissionregistration RuleWithOperations embeds Rule inline (`json:",inline"`), which
 * kubernetes-types drops: its `resources` and `scope` are added back as upstream serves them.
 */
function addInlinedRuleFields(all: Map<string, Schema>): void {
  const fields: Record<string, Schema> = {
    resources: {
      description:
        "Resources is a list of resources this rule applies to.\n\nFor example: 'pods' means pods. 'pods/log' means the log subresource of pods. '*' means all resources, but not subresources. 'pods/*' means all subresources of pods. '*/scale' means all scale subresources. '*/*' means all resources and their subresources.\n\nIf wildcard is present, the validation rule will ensure resources do not overlap with each other.\n\nDepending on the enclosing object, subresources might not be allowed. Required.",
      type: 'array',
      items: { type: 'string' },
    },
    scope: {
      description:
        'scope specifies the scope of this rule. Valid values are "Cluster", "Namespaced", and "*" "Cluster" means that only cluster-scoped resources will match this rule. Namespace API objects are cluster-scoped. "Namespaced" means that only namespaced resources will match this rule. "*" means that there are no scope restrictions. Subresources match the scope of their parent resource. Default is "*".',
      type: 'string',
    },
  };
  for (const name of ['RuleWithOperations', 'NamedRuleWithOperations']) {
    const s = all.get(`io.k8s.api.admissionregistration.v1.${name}`) as { properties?: Record<string, Schema> } | undefined;
    if (s) s.properties = Object.fromEntries(Object.entries({ ...s.properties, ...fields }).sort(([x], [y]) => (x < y ? -1 : 1)));
  }
}

/** One schema per line: small, yet a regenerated file diffs per type. */
function serialize(schemas: Record<string, Schema>): string {
  const lines = Object.entries(schemas).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
  return `{\n${lines.join(',\n')}\n}\n`;
}

const schemas = generate();
const text = serialize(schemas);
const target = relative(process.cwd(), outFile);
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(outFile, 'utf8');
  } catch {
    // missing counts as stale
  }
  if (current !== text) {
    console.error(`${target} is stale: run npm run gen:openapi`);
    process.exit(1);
  }
  console.log(`${target} is up to date (${Object.keys(schemas).length} schemas)`);
} else {
  writeFileSync(outFile, text);
  console.log(`wrote ${Object.keys(schemas).length} schemas to ${target}`);
}
