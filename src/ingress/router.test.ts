import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Ingress } from 'kubernetes-types/networking/v1.js';
import type { KubeObject } from '../api/object.ts';
import { RouteTable } from './router.ts';
import { hostMatches, pathMatches, requestHost, requestPath } from './paths.ts';
import { canaryPolicy, cookieLookup, routeToCanary } from './canary.ts';

type Ing = Ingress & KubeObject;
const be = (service: string, number = 80) => ({ service: { name: service, port: { number } } });
const ing = (name: string, spec: Ingress['spec'], annotations: Record<string, string> = {}, created = '2024-01-01T00:00:00Z'): Ing => ({
  metadata: { name, namespace: 'default', annotations, creationTimestamp: created }, spec,
});
const svc = (t: RouteTable, host: string, path: string) => t.match(host, path)?.backend?.service;

describe('path matching', () => {
  it('Prefix is element-wise and ignores a trailing slash; Exact is exact', () => {
    assert.ok(pathMatches('Prefix', '/foo', '/foo'));
    assert.ok(pathMatches('Prefix', '/foo', '/foo/bar'));
    assert.ok(!pathMatches('Prefix', '/foo', '/foobar'));
    assert.ok(pathMatches('Prefix', '/foo/', '/foo'));
    assert.ok(pathMatches('Prefix', '/', '/anything'));
    assert.ok(pathMatches('Exact', '/foo', '/foo'));
    assert.ok(!pathMatches('Exact', '/foo', '/foo/'));
  });
  it('hosts: wildcards match one label; Host headers lose port and case', () => {
    assert.ok(hostMatches('*.example.com', 'a.example.com'));
    assert.ok(!hostMatches('*.example.com', 'a.b.example.com'));
    assert.ok(!hostMatches('*.example.com', 'example.com'));
    assert.equal(requestHost('Foo.Example.com:8080'), 'foo.example.com');
    assert.equal(requestPath('/a/b?x=1'), '/a/b');
  });
});

describe('RouteTable', () => {
  it('routes two hosts and two paths, longest match first, Exact before Prefix', () => {
    const t = new RouteTable([
      ing('a', { rules: [{ host: 'a.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: be('a-root') }, { path: '/api', pathType: 'Prefix', backend: be('a-api') }] } }] }),
      ing('b', { rules: [{ host: 'b.test', http: { paths: [{ path: '/x', pathType: 'Prefix', backend: be('b-prefix') }, { path: '/x', pathType: 'Exact', backend: be('b-exact') }, { path: '/y', pathType: 'ImplementationSpecific', backend: be('b-y') }] } }] }),
    ]);
    assert.equal(svc(t, 'a.test', '/'), 'a-root');
    assert.equal(svc(t, 'a.test', '/api/v1'), 'a-api');
    assert.equal(svc(t, 'a.test', '/apiary'), 'a-root');
    assert.equal(svc(t, 'b.test', '/x'), 'b-exact');
    assert.equal(svc(t, 'b.test', '/x/1'), 'b-prefix');
    assert.equal(svc(t, 'b.test', '/y/z'), 'b-y');
    assert.equal(t.match('b.test', '/z'), undefined);
    assert.equal(t.match('c.test', '/'), undefined);
  });
  it('merges Ingresses per host (oldest wins a conflict), wildcards, catch-all host, default backend', () => {
    const t = new RouteTable([
      ing('new', { rules: [{ host: 'h.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: be('new') }, { path: '/n', pathType: 'Prefix', backend: be('n') }] } }] }, {}, '2024-02-01T00:00:00Z'),
      ing('old', { defaultBackend: be('fallback'), rules: [{ host: 'h.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: be('old') }] } }] }),
      ing('wild', { rules: [{ host: '*.w.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: be('wild') }] } }, { http: { paths: [{ path: '/any', pathType: 'Prefix', backend: be('any') }] } }] }),
    ]);
    assert.equal(svc(t, 'h.test', '/'), 'old');
    assert.equal(svc(t, 'h.test', '/n'), 'n');
    assert.equal(svc(t, 'x.w.test', '/q'), 'wild');
    assert.equal(svc(t, 'x.y.w.test', '/q'), 'fallback');
    assert.equal(svc(t, 'other', '/any/1'), 'any');
    assert.equal(svc(t, 'other', '/'), 'fallback');
  });
  it('attaches a canary to the main route of the same host and path, and maps TLS hosts', () => {
    const main = ing('main', { tls: [{ hosts: ['c.test', '*.t.test'], secretName: 'cert' }], rules: [{ host: 'c.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: be('stable') }] } }] });
    const canary = ing('canary', { rules: [{ host: 'c.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: be('next') }, { path: '/lonely', pathType: 'Prefix', backend: be('lonely') }] } }] }, { 'nginx.ingress.kubernetes.io/canary': 'true', 'nginx.ingress.kubernetes.io/canary-weight': '20' });
    const t = new RouteTable([canary, main]);
    const r = t.match('c.test', '/')!;
    assert.equal(r.backend?.service, 'stable');
    assert.equal(r.canary?.backend?.service, 'next');
    assert.equal(r.canary?.policy.weight, 20);
    assert.equal(svc(t, 'c.test', '/lonely'), 'stable', 'a canary never becomes a main route');
    assert.deepEqual(t.tlsFor('c.test'), { namespace: 'default', secretName: 'cert' });
    assert.deepEqual(t.tlsFor('a.t.test'), { namespace: 'default', secretName: 'cert' });
    assert.equal(t.tlsFor('d.test'), undefined);
  });
});

describe('canary', () => {
  const req = (headers: Record<string, string>, cookie = '') => ({ header: (n: string) => headers[n.toLowerCase()], cookie: cookieLookup(cookie) });
  it('header beats cookie beats weight', () => {
    const p = canaryPolicy({ 'nginx.ingress.kubernetes.io/canary-by-header': 'X-Canary', 'nginx.ingress.kubernetes.io/canary-by-cookie': 'c', 'nginx.ingress.kubernetes.io/canary-weight': '100' });
    assert.equal(routeToCanary(p, req({ 'x-canary': 'never' }, 'c=always')), false);
    assert.equal(routeToCanary(p, req({ 'x-canary': 'always' }, 'c=never')), true);
    assert.equal(routeToCanary(p, req({}, 'c=never')), false);
    assert.equal(routeToCanary(p, req({ 'x-canary': 'other' })), true, 'an unknown value falls through to the weight');
  });
  it('a header value must match exactly, else weight decides', () => {
    const p = canaryPolicy({ 'nginx.ingress.kubernetes.io/canary-by-header': 'x-v', 'nginx.ingress.kubernetes.io/canary-by-header-value': 'beta' });
    assert.equal(routeToCanary(p, req({ 'x-v': 'beta' })), true);
    assert.equal(routeToCanary(p, req({ 'x-v': 'always' })), false);
  });
  it('weight is a share of weight-total', () => {
    const p = canaryPolicy({ 'nginx.ingress.kubernetes.io/canary-weight': '20' });
    let n = 0;
    for (let i = 0; i < 100; i++) if (routeToCanary(p, req({}), () => i / 100)) n++;
    assert.equal(n, 20);
    const q = canaryPolicy({ 'nginx.ingress.kubernetes.io/canary-weight': '3', 'nginx.ingress.kubernetes.io/canary-weight-total': '10' });
    let m = 0;
    for (let i = 0; i < 10; i++) if (routeToCanary(q, req({}), () => i / 10)) m++;
    assert.equal(m, 3);
    assert.equal(routeToCanary(canaryPolicy({}), req({}), () => 0), false);
  });
});
