/**
 * @module The Node authorizer (upstream plugin/pkg/auth/authorizer/node): a kubelet, user
 * `system:node:<name>` in group `system:nodes`, may read only the Secrets, ConfigMaps,
 * PersistentVolumeClaims (and the volumes they are bound to) and ServiceAccount tokens that pods bound to its node use, may touch
 * only its own Lease in `kube-node-lease`, and otherwise gets the fixed node rules (upstream
 * NodeRules). Which Node, pods and Leases it may write is narrowed further by NodeRestriction
 * admission (`admission/node-restriction.ts`).
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PolicyRule } from 'kubernetes-types/rbac/v1.js';
import type { UserInfo } from '../types.ts';
import type { Store } from '../registry/generic/store.ts';
import type { AuthorizationAttributes, Authorizer, Decision, RuleSet } from './authorizer.ts';
import { rulesAllow } from './rbac/rule-match.ts';

export const nodesGroup = 'system:nodes';
const nodeUserPrefix = 'system:node:';

/** The node a user is the kubelet of, or undefined (upstream NodeIdentifier). */
export function nodeIdentity(user: UserInfo): { isNode: boolean; nodeName: string } {
  if (!user.groups.includes(nodesGroup) || !user.username.startsWith(nodeUserPrefix)) return { isNode: false, nodeName: '' };
  return { isNode: true, nodeName: user.username.slice(nodeUserPrefix.length) };
}

const rule = (verbs: string[], apiGroups: string[], resources: string[]): PolicyRule => ({ verbs, apiGroups, resources });
const read = ['get', 'list', 'watch'];

/** What every node may do regardless of which objects it relates to (upstream NodeRules). */
export const nodeRules: PolicyRule[] = [
  rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
  rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews', 'localsubjectaccessreviews']),
  rule(read, [''], ['services']),
  // get of a Node is decided per name (upstream AuthorizeNodeWithSelectors, on in 1.32).
  rule(['create', 'list', 'watch'], [''], ['nodes']),
  rule(['update', 'patch'], [''], ['nodes/status']),
  rule(['update', 'patch'], [''], ['nodes']),
  rule(['create', 'update', 'patch'], ['', 'events.k8s.io'], ['events']),
  rule(read, [''], ['pods']),
  rule(['create', 'delete'], [''], ['pods']),
  rule(['update', 'patch'], [''], ['pods/status']),
  rule(['create'], [''], ['pods/eviction']),
  rule(['get'], [''], ['endpoints']),
  rule(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests']),
  rule(['get'], ['storage.k8s.io'], ['volumeattachments']),
  rule(['get', 'watch', 'list', 'create', 'update', 'patch', 'delete'], ['storage.k8s.io'], ['csinodes']),
  rule(read, ['storage.k8s.io'], ['csidrivers']),
  rule(read, ['node.k8s.io'], ['runtimeclasses']),
];

/** Pods bound to a node in a namespace. */
export type PodsOnNode = (nodeName: string, namespace: string) => Promise<Pod[]>;
/** The volume a claim is bound to (`spec.volumeName`), for the node → pod → claim → volume edge. */
export type ClaimVolume = (namespace: string, name: string) => Promise<string | undefined>;

export function storeClaimVolume(claims: Store): ClaimVolume {
  return async (namespace, name) => {
    const r = await claims.getRaw(namespace, name);
    return (r?.obj as { spec?: { volumeName?: string } } | undefined)?.spec?.volumeName;
  };
}

/** Reads pods from the API server's pod store (the authorizer's view of the node graph). */
export function storePodsOnNode(pods: Store): PodsOnNode {
  return async (nodeName, namespace) => {
    const { kvs } = await pods.deps.backend.list(pods.codec.prefix(namespace));
    return kvs.map((kv) => pods.codec.decode(kv) as unknown as Pod).filter((p) => p.spec?.nodeName === nodeName);
  };
}

/** Names of objects of a kind that a pod uses (upstream graph_populator / podutil.Visit*). */
export function podReferences(pod: Pod): { secrets: Set<string>; configmaps: Set<string>; pvcs: Set<string>; serviceaccounts: Set<string> } {
  const secrets = new Set<string>();
  const configmaps = new Set<string>();
  const pvcs = new Set<string>();
  const spec = pod.spec;
  for (const s of spec?.imagePullSecrets ?? []) if (s.name) secrets.add(s.name);
  for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? []), ...(spec?.ephemeralContainers ?? [])]) {
    for (const e of c.envFrom ?? []) {
      if (e.secretRef?.name) secrets.add(e.secretRef.name);
      if (e.configMapRef?.name) configmaps.add(e.configMapRef.name);
    }
    for (const e of c.env ?? []) {
      if (e.valueFrom?.secretKeyRef?.name) secrets.add(e.valueFrom.secretKeyRef.name);
      if (e.valueFrom?.configMapKeyRef?.name) configmaps.add(e.valueFrom.configMapKeyRef.name);
    }
  }
  for (const v of spec?.volumes ?? []) {
    if (v.secret?.secretName) secrets.add(v.secret.secretName);
    if (v.configMap?.name) configmaps.add(v.configMap.name);
    if (v.persistentVolumeClaim?.claimName) pvcs.add(v.persistentVolumeClaim.claimName);
    for (const src of v.projected?.sources ?? []) {
      if (src.secret?.name) secrets.add(src.secret.name);
      if (src.configMap?.name) configmaps.add(src.configMap.name);
    }
    for (const ref of [v.cephfs?.secretRef, v.rbd?.secretRef, v.iscsi?.secretRef, v.flexVolume?.secretRef, v.azureFile && { name: v.azureFile.secretName }])
      if (ref?.name) secrets.add(ref.name);
    if (v.csi?.nodePublishSecretRef?.name) secrets.add(v.csi.nodePublishSecretRef.name);
  }
  return { secrets, configmaps, pvcs, serviceaccounts: new Set(spec?.serviceAccountName ? [spec.serviceAccountName] : []) };
}

const noRelationship = (node: string) => `no relationship found between node '${node}' and this object`;

export class NodeAuthorizer implements Authorizer {
  constructor(
    private readonly podsOnNode: PodsOnNode,
    private readonly claimVolume?: ClaimVolume,
  ) {}

  async authorize(a: AuthorizationAttributes): Promise<Decision> {
    const { isNode, nodeName } = nodeIdentity(a.user);
    if (!isNode) return { allowed: false };
    if (!nodeName) return { allowed: false, reason: `unknown node for user "${a.user.username}"` };
    if (a.isResourceRequest && a.apiGroup === '') {
      switch (a.resource) {
        case 'secrets':
          return this.readReferenced(nodeName, a, 'secrets');
        case 'configmaps':
          return this.readReferenced(nodeName, a, 'configmaps');
        case 'persistentvolumeclaims':
          if (a.subresource === 'status') return { allowed: false, reason: 'can only get individual resources of this type' };
          return this.readReferenced(nodeName, a, 'pvcs');
        case 'persistentvolumes':
          return this.readVolume(nodeName, a);
        case 'serviceaccounts':
          if (a.subresource === 'token') {
            if (a.verb !== 'create') return { allowed: false, reason: 'can only create tokens for individual service accounts' };
            return this.related(nodeName, a.namespace, a.name, 'serviceaccounts');
          }
      }
    }
    if (a.isResourceRequest && a.apiGroup === '' && a.resource === 'nodes' && !a.subresource && a.verb === 'get') {
      if (a.name === nodeName) return { allowed: true };
      return { allowed: false, reason: `node '${nodeName}' cannot read '${a.name}', only its own Node object` };
    }
    if (a.isResourceRequest && a.apiGroup === 'coordination.k8s.io' && a.resource === 'leases') return this.lease(nodeName, a);
    if (rulesAllow(a, nodeRules)) return { allowed: true };
    return { allowed: false };
  }

  private async readReferenced(nodeName: string, a: AuthorizationAttributes, kind: 'secrets' | 'configmaps' | 'pvcs'): Promise<Decision> {
    if (a.subresource) return { allowed: false, reason: 'can only get individual resources of this type' };
    const single = kind === 'pvcs' ? a.verb === 'get' : read.includes(a.verb);
    if (!single) return { allowed: false, reason: kind === 'pvcs' ? 'can only get individual resources of this type' : 'can only read resources of this type' };
    // Listing every object of the kind would reveal unrelated ones: only named reads.
    if (!a.name) return { allowed: false, reason: 'can only read namespaced object of this type' };
    return this.related(nodeName, a.namespace, a.name, kind);
  }

  private async related(nodeName: string, namespace: string, name: string, kind: 'secrets' | 'configmaps' | 'pvcs' | 'serviceaccounts'): Promise<Decision> {
    const pods = await this.podsOnNode(nodeName, namespace);
    if (pods.some((p) => podReferences(p)[kind].has(name))) return { allowed: true };
    return { allowed: false, reason: noRelationship(nodeName) };
  }

  /** Upstream's graph: a node may get a volume bound to a claim that a pod on the node uses. */
  private async readVolume(nodeName: string, a: AuthorizationAttributes): Promise<Decision> {
    if (a.verb !== 'get' || a.subresource || !a.name) return { allowed: false, reason: 'can only get individual resources of this type' };
    if (!this.claimVolume) return { allowed: false, reason: noRelationship(nodeName) };
    for (const p of await this.podsOnNode(nodeName, ''))
      for (const claim of podReferences(p).pvcs) if ((await this.claimVolume(p.metadata?.namespace ?? '', claim)) === a.name) return { allowed: true };
    return { allowed: false, reason: noRelationship(nodeName) };
  }

  private lease(nodeName: string, a: AuthorizationAttributes): Decision {
    if (!['get', 'create', 'update', 'patch', 'delete'].includes(a.verb))
      return { allowed: false, reason: 'can only get, create, update, patch, or delete a node lease' };
    if (a.namespace !== 'kube-node-lease') return { allowed: false, reason: 'can only access leases in the "kube-node-lease" system namespace' };
    // The name is unknown on create; NodeRestriction checks it then.
    if (a.verb !== 'create' && a.name !== nodeName) return { allowed: false, reason: 'can only access node lease with the same name as the requesting node' };
    return { allowed: true };
  }

  async rulesFor(user: UserInfo): Promise<RuleSet> {
    // As upstream: a node's permissions depend on its pods and cannot be listed.
    if (nodeIdentity(user).isNode)
      return { resourceRules: [], nonResourceRules: [], incomplete: true, evaluationError: 'node authorizer does not support user rule resolution' };
    return { resourceRules: [], nonResourceRules: [], incomplete: false };
  }
}
