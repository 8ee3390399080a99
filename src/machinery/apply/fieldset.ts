/**
 * @module A set of field paths (structured-merge-diff's `fieldpath.Set`) as a trie, its
 * fieldsV1 JSON spelling (`{"f:spec":{"f:replicas":{}}}`, `"."` marking a node that is itself
 * a member), and `fieldsOf`: the paths an object sets, as an applier comes to own them.
 */
import { StatusError } from '../status.ts';
import { isPlainObject } from '../../api/object.ts';
import { childSchema, extend, isEmptyObject, itemElements, itemSchema, shapeOf } from './items.ts';
import { canonicalElement, comparePathElements, fieldElement, pathString, type FieldPath, type PathElement } from './path.ts';
import { schemaFor, type GroupVersionKind, type Schema } from './schema.ts';

export interface FieldNode {
  /** The path ending here is in the set. */
  member: boolean;
  children: Map<PathElement, FieldNode>;
}

const newNode = (): FieldNode => ({ member: false, children: new Map() });
const isEmptyNode = (n: FieldNode): boolean => !n.member && n.children.size === 0;

function cloneNode(n: FieldNode): FieldNode {
  return { member: n.member, children: new Map([...n.children].map(([pe, c]) => [pe, cloneNode(c)])) };
}

function sortedElements(n: FieldNode): PathElement[] {
  return [...n.children.keys()].sort(comparePathElements);
}

export class FieldSet {
  readonly root: FieldNode;

  constructor(root: FieldNode = newNode()) {
    this.root = root;
  }

  static of(...paths: FieldPath[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  /** Adds a path (mutates; returns this). The empty path is ignored. */
  insert(path: FieldPath): this {
    if (path.length === 0) return this;
    let n = this.root;
    for (const pe of path) {
      let c = n.children.get(pe);
      if (!c) n.children.set(pe, (c = newNode()));
      n = c;
    }
    n.member = true;
    return this;
  }

  has(path: FieldPath): boolean {
    return this.node(path)?.member ?? false;
  }

  /** The subtree under `path`, or undefined. */
  node(path: FieldPath): FieldNode | undefined {
    let n: FieldNode | undefined = this.root;
    for (const pe of path) n = n?.children.get(pe);
    return n;
  }

  isEmpty(): boolean {
    return isEmptyNode(this.root);
  }

  union(other: FieldSet): FieldSet {
    const merge = (a: FieldNode, b: FieldNode): FieldNode => {
      const out: FieldNode = { member: a.member || b.member, children: new Map() };
      for (const [pe, c] of a.children) out.children.set(pe, b.children.has(pe) ? merge(c, b.children.get(pe)!) : cloneNode(c));
      for (const [pe, c] of b.children) if (!a.children.has(pe)) out.children.set(pe, cloneNode(c));
      return out;
    };
    return new FieldSet(merge(this.root, other.root));
  }

  /** Paths of this set that are not in `other` (exact paths, like fieldpath.Set.Difference). */
  difference(other: FieldSet): FieldSet {
    const diff = (a: FieldNode, b: FieldNode | undefined): FieldNode => {
      const out: FieldNode = { member: a.member && !b?.member, children: new Map() };
      for (const [pe, c] of a.children) {
        const d = diff(c, b?.children.get(pe));
        if (!isEmptyNode(d)) out.children.set(pe, d);
      }
      return out;
    };
    return new FieldSet(diff(this.root, other.root));
  }

  intersection(other: FieldSet): FieldSet {
    const inter = (a: FieldNode, b: FieldNode): FieldNode => {
      const out: FieldNode = { member: a.member && b.member, children: new Map() };
      for (const [pe, c] of a.children) {
        const bc = b.children.get(pe);
        if (!bc) continue;
        const d = inter(c, bc);
        if (!isEmptyNode(d)) out.children.set(pe, d);
      }
      return out;
    };
    return new FieldSet(inter(this.root, other.root));
  }

  /** Drops every path that is, or lies under, a member of `prefixes` (RecursiveDifference). */
  withoutPrefixes(prefixes: FieldSet): FieldSet {
    const strip = (a: FieldNode, p: FieldNode | undefined): FieldNode => {
      const out: FieldNode = { member: a.member, children: new Map() };
      for (const [pe, c] of a.children) {
        const pc = p?.children.get(pe);
        if (pc?.member) continue;
        const d = pc ? strip(c, pc) : cloneNode(c);
        if (!isEmptyNode(d)) out.children.set(pe, d);
      }
      return out;
    };
    return new FieldSet(strip(this.root, prefixes.root));
  }

  equals(other: FieldSet): boolean {
    const eq = (a: FieldNode, b: FieldNode): boolean =>
      a.member === b.member &&
      a.children.size === b.children.size &&
      [...a.children].every(([pe, c]) => b.children.has(pe) && eq(c, b.children.get(pe)!));
    return eq(this.root, other.root);
  }

  /** Every member path in fieldpath.Set.Iterate order: a node's members, then its children. */
  paths(): FieldPath[] {
    const out: FieldPath[] = [];
    const visit = (n: FieldNode, prefix: FieldPath) => {
      const elements = sortedElements(n);
      for (const pe of elements) if (n.children.get(pe)!.member) out.push(extend(prefix, pe));
      for (const pe of elements) visit(n.children.get(pe)!, extend(prefix, pe));
    };
    visit(this.root, []);
    return out;
  }

  toString(): string {
    return this.paths().map(pathString).join('\n');
  }
}

// ---- fieldsV1 -----------------------------------------------------------------------------

/** Parses a fieldsV1 object. Unknown element kinds are dropped, as upstream does. */
export function fromFieldsV1(fields: unknown): FieldSet {
  const read = (obj: unknown): FieldNode => {
    const n = newNode();
    if (!isPlainObject(obj)) return n;
    for (const [key, value] of Object.entries(obj)) {
      if (key === '.') continue;
      const pe = canonicalElement(key);
      if (!pe) continue;
      const child = read(value);
      // A node with no (understood) children is a leaf, hence a member.
      child.member = child.children.size === 0 || (isPlainObject(value) && '.' in value);
      const prev = n.children.get(pe);
      n.children.set(pe, prev ? new FieldSet(prev).union(new FieldSet(child)).root : child);
    }
    return n;
  };
  return new FieldSet(read(fields));
}

export type FieldsV1 = { [element: string]: FieldsV1 };

/** The fieldsV1 object: `"."` first, then elements in fieldpath order (as upstream emits). */
export function toFieldsV1(set: FieldSet): FieldsV1 {
  const emit = (n: FieldNode, includeSelf: boolean): FieldsV1 => {
    const out: FieldsV1 = {};
    if (includeSelf && n.children.size > 0) out['.'] = {};
    for (const pe of sortedElements(n)) {
      const c = n.children.get(pe)!;
      out[pe] = c.children.size > 0 ? emit(c, c.member) : {};
    }
    return out;
  };
  return emit(set.root, false);
}

// ---- fields an object sets ----------------------------------------------------------------

/** Paths the field manager never tracks (upstream stripMeta). Removed exactly, not by prefix. */
export const UNTRACKED: FieldSet = FieldSet.of(
  ['f:apiVersion'],
  ['f:kind'],
  ['f:metadata'],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'].map(
    (f): FieldPath => ['f:metadata', fieldElement(f)],
  ),
);

export function gvkString(gvk: GroupVersionKind): string {
  return `${gvk.group}/${gvk.version}, Kind=${gvk.kind}`;
}

/**
 * The set of paths `object` sets (typed.ToFieldSet): leaves, atomic values, map keys, list
 * items, and empty or null fields. With `strict`, an associative list that cannot be indexed
 * (duplicate or missing keys) is a 400, as for an applied configuration; otherwise it is
 * owned whole.
 */
export function fieldsOf(object: unknown, gvk: GroupVersionKind, options: { strict?: boolean } = {}): FieldSet {
  const set = new FieldSet();
  walkFields(object, schemaFor(gvk), [], set, (path, why) => {
    if (options.strict) {
      throw StatusError.badRequest(`failed to create typed patch object (${gvkString(gvk)}): ${pathString(path)}: ${why}`);
    }
  });
  return set.difference(UNTRACKED);
}

function walkFields(
  value: unknown,
  schema: Schema | undefined,
  path: FieldPath,
  set: FieldSet,
  onError: (path: FieldPath, why: string) => void,
): void {
  const shape = shapeOf(schema, value);
  if (shape.kind === 'leaf') {
    set.insert(path);
    return;
  }
  if (shape.kind === 'object') {
    const obj = value as Record<string, unknown>;
    for (const [k, child] of Object.entries(obj)) {
      if (child === undefined) continue;
      const p = extend(path, fieldElement(k));
      if (child === null || isEmptyObject(child) || shape.schema.kind === 'map') set.insert(p);
      if (child !== null) walkFields(child, childSchema(shape.schema, k), p, set, onError);
    }
    return;
  }
  const list = value as unknown[];
  const pes = itemElements(list, shape.schema);
  if (typeof pes === 'string') {
    onError(path, pes);
    set.insert(path);
    return;
  }
  pes.forEach((pe, i) => {
    const p = extend(path, pe);
    walkFields(list[i], itemSchema(shape.schema), p, set, onError);
    set.insert(p);
  });
}
