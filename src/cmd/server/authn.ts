/**
 * @module Authentication wiring of `skiff server`: builds the request authenticator from the
 * flags (client certificates and in-process identities, static tokens, ServiceAccount JWTs
 * signed with `<data-dir>/tls/sa.key`, bootstrap tokens, OIDC, a TokenReview webhook — the last
 * two through the `kube-system/identity-mappings` ConfigMap), and at
 * start writes what joining needs: the join token `<data-dir>/token` backed by its
 * `bootstrap.kubernetes.io/token` Secret, the `kube-public/cluster-info` ConfigMap (the CA,
 * signed with the token), and the kubeadm-style RBAC objects that let `system:anonymous` read
 * cluster-info and `system:bootstrappers` request (and get auto-approved) node certificates.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { KubeObject } from '../../api/object.ts';
import { peerAuthenticator, type Authenticator, type TokenAuthenticator, type TokenIssuer } from '../../apiserver/auth/authenticator.ts';
import {
  bootstrapTokenAuthenticator,
  bootstrapTokenSecret,
  generateBootstrapToken,
  jwsKeyPrefix,
  parseBootstrapToken,
  signDetached,
  type BootstrapToken,
} from '../../apiserver/auth/bootstrap-token.ts';
import { identityMappingsName, identityMappingsNamespace, mappedTokenAuthenticator } from '../../apiserver/auth/identity-mapping.ts';
import { oidcAuthenticator } from '../../apiserver/auth/oidc.ts';
import { ServiceAccountTokens } from '../../apiserver/auth/service-account-token.ts';
import { loadTokenFile } from '../../apiserver/auth/token-file.ts';
import { requestAuthenticator } from '../../apiserver/auth/union.ts';
import { loadWebhookConfig, webhookTokenAuthenticator } from '../../apiserver/auth/webhook-token.ts';
import type { ApiServer } from '../../apiserver/server.ts';
import { StatusError } from '../../machinery/status.ts';
import { loadOrCreateServiceAccountKey } from '../../pki/service-account-key.ts';
import type { AuthenticationOptions } from './options.ts';

export type Lookup = (group: string, version: string, resource: string, namespace: string, name: string) => Promise<KubeObject | undefined>;

export async function buildAuthenticator(auth: AuthenticationOptions, tlsDir: string, lookup: Lookup): Promise<Authenticator> {
  const sa = new ServiceAccountTokens({
    signingKeyPem: await loadOrCreateServiceAccountKey(tlsDir),
    lookup: (resource, ns, name) => lookup('', 'v1', resource, ns, name),
  });
  const tokens: TokenAuthenticator[] = [];
  if (auth.tokenAuthFile) tokens.push(await loadTokenFile(auth.tokenAuthFile));
  tokens.push(sa, bootstrapTokenAuthenticator((ns, name) => lookup('', 'v1', 'secrets', ns, name)));
  // External identities (OIDC, webhook) go through the identity mappings ConfigMap.
  const mapped = (t: TokenAuthenticator) => mappedTokenAuthenticator(t, () => lookup('', 'v1', 'configmaps', identityMappingsNamespace, identityMappingsName));
  if (auth.oidcIssuerUrl)
    tokens.push(
      mapped(oidcAuthenticator({
        issuerUrl: auth.oidcIssuerUrl,
        clientId: auth.oidcClientId ?? '',
        usernameClaim: auth.oidcUsernameClaim,
        usernamePrefix: auth.oidcUsernamePrefix,
        groupsClaim: auth.oidcGroupsClaim,
        groupsPrefix: auth.oidcGroupsPrefix,
        ca: auth.oidcCaFile ? await readFile(auth.oidcCaFile, 'utf8') : undefined,
      })),
    );
  if (auth.webhookConfigFile) tokens.push(mapped(webhookTokenAuthenticator(await loadWebhookConfig(auth.webhookConfigFile))));
  return requestAuthenticator({ peer: peerAuthenticator, tokens, anonymous: auth.anonymousAuth ?? false, tokenIssuer: sa });
}

/** `a` carrying the ServiceAccount token issuer (wrappers such as impersonation drop it). */
export function withTokenIssuer(a: Authenticator, tokenIssuer: TokenIssuer | undefined): Authenticator {
  return { authenticate: (req) => a.authenticate(req), tokenIssuer };
}

const system = { dryRun: false, user: { username: 'system:apiserver', groups: ['system:masters'] }, fieldManager: 'skiff-apiserver' };

async function createIfMissing(api: ApiServer, group: string, resource: string, obj: KubeObject): Promise<void> {
  const store = api.store(group, 'v1', resource);
  if (!store) return;
  const ns = obj.metadata?.namespace ?? '';
  if (await store.getRaw(ns, obj.metadata!.name!)) return;
  try {
    await store.create(ns, obj, system);
  } catch (err) {
    if (!(err instanceof StatusError && err.reason === 'AlreadyExists')) throw err;
  }
}

/** Reads `<data-dir>/token`, or creates a new token there; makes sure its Secret exists. */
async function ensureJoinToken(api: ApiServer, dataDir: string): Promise<BootstrapToken> {
  const path = join(dataDir, 'token');
  let token = existsSync(path) ? parseBootstrapToken(await readFile(path, 'utf8')) : undefined;
  if (!token) {
    token = generateBootstrapToken();
    await writeFile(path, `${token.id}.${token.secret}\n`, { mode: 0o600 });
  }
  // A join token that does not expire, as k3s's; delete the Secret to revoke it.
  const secret = bootstrapTokenSecret(token, {
    description: 'The join token of skiff agents (skiff server).',
    extraGroups: ['system:bootstrappers:skiff:default-node-token'],
  });
  await createIfMissing(api, '', 'secrets', secret as KubeObject);
  return token;
}

async function ensureClusterInfo(api: ApiServer, server: string, caCert: string, token: BootstrapToken): Promise<void> {
  const kubeconfig = stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: '', cluster: { server, 'certificate-authority-data': Buffer.from(caCert).toString('base64') } }],
    contexts: null,
    'current-context': '',
    preferences: {},
    users: null,
  });
  const data = { kubeconfig, [jwsKeyPrefix + token.id]: await signDetached(kubeconfig, token) };
  const store = api.store('', 'v1', 'configmaps')!;
  await store.guaranteedUpdate('kube-public', 'cluster-info', (cur) => {
    const cm = (cur ?? { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cluster-info', namespace: 'kube-public' } }) as KubeObject & { data?: Record<string, string> };
    // Keep signatures of other tokens only while they sign the same content.
    const kept = cur && (cm.data?.kubeconfig === kubeconfig) ? Object.fromEntries(Object.entries(cm.data ?? {}).filter(([k]) => k.startsWith(jwsKeyPrefix))) : {};
    cm.data = { ...kept, ...data };
    return cm;
  }, system).catch(async (err: unknown) => {
    if (!(err instanceof StatusError && err.reason === 'NotFound')) throw err;
    await createIfMissing(api, '', 'configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cluster-info', namespace: 'kube-public' }, data } as KubeObject);
  });
}

const rbac = 'rbac.authorization.k8s.io';
const clusterRoleBinding = (name: string, role: string, group: string): KubeObject =>
  ({ apiVersion: `${rbac}/v1`, kind: 'ClusterRoleBinding', metadata: { name }, roleRef: { apiGroup: rbac, kind: 'ClusterRole', name: role }, subjects: [{ apiGroup: rbac, kind: 'Group', name: group }] }) as KubeObject;

/** kubeadm's bootstrap RBAC: anonymous cluster-info, CSR creation and node-client auto-approval. */
async function ensureBootstrapRbac(api: ApiServer): Promise<void> {
  await createIfMissing(api, rbac, 'roles', {
    apiVersion: `${rbac}/v1`, kind: 'Role', metadata: { name: 'kubeadm:bootstrap-signer-clusterinfo', namespace: 'kube-public' },
    rules: [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['cluster-info'], verbs: ['get'] }],
  } as KubeObject);
  await createIfMissing(api, rbac, 'rolebindings', {
    apiVersion: `${rbac}/v1`, kind: 'RoleBinding', metadata: { name: 'kubeadm:bootstrap-signer-clusterinfo', namespace: 'kube-public' },
    roleRef: { apiGroup: rbac, kind: 'Role', name: 'kubeadm:bootstrap-signer-clusterinfo' }, subjects: [{ apiGroup: rbac, kind: 'User', name: 'system:anonymous' }],
  } as KubeObject);
  // Upstream bootstrap-policy roles; created here only when nobody else has.
  await createIfMissing(api, rbac, 'clusterroles', {
    apiVersion: `${rbac}/v1`, kind: 'ClusterRole', metadata: { name: 'system:node-bootstrapper', labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } },
    rules: [{ apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'], verbs: ['create', 'get', 'list', 'watch'] }],
  } as KubeObject);
  await createIfMissing(api, rbac, 'clusterroles', {
    apiVersion: `${rbac}/v1`, kind: 'ClusterRole', metadata: { name: 'system:certificates.k8s.io:certificatesigningrequests:nodeclient', labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } },
    rules: [{ apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests/nodeclient'], verbs: ['create'] }],
  } as KubeObject);
  await createIfMissing(api, rbac, 'clusterrolebindings', clusterRoleBinding('kubeadm:kubelet-bootstrap', 'system:node-bootstrapper', 'system:bootstrappers'));
  await createIfMissing(api, rbac, 'clusterrolebindings', clusterRoleBinding('kubeadm:node-autoapprove-bootstrap', 'system:certificates.k8s.io:certificatesigningrequests:nodeclient', 'system:bootstrappers'));
  // Nodes renewing their own client certificate are approved too (kubeadm's binding of the same name).
  await createIfMissing(api, rbac, 'clusterrolebindings', clusterRoleBinding('kubeadm:node-autoapprove-certificate-rotation', 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', 'system:nodes'));
}

/** Everything an agent needs to join with `--token $(cat <data-dir>/token)`. */
export async function prepareJoin(api: ApiServer, opts: { dataDir: string; server: string; caCert: string }): Promise<BootstrapToken> {
  const token = await ensureJoinToken(api, opts.dataDir);
  await ensureClusterInfo(api, opts.server, opts.caCert, token);
  await ensureBootstrapRbac(api);
  return token;
}
