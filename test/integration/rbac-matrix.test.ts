/**
 * The authorization matrix against an in-process server: users, groups, ServiceAccounts and
 * nodes × verbs × resources × namespaces, through the default roles (view, edit, admin,
 * discovery, basic-user, public-info-viewer, component roles), a Role with resourceNames, a
 * subresource-only and a non-resource ClusterRole, an aggregated rule and the Node
 * authorizer. Each row is asked as a SubjectAccessReview; a few are also sent as real
 * requests to see the pipeline enforce the same decision.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../../src/client/rest.ts';
import type { ResourceRef } from '../../src/client/rest.ts';
import { refs } from '../../src/client/refs.ts';
import { StatusError } from '../../src/machinery/status.ts';
import { eventually } from '../support/kubectl.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

const g = 'rbac.authorization.k8s.io';
const r = (resource: string): ResourceRef => ({ group: g, version: 'v1', resource, namespaced: resource === 'roles' || resource === 'rolebindings' });
const sar: ResourceRef = { group: 'authorization.k8s.io', version: 'v1', resource: 'subjectaccessreviews', namespaced: false };
const admin = { username: 'test-admin', groups: ['system:masters', 'system:authenticated'] };
const authd = ['system:authenticated'];
const sa = (ns: string, name: string) => ({ user: `system:serviceaccount:${ns}:${name}`, groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, ...authd] });

type Who = { user: string; groups: string[] };
/** [who, verb, "group/resource[/sub]" or "url:/path", namespace, name, allowed] */
type Row = [Who, string, string, string, string, boolean];

const jane: Who = { user: 'jane', groups: authd };
const dave: Who = { user: 'dave', groups: ['devs', ...authd] };
const ci = sa('x', 'ci');
const cmReader: Who = { user: 'cm-reader', groups: authd };
const logger: Who = { user: 'logger', groups: authd };
const metrics: Who = { user: 'metrics', groups: authd };
const nobody: Who = { user: 'nobody', groups: authd };
const anonymous: Who = { user: 'system:anonymous', groups: ['system:unauthenticated'] };
const root: Who = { user: 'root', groups: ['system:masters', ...authd] };
const scheduler: Who = { user: 'system:kube-scheduler', groups: authd };
const rsController = sa('kube-system', 'replicaset-controller');
const node1: Who = { user: 'system:node:n1', groups: ['system:nodes', ...authd] };

const matrix: Row[] = [
  // view in x
  [jane, 'list', '/pods', 'x', '', true],
  [jane, 'watch', '/pods', 'x', '', true],
  [jane, 'list', '/pods', 'default', '', false],
  [jane, 'create', '/pods', 'x', '', false],
  [jane, 'get', '/secrets', 'x', 's', false],
  [jane, 'get', '/pods/log', 'x', 'p', true],
  [jane, 'create', '/pods/exec', 'x', 'p', false],
  [jane, 'get', 'apps/deployments/scale', 'x', 'd', true],
  [jane, 'update', 'apps/deployments/scale', 'x', 'd', false],
  [jane, 'list', `${g}/roles`, 'x', '', false],
  [jane, 'get', '/namespaces', '', 'x', true],
  [jane, 'get', '/namespaces', '', 'y', false],
  [jane, 'list', '/nodes', '', '', false],
  [jane, 'get', 'example.com/widgets', 'x', 'w', true],
  // edit in y, through a group
  [dave, 'create', 'apps/deployments', 'y', '', true],
  [dave, 'get', '/secrets', 'y', 's', true],
  [dave, 'delete', '/pods', 'y', 'p', true],
  [dave, 'create', `${g}/rolebindings`, 'y', '', false],
  [dave, 'update', '/resourcequotas', 'y', 'q', false],
  [dave, 'impersonate', '/serviceaccounts', 'y', 'default', true],
  [dave, 'create', 'apps/deployments', 'default', '', false],
  // admin in x, as a ServiceAccount named without namespace in the binding
  [ci, 'create', `${g}/rolebindings`, 'x', '', true],
  [ci, 'create', `${g}/roles`, 'x', '', true],
  [ci, 'create', 'authorization.k8s.io/localsubjectaccessreviews', 'x', '', true],
  [ci, 'update', '/resourcequotas', 'x', 'q', false],
  [ci, 'get', '/secrets', 'y', 's', false],
  [ci, 'delete', '/namespaces', '', 'x', false],
  // resourceNames
  [cmReader, 'get', '/configmaps', 'x', 'app-config', true],
  [cmReader, 'get', '/configmaps', 'x', 'other', false],
  [cmReader, 'list', '/configmaps', 'x', '', false],
  // a subresource-only ClusterRole, cluster-wide
  [logger, 'get', '/pods/log', 'y', 'p', true],
  [logger, 'get', '/pods', 'y', 'p', false],
  // non-resource URLs
  [metrics, 'get', 'url:/metrics', '', '', true],
  [metrics, 'post', 'url:/metrics', '', '', false],
  [nobody, 'get', 'url:/metrics', '', '', false],
  [nobody, 'get', 'url:/healthz', '', '', true],
  [nobody, 'get', 'url:/apis/apps/v1', '', '', true],
  [nobody, 'create', 'authorization.k8s.io/selfsubjectaccessreviews', '', '', true],
  [nobody, 'list', '/pods', 'x', '', false],
  [anonymous, 'get', 'url:/healthz', '', '', true],
  [anonymous, 'get', 'url:/api', '', '', false],
  [anonymous, 'get', '/configmaps', 'kube-public', 'cluster-info', true],
  [anonymous, 'get', '/configmaps', 'kube-public', 'other', false],
  [root, 'delete', '/nodes', '', 'n1', true],
  // components
  [scheduler, 'create', '/pods/binding', 'x', 'p', true],
  [scheduler, 'delete', '/nodes', '', 'n1', false],
  [rsController, 'create', '/pods', 'x', '', true],
  [rsController, 'delete', 'apps/deployments', 'x', 'd', false],
  // the Node authorizer
  [node1, 'get', '/nodes', '', 'n1', true],
  [node1, 'get', '/nodes', '', 'n2', false],
  [node1, 'update', 'coordination.k8s.io/leases', 'kube-node-lease', 'n1', true],
  [node1, 'update', 'coordination.k8s.io/leases', 'kube-node-lease', 'n2', false],
  [node1, 'get', '/secrets', 'x', 'on-n1', true],
  [node1, 'get', '/secrets', 'x', 'on-n2', false],
  [node1, 'get', '/configmaps', 'x', 'app-config', true],
  [node1, 'list', '/secrets', 'x', '', false],
];

function specFor([who, verb, what, namespace, name]: Row): Record<string, unknown> {
  if (what.startsWith('url:')) return { user: who.user, groups: who.groups, nonResourceAttributes: { path: what.slice(4), verb } };
  const [group = '', resource = '', subresource = ''] = what.split('/');
  return { user: who.user, groups: who.groups, resourceAttributes: { verb, group, resource, subresource, namespace, name } };
}

describe('RBAC authorization matrix', () => {
  let c: TestCluster;
  let client: Client;

  before(async () => {
    c = await startCluster({ datastore: 'memory' });
    client = new Client(c.server.transportFor(admin));
    for (const ns of ['x', 'y']) await client.resource(refs.namespaces).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    const create = (res: string, obj: Record<string, unknown>, ns?: string) => client.resource(r(res)).create(obj as never, ns);
    const bind = (kind: 'RoleBinding' | 'ClusterRoleBinding', name: string, roleKind: string, role: string, subjects: unknown[], ns?: string) =>
      create(kind === 'RoleBinding' ? 'rolebindings' : 'clusterrolebindings', { apiVersion: `${g}/v1`, kind, metadata: { name, ...(ns ? { namespace: ns } : {}) }, roleRef: { apiGroup: g, kind: roleKind, name: role }, subjects }, ns);
    await bind('RoleBinding', 'jane-view', 'ClusterRole', 'view', [{ kind: 'User', apiGroup: g, name: 'jane' }], 'x');
    await bind('RoleBinding', 'devs-edit', 'ClusterRole', 'edit', [{ kind: 'Group', apiGroup: g, name: 'devs' }], 'y');
    await bind('RoleBinding', 'ci-admin', 'ClusterRole', 'admin', [{ kind: 'ServiceAccount', name: 'ci' }], 'x');
    await create('roles', { apiVersion: `${g}/v1`, kind: 'Role', metadata: { name: 'app-config-reader', namespace: 'x' }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['app-config'] }] }, 'x');
    await bind('RoleBinding', 'cm-reader', 'Role', 'app-config-reader', [{ kind: 'User', apiGroup: g, name: 'cm-reader' }], 'x');
    await create('clusterroles', { apiVersion: `${g}/v1`, kind: 'ClusterRole', metadata: { name: 'log-reader' }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }] });
    await bind('ClusterRoleBinding', 'logger', 'ClusterRole', 'log-reader', [{ kind: 'User', apiGroup: g, name: 'logger' }]);
    await create('clusterroles', { apiVersion: `${g}/v1`, kind: 'ClusterRole', metadata: { name: 'metrics-reader' }, rules: [{ verbs: ['get'], nonResourceURLs: ['/metrics'] }] });
    await bind('ClusterRoleBinding', 'metrics', 'ClusterRole', 'metrics-reader', [{ kind: 'User', apiGroup: g, name: 'metrics' }]);
    // Aggregated into view (and so edit and admin) by the aggregation controller.
    await create('clusterroles', {
      apiVersion: `${g}/v1`, kind: 'ClusterRole',
      metadata: { name: 'widget-viewer', labels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } },
      rules: [{ verbs: ['get'], apiGroups: ['example.com'], resources: ['widgets'] }],
    });
    const pod = (name: string, node: string, secret: string) => ({
      apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'x' },
      spec: { nodeName: node, containers: [{ name: 'c', image: 'i', envFrom: [{ configMapRef: { name: 'app-config' } }] }], volumes: [{ name: 's', secret: { secretName: secret } }] },
    });
    await client.resource(refs.pods).create(pod('p1', 'n1', 'on-n1') as never, 'x');
    await client.resource(refs.pods).create(pod('p2', 'n2', 'on-n2') as never, 'x');
    // The aggregation controller has run once jane's view covers widgets.
    await eventually(async () => {
      const view = await client.resource<{ rules?: { resources?: string[] }[] } & Record<string, never>>(r('clusterroles')).get('view');
      return view.rules?.some((x) => x.resources?.includes('widgets'));
    }, 15_000, 'view to aggregate widget-viewer');
  });
  after(async () => {
    await c?.stop();
  });

  it('every row matches the upstream decision', async () => {
    // Bindings reach the authorizer's cache through a watch: wait for the last one.
    await eventually(async () => {
      const res = (await client.resource(sar).create({ apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: specFor(matrix.find((row) => row[0] === cmReader)!) } as never)) as { status?: { allowed?: boolean } };
      return res.status?.allowed;
    }, 10_000, 'bindings to reach the authorizer');
    const wrong: string[] = [];
    for (const row of matrix) {
      const res = (await client.resource(sar).create({ apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: specFor(row) } as never)) as { status?: { allowed?: boolean } };
      if ((res.status?.allowed ?? false) !== row[5]) wrong.push(`${row[0].user} ${row[1]} ${row[2]} ns=${row[3]} name=${row[4]}: want ${row[5]}`);
    }
    assert.deepEqual(wrong, []);
  });

  it('the pipeline enforces the same decisions on real requests', async () => {
    const as = (who: Who) => new Client(c.server.transportFor({ username: who.user, groups: who.groups }));
    const pods = await as(jane).resource(refs.pods).list({ namespace: 'x' });
    assert.equal(pods.items.length, 2);
    await assert.rejects(as(jane).resource(refs.pods).list({ namespace: 'default' }), (e: StatusError) => {
      assert.equal(e.code, 403);
      assert.equal(e.message, 'pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default"');
      return true;
    });
    await assert.rejects(as(node1).resource(refs.nodes).get('n2'), (e: StatusError) => e.code === 403);
    await assert.rejects(as(node1).resource(refs.secrets).get('on-n2', 'x'), (e: StatusError) => e.code === 403 && /no relationship found between node 'n1' and this object/.test(e.message));
  });
});
