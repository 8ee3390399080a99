/**
 * @module What a resource brings to the generic registry: defaults, validation, the status
 * split, printed columns, field selectors and scale access. The generic store
 * (registry/generic/store.ts) does everything else once for every resource.
 */
import type { FieldError } from '../../api/field-error.ts';
import type { KubeObject } from '../../api/object.ts';
import type { ResourceInfo } from '../../machinery/resources.ts';

/** A column of a server-side Table, as meta.k8s.io/v1 TableColumnDefinition. */
export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  description: string;
  /** 0: always shown; 1: only with `-o wide`. */
  priority: number;
}

export type TableCell = string | number | boolean | null;

export interface TableConvertor<T extends KubeObject = KubeObject> {
  columns: TableColumn[];
  /** One cell per column, in column order. `now` is injected for AGE-like cells. */
  cells(obj: T, now: Date): TableCell[];
}

/** Name rules as upstream's ValidateObjectMeta name functions. */
export type NameRule = 'dns1123-subdomain' | 'dns1123-label' | 'path-segment';

export interface ScaleAccess<T extends KubeObject = KubeObject> {
  specReplicas(obj: T): number;
  setSpecReplicas(obj: T, replicas: number): void;
  statusReplicas(obj: T): number;
  /** Label selector string for Scale.status.selector, e.g. `app=web`. */
  selector(obj: T): string;
}

/**
 * How a resource version that is not its own storage form maps to storage (autoscaling/v1
 * HPAs are stored as autoscaling/v2; events.k8s.io/v1 Events share core/v1 Events).
 */
export interface StorageConversion<T extends KubeObject = KubeObject> {
  group: string;
  version: string;
  resource: string;
  toStorage(obj: T): KubeObject;
  fromStorage(obj: KubeObject): T;
}

export interface Strategy<T extends KubeObject = KubeObject> {
  info: ResourceInfo;
  /** Defaults as upstream's SetDefaults_<Kind>; runs before validation on create and update. */
  defaults?(obj: T): void;
  /**
   * Create-time preparation (after the generic part has cleared status for resources with a
   * status subresource): initial status such as Pod phase Pending or Namespace phase Active.
   */
  prepareForCreate?(obj: T): void;
  /** Update-time preparation of the main resource (status has already been carried over). */
  prepareForUpdate?(obj: T, old: T): void;
  /** Name format; default dns1123-subdomain. */
  nameRule?: NameRule;
  validate(obj: T): FieldError[];
  /** Extra checks on update, typically immutable fields. */
  validateUpdate?(obj: T, old: T): FieldError[];
  /** Checks on a write through the `status` subresource. */
  validateStatusUpdate?(obj: T, old: T): FieldError[];
  table: TableConvertor<T>;
  /**
   * Field selector values beyond `metadata.name` and `metadata.namespace`, e.g.
   * `spec.nodeName` for pods. Each function returns the field's string value.
   */
  fieldSelectors?: Record<string, (obj: T) => string | undefined>;
  scale?: ScaleAccess<T>;
  storage?: StorageConversion<T>;
  /** PUT on a missing object creates it (upstream: Leases, Events, Nodes…). */
  allowCreateOnUpdate?: boolean;
  /** Default grace period for graceful deletion (pods); absent: deleted immediately. */
  defaultGracePeriodSeconds?(obj: T): number | undefined;
}
