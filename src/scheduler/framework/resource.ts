/**
 * @module The resource vector the scheduler adds and compares (framework.Resource): CPU in
 * millicores, memory and ephemeral storage in bytes, extended resources by name, pod count.
 */
import { milliValue, value } from './quantity.ts';

export class Resource {
  milliCPU = 0;
  memory = 0;
  ephemeralStorage = 0;
  allowedPodNumber = 0;
  /** Extended and hugepages resources; undefined until one is seen. */
  scalar: Map<string, number> | undefined;

  static fromList(list: Readonly<Record<string, string | number>> | undefined): Resource {
    const r = new Resource();
    if (list) r.addList(list);
    return r;
  }

  addList(list: Readonly<Record<string, string | number>>): void {
    for (const name in list) this.addOne(name, list[name]!, 1);
  }

  addOne(name: string, q: string | number, sign: 1 | -1): void {
    switch (name) {
      case 'cpu':
        this.milliCPU += sign * milliValue(q);
        return;
      case 'memory':
        this.memory += sign * value(q);
        return;
      case 'ephemeral-storage':
        this.ephemeralStorage += sign * value(q);
        return;
      case 'pods':
        this.allowedPodNumber += sign * value(q);
        return;
      default:
        if (!isScalarResource(name)) return;
        this.scalar ??= new Map();
        this.scalar.set(name, (this.scalar.get(name) ?? 0) + sign * value(q));
    }
  }

  add(o: Resource, sign: 1 | -1 = 1): void {
    this.milliCPU += sign * o.milliCPU;
    this.memory += sign * o.memory;
    this.ephemeralStorage += sign * o.ephemeralStorage;
    if (o.scalar) {
      this.scalar ??= new Map();
      for (const [k, v] of o.scalar) this.scalar.set(k, (this.scalar.get(k) ?? 0) + sign * v);
    }
  }

  /** Per-resource maximum, used for "init containers run one at a time". */
  setMax(o: Resource): void {
    this.milliCPU = Math.max(this.milliCPU, o.milliCPU);
    this.memory = Math.max(this.memory, o.memory);
    this.ephemeralStorage = Math.max(this.ephemeralStorage, o.ephemeralStorage);
    if (o.scalar) {
      this.scalar ??= new Map();
      for (const [k, v] of o.scalar) this.scalar.set(k, Math.max(this.scalar.get(k) ?? 0, v));
    }
  }

  clone(): Resource {
    const r = new Resource();
    r.milliCPU = this.milliCPU;
    r.memory = this.memory;
    r.ephemeralStorage = this.ephemeralStorage;
    r.allowedPodNumber = this.allowedPodNumber;
    if (this.scalar) r.scalar = new Map(this.scalar);
    return r;
  }
}

/** Extended resources (`example.com/gpu`), hugepages and attachable volumes are scalar. */
export function isScalarResource(name: string): boolean {
  return name.startsWith('hugepages-') || name.startsWith('attachable-volumes-') || (name.includes('/') && !name.startsWith('kubernetes.io/') && !name.startsWith('requests.'));
}
