/**
 * Acceptance for authorization with the real kubectl: `--as=jane` is Forbidden with the
 * upstream message until a RoleBinding to `view` lets jane list pods in one namespace only;
 * `auth can-i` (and `--list`) answer from RBAC; a namespace admin cannot bind cluster-admin
 * (escalation prevention) and an editor cannot bind at all; impersonation needs the
 * `impersonate` verb; a simulated node's identity reads its own Node but not another's.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { issueCert } from '../../src/pki/certs.ts';
import { kubeconfigYaml } from '../../src/pki/kubeconfig.ts';
import { eventually, haveKubectl } from '../support/kubectl.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

describe('RBAC with kubectl', { skip: haveKubectl ? false : 'kubectl not installed at /usr/bin/kubectl' }, () => {
  let c: TestCluster;

  before(async () => {
    c = await startCluster({ datastore: 'memory', simNodes: 2 });
    await c.kubectl.ok(['create', 'namespace', 'x']);
  });
  after(async () => {
    await c?.stop();
  });

  it('refuses jane with the upstream message, then allows what view grants in x only', async () => {
    const denied = await c.kubectl(['--as=jane', 'get', 'pods']);
    assert.equal(denied.code, 1);
    assert.equal(denied.stderr.trim(), 'Error from server (Forbidden): pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default"');

    await c.kubectl.ok(['create', 'rolebinding', 'jane-view', '--clusterrole=view', '--user=jane', '-n', 'x']);
    await eventually(async () => (await c.kubectl(['--as=jane', 'get', 'pods', '-n', 'x'])).code === 0, 10_000, 'jane to list pods in x');
    const other = await c.kubectl(['--as=jane', 'get', 'pods', '-n', 'default']);
    assert.match(other.stderr, /pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default"/);
    const write = await c.kubectl(['--as=jane', 'create', 'configmap', 'nope', '-n', 'x']);
    assert.match(write.stderr, /configmaps is forbidden: User "jane" cannot create resource "configmaps" in API group "" in the namespace "x"/);
  });

  it('answers auth can-i and can-i --list from RBAC', async () => {
    assert.equal((await c.kubectl.ok(['auth', 'can-i', 'list', 'pods', '--as=jane', '-n', 'x'])).trim(), 'yes');
    const no = await c.kubectl(['auth', 'can-i', 'delete', 'pods', '--as=jane', '-n', 'x']);
    assert.equal(no.code, 1);
    assert.equal(no.stdout.trim(), 'no');
    assert.equal((await c.kubectl(['auth', 'can-i', 'list', 'pods', '--as=jane', '-n', 'default'])).stdout.trim(), 'no');
    const list = await c.kubectl.ok(['auth', 'can-i', '--list', '--as=jane', '-n', 'x']);
    assert.match(list, /^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs/m);
    assert.match(list, /^pods\s+\[\]\s+\[\]\s+\[get list watch\]/m);
    assert.match(list, /^selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]/m);
    assert.match(list, /^\s+\[\/api\/\*\]\s+\[\]\s+\[get\]/m);
    assert.doesNotMatch(list, /^secrets\s/m);
  });

  it('prevents escalation: an admin of x cannot bind cluster-admin, an editor cannot bind at all', async () => {
    await c.kubectl.ok(['create', 'rolebinding', 'ed-edit', '--clusterrole=edit', '--user=ed', '-n', 'x']);
    await c.kubectl.ok(['create', 'rolebinding', 'ann-admin', '--clusterrole=admin', '--user=ann', '-n', 'x']);
    await eventually(async () => (await c.kubectl(['auth', 'can-i', 'create', 'rolebindings', '--as=ann', '-n', 'x'])).stdout.trim() === 'yes', 10_000, 'ann to be admin of x');
    const ed = await c.kubectl(['--as=ed', 'create', 'rolebinding', 'root', '--clusterrole=cluster-admin', '--user=ed', '-n', 'x']);
    assert.match(ed.stderr, /rolebindings\.rbac\.authorization\.k8s\.io is forbidden: User "ed" cannot create resource "rolebindings" in API group "rbac\.authorization\.k8s\.io" in the namespace "x"/);
    const ann = await c.kubectl(['--as=ann', 'create', 'rolebinding', 'root', '--clusterrole=cluster-admin', '--user=ann', '-n', 'x']);
    assert.equal(ann.code, 1);
    assert.match(ann.stderr, /rolebindings\.rbac\.authorization\.k8s\.io "root" is forbidden: user "ann" \(groups=\["system:authenticated"\]\) is attempting to grant RBAC permissions not currently held:/);
    assert.match(ann.stderr, /\{APIGroups:\["\*"\], Resources:\["\*"\], Verbs:\["\*"\]\}/);
    // What ann holds she may grant.
    await c.kubectl.ok(['--as=ann', 'create', 'rolebinding', 'friend-view', '--clusterrole=view', '--user=friend', '-n', 'x']);
    // And with the bind verb on cluster-admin, she may bind it after all.
    await c.kubectl.ok(['create', 'role', 'bind-root', '--verb=bind', '--resource=clusterroles.rbac.authorization.k8s.io', '--resource-name=cluster-admin', '-n', 'x']);
    await c.kubectl.ok(['create', 'rolebinding', 'ann-bind', '--role=bind-root', '--user=ann', '-n', 'x']);
    await eventually(async () => (await c.kubectl(['--as=ann', 'create', 'rolebinding', 'root', '--clusterrole=cluster-admin', '--user=ann', '-n', 'x'])).code === 0, 10_000, 'ann to bind with the bind verb');
  });

  it('lets only callers with the impersonate verb impersonate', async () => {
    const jane = await issueCert(c.server.pki.ca, { commonName: 'jane', usage: 'client' });
    const kc = join(c.dataDir, 'jane.yaml');
    await writeFile(kc, kubeconfigYaml({ server: c.server.url, caCert: c.server.pki.ca.cert, user: jane }));
    const r = await c.kubectl(['--kubeconfig', kc, '--as=bob', 'get', 'pods', '-n', 'x']);
    assert.match(r.stderr, /users "bob" is forbidden: User "jane" cannot impersonate resource "users" in API group "" at the cluster scope/);
    // As herself (bound to view in x by the first test) she still reads pods.
    await c.kubectl.ok(['--kubeconfig', kc, 'get', 'pods', '-n', 'x']);
    const who = await c.kubectl.ok(['auth', 'whoami', '--as=bob', '--as-group=devs', '-o', 'jsonpath={.status.userInfo.username} {.status.userInfo.groups}']);
    assert.equal(who, 'bob ["devs","system:authenticated"]');
  });

  it("gives a simulated node's identity its own Node and not another's", async () => {
    const as = ['--as=system:node:sim-0', '--as-group=system:nodes'];
    assert.match(await c.kubectl.ok([...as, 'get', 'node', 'sim-0', '-o', 'name']), /node\/sim-0/);
    const other = await c.kubectl([...as, 'get', 'node', 'sim-1']);
    assert.equal(other.code, 1);
    assert.match(other.stderr, /nodes "sim-1" is forbidden: User "system:node:sim-0" cannot get resource "nodes" in API group "" at the cluster scope: node 'sim-0' cannot read 'sim-1', only its own Node object/);
    const lease = await c.kubectl([...as, 'get', 'lease', 'sim-1', '-n', 'kube-node-lease']);
    assert.match(lease.stderr, /can only access node lease with the same name as the requesting node/);
    await c.kubectl.ok([...as, 'get', 'lease', 'sim-0', '-n', 'kube-node-lease']);
  });
});
