/**
 * @module Discovery documents built from the served resources: legacy (`/api`, `/apis`,
 * `/api/v1`, `/apis/G/V`) and aggregated v2 (`APIGroupDiscoveryList`), which kubectl picks by
 * the response Content-Type. The first version of a group is its preferred version.
 */
import type { ResourceInfo } from '../machinery/resources.ts';
import { apiVersionOf } from '../machinery/resources.ts';

interface GroupVersions {
  group: string;
  versions: string[];
}

export class Discovery {
  private readonly groups: GroupVersions[] = [];
  private readonly byGv = new Map<string, ResourceInfo[]>();
  private readonly cache = new Map<string, unknown>();

  constructor(
    resources: readonly ResourceInfo[],
    private readonly serverAddress: () => string,
  ) {
    for (const r of resources) {
      const gv = apiVersionOf(r);
      if (!this.byGv.has(gv)) {
        this.byGv.set(gv, []);
        let g = this.groups.find((x) => x.group === r.group);
        if (!g) this.groups.push((g = { group: r.group, versions: [] }));
        g.versions.push(r.version);
      }
      this.byGv.get(gv)!.push(r);
    }
  }

  private memo<T>(key: string, make: () => T): T {
    if (!this.cache.has(key)) this.cache.set(key, make());
    return this.cache.get(key) as T;
  }

  hasGroupVersion(group: string, version: string): boolean {
    return this.byGv.has(apiVersionOf({ group, version }));
  }

  /** Legacy `/api`. */
  apiVersions(): unknown {
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: this.serverAddress() }],
    };
  }

  private apiGroup(g: GroupVersions): Record<string, unknown> {
    const versions = g.versions.map((v) => ({ groupVersion: `${g.group}/${v}`, version: v }));
    return { name: g.group, versions, preferredVersion: versions[0] };
  }

  /** Legacy `/apis`. */
  apiGroupList(): unknown {
    return this.memo('apis', () => ({
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: this.groups.filter((g) => g.group !== '').map((g) => this.apiGroup(g)),
    }));
  }

  /** `/apis/G`, or undefined. */
  apiGroupDoc(group: string): unknown {
    const g = this.groups.find((x) => x.group === group && group !== '');
    return g ? { kind: 'APIGroup', apiVersion: 'v1', ...this.apiGroup(g) } : undefined;
  }

  /** Legacy `/api/v1` or `/apis/G/V`, or undefined. */
  resourceList(group: string, version: string): unknown {
    const gv = apiVersionOf({ group, version });
    const rs = this.byGv.get(gv);
    if (!rs) return undefined;
    return this.memo(`rl:${gv}`, () => {
      const resources: Record<string, unknown>[] = [];
      for (const r of rs) {
        const entry: Record<string, unknown> = {
          name: r.resource,
          singularName: r.singular,
          namespaced: r.namespaced,
          kind: r.kind,
          verbs: r.verbs,
        };
        if (r.shortNames) entry.shortNames = r.shortNames;
        if (r.categories) entry.categories = r.categories;
        resources.push(entry);
        for (const s of r.subresources ?? []) {
          const sub: Record<string, unknown> = {
            name: `${r.resource}/${s.name}`,
            singularName: '',
            namespaced: r.namespaced,
            kind: s.kind?.kind ?? r.kind,
            verbs: s.verbs,
          };
          if (s.kind) {
            sub.group = s.kind.group;
            sub.version = s.kind.version;
          }
          resources.push(sub);
        }
      }
      return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources };
    });
  }

  /** Aggregated discovery for `/api` (core) or `/apis` (named groups). */
  aggregated(legacy: boolean, version: 'v2' | 'v2beta1'): unknown {
    return this.memo(`agg:${legacy}:${version}`, () => ({
      kind: 'APIGroupDiscoveryList',
      apiVersion: `apidiscovery.k8s.io/${version}`,
      metadata: {},
      items: this.groups
        .filter((g) => (legacy ? g.group === '' : g.group !== ''))
        .map((g) => ({
          metadata: legacy ? {} : { name: g.group },
          versions: g.versions.map((v) => ({
            version: v,
            freshness: 'Current',
            resources: (this.byGv.get(apiVersionOf({ group: g.group, version: v })) ?? []).map((r) => aggregatedResource(r)),
          })),
        })),
    }));
  }
}

function aggregatedResource(r: ResourceInfo): Record<string, unknown> {
  const out: Record<string, unknown> = {
    resource: r.resource,
    singularResource: r.singular,
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    verbs: r.verbs,
  };
  if (r.shortNames) out.shortNames = r.shortNames;
  if (r.categories) out.categories = r.categories;
  if (r.subresources?.length)
    out.subresources = r.subresources.map((s) => ({
      subresource: s.name,
      responseKind: s.kind ?? { group: r.group, version: r.version, kind: r.kind },
      verbs: s.verbs,
    }));
  return out;
}

export const versionInfo = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0+skiff',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-11-22T00:00:00Z',
  goVersion: `node${process.versions.node}`,
  compiler: 'tsx',
  platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
};
