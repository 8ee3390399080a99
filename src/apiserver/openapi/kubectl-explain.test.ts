/**
 * @module Proves the OpenAPI v3 documents against the real kubectl: a throwaway HTTP server
 * serves `/version`, legacy discovery, `/openapi/v3` (404 for v2) and a recording create
 * endpoint that applies server-side field validation; then `kubectl explain` must print the
 * field docs and `kubectl create -f` must send `fieldValidation=Strict` (and show our error).
 * Skips when /usr/bin/kubectl is missing.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Discovery } from '../discovery.ts';
import { builtinResources } from '../../machinery/resources.ts';
import { StatusError } from '../../machinery/status.ts';
import { cannotBeHandledMessage, unknownFieldMessage, unknownFields } from './unknown-fields.ts';
import { openApiV3Document, openApiV3Index } from './v3.ts';

const KUBECTL = '/usr/bin/kubectl';
const skip = existsSync(KUBECTL) ? false : `${KUBECTL} not found; this test needs the real kubectl`;
if (skip) console.log(`# skipping kubectl explain tests: ${skip}`);

interface Recorded {
  method: string;
  url: string;
}
const requests: Recorded[] = [];
let base = '';
let home = '';
const server = createServer((req, res) => void handle(req, res));
const discovery = new Discovery(builtinResources, () => base.replace(/^http:\/\//, ''));

function send(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(code, { 'Content-Type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', base);
  const path = url.pathname;
  requests.push({ method: req.method ?? '', url: req.url ?? '' });
  if (path === '/version') {
    return send(res, 200, { major: '1', minor: '32', gitVersion: 'v1.32.0', platform: 'linux/amd64' });
  }
  if (path === '/api') return send(res, 200, discovery.apiVersions());
  if (path === '/apis') return send(res, 200, discovery.apiGroupList());
  const gv = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(path);
  if (gv) {
    const list = gv[1] ? discovery.resourceList('', gv[1]) : discovery.resourceList(gv[2]!, gv[3]!);
    if (list) return send(res, 200, list);
  }
  if (path === '/openapi/v3') return send(res, 200, openApiV3Index(builtinResources));
  if (path.startsWith('/openapi/v3/')) {
    const doc = openApiV3Document(builtinResources, path.slice('/openapi/v3/'.length));
    if (doc) return send(res, 200, doc.json, { ETag: `"${doc.hash}"` });
  }
  const create = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments$/.exec(path);
  if (create && req.method === 'POST') {
    const body = JSON.parse(await readBody(req)) as Record<string, unknown>;
    const gvk = { group: 'apps', version: 'v1', kind: 'Deployment' };
    const unknown = unknownFields(body, gvk);
    const mode = url.searchParams.get('fieldValidation');
    if (unknown.length && mode === 'Strict') {
      return send(res, 400, StatusError.badRequest(cannotBeHandledMessage(gvk, unknown)).toStatus());
    }
    const warnings = mode === 'Warn' ? unknown.map((p) => `299 - ${JSON.stringify(unknownFieldMessage(p))}`) : [];
    res.setHeader('Warning', warnings);
    return send(res, 201, body);
  }
  send(res, 404, StatusError.pathNotFound().toStatus());
}

function kubectl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      KUBECTL,
      ['--server', base, ...args],
      { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

before(async () => {
  if (skip) return;
  home = mkdtempSync(join(tmpdir(), 'skiff-kubectl-'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  if (skip) return;
  server.close();
  rmSync(home, { recursive: true, force: true });
});

const manifest = (extra: string): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27${extra}
`;

test('kubectl explain deployment.spec.strategy prints the field docs', { skip }, async () => {
  const r = await kubectl('explain', 'deployment.spec.strategy');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /GROUP:\s+apps/);
  assert.match(r.stdout, /KIND:\s+Deployment/);
  assert.match(r.stdout, /FIELD: strategy <DeploymentStrategy>/);
  assert.match(r.stdout, /The deployment strategy to use to replace existing pods with new ones\./);
  assert.match(r.stdout, /rollingUpdate\s+<RollingUpdateDeployment>/);
  assert.ok(requests.some((q) => q.url.startsWith('/openapi/v3/apis/apps/v1?hash=')), 'fetched the apps/v1 document by hash');
});

test('kubectl explain pods.spec.containers --recursive lists nested fields', { skip }, async () => {
  const r = await kubectl('explain', 'pods.spec.containers', '--recursive');
  assert.equal(r.code, 0, r.stderr);
  const head = r.stdout.split('\n').slice(0, 40).join('\n');
  assert.match(head, /KIND:\s+Pod/);
  assert.match(head, /FIELD: containers <\[\]Container>/);
  assert.match(r.stdout, /\n  image\t<string>/);
  assert.match(r.stdout, /\n  name\t<string> -required-/);
  assert.match(r.stdout, /\n    limits\t<map\[string\]Quantity>/);
  assert.match(r.stdout, /\n      port\t<IntOrString> -required-/);
});

test('kubectl create -f sends fieldValidation=Strict and needs no client-side schema', { skip }, async () => {
  const file = join(home, 'deploy.yaml');
  writeFileSync(file, manifest(''));
  const r = await kubectl('create', '-f', file);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /deployment.apps\/web created/);
  const post = requests.find((q) => q.method === 'POST');
  assert.ok(post, 'a POST was sent');
  const q = new URL(post.url, base).searchParams;
  assert.equal(q.get('fieldValidation'), 'Strict');
  assert.ok(!requests.some((x) => x.url.startsWith('/openapi/v2')), 'v3 sufficed: no fallback to v2');
});

test('a typo fails server-side with the upstream message; --validate=warn only warns', { skip }, async () => {
  const file = join(home, 'typo.yaml');
  writeFileSync(file, manifest('\n        imagePullPolicyy: Always'));
  const strict = await kubectl('create', '-f', file);
  assert.notEqual(strict.code, 0);
  assert.match(
    strict.stderr,
    /Error from server \(BadRequest\): error when creating ".*typo\.yaml": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec\.template\.spec\.containers\[0\]\.imagePullPolicyy"/,
  );
  const warn = await kubectl('create', '--validate=warn', '-f', file);
  assert.equal(warn.code, 0, warn.stderr);
  assert.match(warn.stderr, /Warning: unknown field "spec\.template\.spec\.containers\[0\]\.imagePullPolicyy"/);
});
