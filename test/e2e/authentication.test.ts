/**
 * Acceptance (security: authentication), with the real kubectl against a real server:
 * requests without credentials are 401; a static token user; `kubectl create token` gives a
 * ServiceAccount JWT that `auth whoami` resolves; a token bound to a pod dies with the pod;
 * an OIDC ID token from an in-test issuer maps to user and groups; and `skiff agent --server
 * URL --token $(cat DIR/token)` joins as a node with its own issued client certificate.
 */
import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request, type Server } from 'node:https';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import * as x509 from '@peculiar/x509';
import { createCA, issueCert } from '../../src/pki/certs.ts';
import { createClientCsr } from '../../src/pki/csr.ts';
import { eventually, haveKubectl, kubectlFor, type Kubectl } from '../support/kubectl.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

const skiff = fileURLToPath(new URL('../../bin/skiff', import.meta.url));

interface Issuer {
  url: string;
  caFile: string;
  sign(claims: Record<string, unknown>): Promise<string>;
  close(): void;
}

/** A minimal OpenID provider: discovery document and JWKS over HTTPS with a test CA. */
async function startIssuer(dir: string): Promise<Issuer> {
  const ca = await createCA('test-oidc-ca');
  const serving = await issueCert(ca, { commonName: '127.0.0.1', usage: 'server', sans: ['127.0.0.1'] });
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  let url = '';
  const server: Server = createServer({ cert: serving.cert, key: serving.key }, (req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration') res.end(JSON.stringify({ issuer: url, jwks_uri: `${url}/keys`, id_token_signing_alg_values_supported: ['RS256'] }));
    else if (req.url === '/keys') res.end(JSON.stringify({ keys: [jwk] }));
    else (res.statusCode = 404), res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const caFile = join(dir, 'oidc-ca.crt');
  await writeFile(caFile, ca.cert);
  return {
    url,
    caFile,
    sign: (claims) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'test-key' }).setIssuer(url).setAudience('skiff').setIssuedAt().setExpirationTime('10m').sign(privateKey),
    close: () => server.close(),
  };
}

describe('authentication', { skip: haveKubectl ? false : 'kubectl not installed at /usr/bin/kubectl' }, () => {
  let c: TestCluster;
  let dir: string;
  let issuer: Issuer;
  let anon: Kubectl;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skiff-authn-'));
    issuer = await startIssuer(dir);
    const tokenFile = join(dir, 'tokens.csv');
    await writeFile(tokenFile, 'static-token-jane,jane,1001,"devs,qa"\n');
    c = await startCluster({
      datastore: 'memory',
      server: {
        auth: { tokenAuthFile: tokenFile, oidcIssuerUrl: issuer.url, oidcClientId: 'skiff', oidcUsernameClaim: 'email', oidcGroupsClaim: 'groups', oidcGroupsPrefix: 'oidc:', oidcCaFile: issuer.caFile },
      },
    });
    // The cluster and its CA, but no user: kubectl sends no credentials at all.
    const caFile = join(dir, 'ca.crt');
    await writeFile(caFile, c.server.pki.ca.cert);
    const kubeconfig = join(dir, 'anonymous.kubeconfig');
    await writeFile(kubeconfig, [
      'apiVersion: v1', 'kind: Config',
      'clusters: [{name: skiff, cluster: {server: "' + c.server.url + '", certificate-authority: "' + caFile + '"}}]',
      'contexts: [{name: skiff, context: {cluster: skiff}}]', 'current-context: skiff', 'users: []', '',
    ].join('\n'));
    anon = kubectlFor(kubeconfig, dir);
  });
  after(async () => {
    await c?.stop();
    issuer?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const whoami = async (token: string) => {
    const r = await anon(['auth', 'whoami', '-o', 'json', `--token=${token}`]);
    if (r.code !== 0) return { code: r.code, stderr: r.stderr, user: undefined };
    return { code: 0, stderr: r.stderr, user: (JSON.parse(r.stdout) as { status: { userInfo: { username: string; groups?: string[]; extra?: Record<string, string[]> } } }).status.userInfo };
  };

  /** A request with no credentials at all (kubectl would prompt for a password instead). */
  const bare = (path: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const r = request(`${c.server.url}${path}`, { ca: c.server.pki.ca.cert }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      r.on('error', reject);
      r.end();
    });

  it('rejects requests without credentials with 401, and a bad token too', async () => {
    const r = await bare('/api/v1/namespaces/default/pods');
    assert.equal(r.status, 401);
    assert.equal((JSON.parse(r.body) as { reason: string }).reason, 'Unauthorized');
    const bad = await whoami('not-a-valid-token');
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /Unauthorized/);
  });

  it('serves kube-public/cluster-info anonymously (and nothing else)', async () => {
    const info = await bare('/api/v1/namespaces/kube-public/configmaps/cluster-info');
    assert.equal(info.status, 200);
    assert.match((JSON.parse(info.body) as { data: { kubeconfig: string } }).data.kubeconfig, /certificate-authority-data/);
    assert.equal((await bare('/api/v1/namespaces/kube-public/configmaps')).status, 401);
    assert.equal((await bare('/api/v1/namespaces/kube-system/configmaps/cluster-info')).status, 401);
  });

  it('authenticates a static token user with its groups', async () => {
    const { user } = await whoami('static-token-jane');
    assert.equal(user?.username, 'jane');
    assert.deepEqual(user?.groups, ['devs', 'qa', 'system:authenticated']);
  });

  it('kubectl create token gives a ServiceAccount JWT that auth whoami resolves', async () => {
    await eventually(async () => (await c.kubectl(['get', 'serviceaccount', 'default'])).code === 0, 10_000, 'default ServiceAccount');
    const token = (await c.kubectl.ok(['create', 'token', 'default', '--duration=10m'])).trim();
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    assert.equal(claims.sub, 'system:serviceaccount:default:default');
    assert.equal((claims.exp as number) - (claims.iat as number), 600);
    const { user } = await whoami(token);
    assert.equal(user?.username, 'system:serviceaccount:default:default');
    assert.deepEqual(user?.groups, ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated']);
    // A token for another audience is not one the API server accepts.
    const other = (await c.kubectl.ok(['create', 'token', 'default', '--audience=x'])).trim();
    assert.notEqual((await whoami(other)).code, 0);
    const short = await c.kubectl(['create', 'token', 'default', '--duration=1m']);
    assert.notEqual(short.code, 0);
    assert.match(short.stderr, /may not specify a duration less than 10 minutes/);
  });

  it('legacy Secret-based tokens exist only when asked for, and die with their Secret', async () => {
    assert.doesNotMatch(await c.kubectl.ok(['get', 'secrets', '-A']), /service-account-token/, 'no token Secrets unasked');
    const manifest = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'legacy', annotations: { 'kubernetes.io/service-account.name': 'default' } }, type: 'kubernetes.io/service-account-token' });
    await c.kubectl.ok(['create', '-f', '-'], { input: manifest });
    const b64 = await eventually(async () => (await c.kubectl.ok(['get', 'secret', 'legacy', '-o', 'jsonpath={.data.token}'])).trim(), 10_000, 'token filled in');
    const token = Buffer.from(b64, 'base64').toString();
    assert.equal((await whoami(token)).user?.username, 'system:serviceaccount:default:default');
    await c.kubectl.ok(['delete', 'secret', 'legacy']);
    assert.notEqual((await whoami(token)).code, 0);
  });

  it('a token bound to a pod stops working when the pod is deleted', async () => {
    await c.kubectl.ok(['run', 'bound', '--image=registry.example/app:1', '--restart=Never']);
    const token = (await c.kubectl.ok(['create', 'token', 'default', '--bound-object-kind=Pod', '--bound-object-name=bound'])).trim();
    const { user } = await whoami(token);
    assert.equal(user?.username, 'system:serviceaccount:default:default');
    assert.deepEqual(user?.extra?.['authentication.kubernetes.io/pod-name'], ['bound']);
    await c.kubectl.ok(['delete', 'pod', 'bound', '--wait=false']);
    await eventually(async () => (await c.kubectl(['get', 'pod', 'bound'])).code !== 0, 10_000, 'pod gone');
    const after = await whoami(token);
    assert.notEqual(after.code, 0);
    assert.match(after.stderr, /Unauthorized/);
  });

  it('maps an OIDC ID token to its user and prefixed groups', async () => {
    const token = await issuer.sign({ sub: 'u-1', email: 'ann@example.com', email_verified: true, groups: ['platform', 'oncall'] });
    const { user, stderr } = await whoami(token);
    assert.equal(user?.username, 'ann@example.com', stderr);
    assert.deepEqual(user?.groups, ['oidc:platform', 'oidc:oncall', 'system:authenticated']);
    // External groups map to Kubernetes groups through kube-system/identity-mappings (as EKS's aws-auth).
    await c.kubectl.ok(['create', 'configmap', 'identity-mappings', '-n', 'kube-system', '--from-literal=mapGroups=- {externalGroup: "oidc:platform", groups: [platform-admins]}']);
    const mapped = await whoami(token);
    assert.deepEqual(mapped.user?.groups, ['oidc:platform', 'oidc:oncall', 'platform-admins', 'system:authenticated']);
    const wrongAudience = await new SignJWT({ email: 'ann@example.com' }).setProtectedHeader({ alg: 'HS256' }).setIssuer(issuer.url).sign(new Uint8Array(32));
    assert.notEqual((await whoami(wrongAudience)).code, 0);
  });

  it('a client CSR stays Pending until approved through the approval subresource, then the signer issues it', async () => {
    const { csr } = await createClientCsr('jane', ['devs']);
    const manifest = JSON.stringify({
      apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'jane-client' },
      spec: { request: Buffer.from(csr).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'], username: 'forged' },
    });
    // Client-side validation needs certificates.k8s.io in the OpenAPI schemas, which are not generated yet.
    await c.kubectl.ok(['create', '--validate=false', '-f', '-'], { input: manifest });
    const get = () => c.kubectl.ok(['get', 'csr', 'jane-client', '-o', 'json']).then((o) => JSON.parse(o) as { spec: { username: string }; status?: { certificate?: string } });
    assert.equal((await get()).spec.username, 'skiff-admin', 'the requester comes from authentication, not the body');
    assert.match(await c.kubectl.ok(['get', 'csr', 'jane-client', '--no-headers']), /\sPending$/m);
    // `kubectl certificate approve` speaks protobuf, which has no CSR tables yet: PUT approval as JSON.
    const current = JSON.parse(await c.kubectl.ok(['get', 'csr', 'jane-client', '-o', 'json'])) as { status?: { conditions?: unknown[] } };
    current.status = { conditions: [{ type: 'Approved', status: 'True', reason: 'KubectlApprove', message: 'approved in test' }] };
    await c.kubectl.ok(['replace', '--raw', '/apis/certificates.k8s.io/v1/certificatesigningrequests/jane-client/approval', '-f', '-'], { input: JSON.stringify(current) });
    const issued = await eventually(async () => (await get()).status?.certificate, 10_000, 'certificate issued');
    const cert = new x509.X509Certificate(Buffer.from(issued, 'base64').toString());
    assert.equal(cert.subject, 'O=devs, CN=jane');
    assert.match(await c.kubectl.ok(['get', 'csr', 'jane-client', '--no-headers']), /\sApproved,Issued$/m);
  });

  it('skiff agent --server URL --token joins as a node with its own issued certificate, reused after restart', async () => {
    const token = (await readFile(join(c.dataDir, 'token'), 'utf8')).trim();
    assert.match(token, /^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    const agentDir = join(dir, 'agent');
    let child: ChildProcess | undefined;
    let output = '';
    const startAgent = (t: string) => {
      child = spawn(skiff, ['agent', '--runtime', 'sim', '--name', 'joined-1', '--server', c.server.url, '--token', t, '--data-dir', agentDir, '--lease-renew-interval', '300', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout!.on('data', (d) => (output += d));
      child.stderr!.on('data', (d) => (output += d));
    };
    const stopAgent = async () => {
      const ch = child;
      if (!ch || ch.exitCode !== null) return;
      const exited = new Promise<number | null>((r) => ch.once('exit', (code) => r(code)));
      process.kill(ch.pid!, 'SIGTERM');
      const timer = setTimeout(() => ch.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    };
    const renewTime = async () => (await c.kubectl(['get', 'lease', 'joined-1', '-n', 'kube-node-lease', '-o', 'jsonpath={.spec.renewTime}'])).stdout;
    try {
      startAgent(token);
      await eventually(async () => /joined-1\s+Ready\s/.test(await c.kubectl.ok(['get', 'nodes'])), 45_000, 'node joined-1 Ready');
      const csrs = await c.kubectl.ok(['get', 'csr', '--no-headers']);
      assert.match(csrs, /^node-csr-\S+\s+\S+\s+kubernetes\.io\/kube-apiserver-client-kubelet\s+system:bootstrap:[a-z0-9]{6}\s+<none>\s+Approved,Issued$/m);
      const cert = new x509.X509Certificate(await readFile(join(agentDir, 'pki', 'kubelet-client.crt'), 'utf8'));
      assert.equal(cert.subject, 'O=system:nodes, CN=system:node:joined-1');
      assert.equal(cert.issuer, new x509.X509Certificate(c.server.pki.ca.cert).subject);
      await stopAgent();
      // Restarted with a token that could not join: it runs on its saved certificate.
      const before = await renewTime();
      startAgent('aaaaaa.bbbbbbbbbbbbbbbb');
      await eventually(async () => (await renewTime()) !== before, 30_000, 'lease renewed after restart');
      assert.equal(child!.exitCode, null);
      assert.equal((await c.kubectl.ok(['get', 'csr', '--no-headers'])).match(/^node-csr-/gm)?.length, 1, 'no second CSR');
    } catch (err) {
      throw new Error(`${(err as Error).message}\nagent output:\n${output}`);
    } finally {
      await stopAgent();
    }
  });
});
