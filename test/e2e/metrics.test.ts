/**
 * Acceptance for Prometheus metrics on `skiff server --sim-nodes 2 --disable-agent` (memory
 * store, DNS on a free port): after a Deployment rolls out and one DNS query, `kubectl get
 * --raw /metrics` as admin parses as Prometheus text format and shows the API server's,
 * the store's, the work queues', the scheduler's and DNS's series; a user bound to nothing
 * gets 403 and the `system:monitoring` group is allowed. With the process agent on, the
 * kubelet's series appear there too and on the kubelet endpoint's own `/metrics`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Resolver } from 'node:dns/promises';
import { request } from 'node:https';
import { eventually, haveKubectl } from '../support/kubectl.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

const name = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const labelValue = '"(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const labels = `\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=${labelValue}(?:,[a-zA-Z_][a-zA-Z0-9_]*=${labelValue})*,?)?\\}`;
const value = '(?:[+-]?(?:\\d+\\.?\\d*(?:[eE][+-]?\\d+)?|\\.\\d+(?:[eE][+-]?\\d+)?)|NaN|[+-]Inf)';
const sampleLine = new RegExp(`^(${name})(${labels})? ${value}(?: -?\\d+)?$`);
const typeLine = new RegExp(`^# TYPE (${name}) (counter|gauge|histogram|summary|untyped)$`);
const helpLine = new RegExp(`^# HELP (${name})(?: .*)?$`);

/** Strict line check of the text exposition format; returns the sample lines. */
function parsePrometheusText(text: string): string[] {
  const types = new Map<string, string>();
  const samples: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (line === '') return;
    const t = typeLine.exec(line);
    if (t) {
      assert.ok(!types.has(t[1]!), `line ${i + 1}: second TYPE for ${t[1]}`);
      types.set(t[1]!, t[2]!);
      return;
    }
    if (helpLine.test(line)) return;
    const s = sampleLine.exec(line);
    assert.ok(s, `line ${i + 1} is not valid Prometheus text format: ${JSON.stringify(line)}`);
    const metric = s[1]!;
    const family = [metric, metric.replace(/_(bucket|sum|count)$/, '')].find((f) => types.has(f));
    assert.ok(family, `line ${i + 1}: sample ${metric} has no TYPE`);
    if (metric.endsWith('_bucket')) assert.match(s[2] ?? '', /le="/, `line ${i + 1}: bucket without le`);
    samples.push(line);
  });
  return samples;
}

const hasSeries = (samples: string[], re: RegExp, what: string) => assert.ok(samples.some((l) => re.test(l)), `no ${what} in /metrics`);

describe('metrics e2e', { skip: !haveKubectl && 'kubectl not installed' }, () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startCluster({ datastore: 'memory', simNodes: 2, server: { dnsPort: 0 } });
  });
  after(async () => {
    await cluster?.stop();
  });

  it('serves every component\'s series from the API server\'s /metrics', async () => {
    const k = cluster.kubectl;
    await k.ok(['create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=2']);
    await eventually(async () => (await k.ok(['get', 'deployment', 'web', '-o', 'jsonpath={.status.availableReplicas}'])) === '2', 20_000, 'deployment available');

    const port = cluster.server.dns.port;
    assert.ok(port, 'DNS is on (--dns-port 0 picks a free port)');
    {
      const r = new Resolver();
      r.setServers([`127.0.0.1:${port}`]);
      assert.deepEqual(await r.resolve4('kubernetes.default.svc.cluster.local'), ['10.43.0.1']);
    }

    const samples = parsePrometheusText(await k.ok(['get', '--raw', '/metrics']));
    hasSeries(samples, /^apiserver_request_total\{verb="LIST",.*resource="pods".*code="200"\} [1-9]/, 'apiserver_request_total{verb,resource,code}');
    hasSeries(samples, /^apiserver_request_duration_seconds_bucket\{/, 'apiserver_request_duration_seconds');
    hasSeries(samples, /^apiserver_longrunning_requests\{verb="WATCH",.*resource="pods".*\} [1-9]/, 'apiserver_longrunning_requests for pod watches');
    hasSeries(samples, /^apiserver_registered_watchers\{.*kind="Pod"\} [1-9]/, 'apiserver_registered_watchers{kind="Pod"}');
    hasSeries(samples, /^etcd_request_duration_seconds_count\{operation="create",type="pods"\} [1-9]/, 'etcd_request_duration_seconds for pod creates');
    hasSeries(samples, /^apiserver_storage_objects\{resource="deployments.apps"\} 1$/, 'apiserver_storage_objects for the deployment');
    hasSeries(samples, /^apiserver_storage_objects\{resource="replicasets.apps"\} 1$/, 'apiserver_storage_objects for its replicaset');
    for (const q of ['replicaset', 'deployment'])
      hasSeries(samples, new RegExp(`^workqueue_adds_total\\{name="${q}"\\} [1-9]`), `workqueue_adds_total{name="${q}"}`);
    hasSeries(samples, /^workqueue_depth\{name="replicaset"\} \d/, 'workqueue_depth{name="replicaset"}');
    hasSeries(samples, /^workqueue_work_duration_seconds_count\{name="replicaset"\} [1-9]/, 'workqueue_work_duration_seconds');
    hasSeries(samples, /^workqueue_queue_duration_seconds_count\{name="deployment"\} [1-9]/, 'workqueue_queue_duration_seconds');
    hasSeries(samples, /^workqueue_unfinished_work_seconds\{name="replicaset"\} /, 'workqueue_unfinished_work_seconds');
    hasSeries(samples, /^workqueue_longest_running_processor_seconds\{name="replicaset"\} /, 'workqueue_longest_running_processor_seconds');
    hasSeries(samples, /^leader_election_master_status\{name="kube-controller-manager"\} 1$/, 'leader_election_master_status');
    hasSeries(samples, /^scheduler_schedule_attempts_total\{result="scheduled",profile="default-scheduler"\} [2-9]/, 'scheduler_schedule_attempts_total');
    hasSeries(samples, /^scheduler_scheduling_attempt_duration_seconds_count\{result="scheduled",profile="default-scheduler"\} [2-9]/, 'scheduler_scheduling_attempt_duration_seconds');
    hasSeries(samples, /^scheduler_pod_scheduling_sli_duration_seconds_count\{attempts="1"\} [2-9]/, 'scheduler_pod_scheduling_sli_duration_seconds');
    hasSeries(samples, /^scheduler_pending_pods\{queue="active"\} 0$/, 'scheduler_pending_pods{queue="active"}');
    {
      hasSeries(samples, /^coredns_dns_requests_total\{server="dns:\/\/[^"]+",zone="\.",view="",proto="udp",family="1",type="A"\} [1-9]/, 'coredns_dns_requests_total');
      hasSeries(samples, /^coredns_dns_responses_total\{.*rcode="NOERROR".*\} [1-9]/, 'coredns_dns_responses_total');
      hasSeries(samples, /^coredns_dns_request_duration_seconds_count\{.*type="A"\} [1-9]/, 'coredns_dns_request_duration_seconds');
    }
  });

  it('authorizes /metrics by RBAC nonResourceURLs', async () => {
    const k = cluster.kubectl;
    const denied = await k(['get', '--raw', '/metrics', '--as=nobody']);
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /Forbidden|forbidden/);
    const mon = await k.ok(['get', '--raw', '/metrics', '--as=prometheus', '--as-group=system:monitoring']);
    assert.match(mon, /^# TYPE apiserver_request_total counter$/m);
  });
});

/** GET on the kubelet endpoint with the API server's kubelet-client certificate (or none). */
function kubeletGet(port: number, path: string, tls: { cert?: string; key?: string; ca: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('metrics e2e with the process agent', { skip: !haveKubectl && 'kubectl not installed' }, () => {
  const node = 'metrics-node';
  let cluster: TestCluster;
  before(async () => {
    cluster = await startCluster({ datastore: 'memory', server: { disableAgent: false, runtime: 'process', nodeName: node }, agentOptions: { resyncMs: 1000, relistMs: 250 } });
    await eventually(async () => (await cluster.kubectl(['get', 'node', node, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'])).stdout === 'True', 20_000, 'node Ready');
  });
  after(async () => {
    await cluster?.stop();
  });

  it('reports pod start latency and running pods, on the server and on the kubelet endpoint', async () => {
    const k = cluster.kubectl;
    await k.ok(['run', 'sleeper', '--image=busybox', '--restart=Never', '--command', '--', 'sleep', '3600']);
    await k.ok(['wait', '--for=condition=Ready', 'pod/sleeper', '--timeout=20s']);
    const samples = parsePrometheusText(await k.ok(['get', '--raw', '/metrics']));
    hasSeries(samples, /^kubelet_pod_start_duration_seconds_count [1-9]/, 'kubelet_pod_start_duration_seconds');
    hasSeries(samples, /^kubelet_pod_start_total_duration_seconds_count [1-9]/, 'kubelet_pod_start_total_duration_seconds');
    hasSeries(samples, /^kubelet_pod_worker_duration_seconds_count\{operation="create"\} [1-9]/, 'kubelet_pod_worker_duration_seconds{operation="create"}');
    hasSeries(samples, /^kubelet_running_pods [1-9]/, 'kubelet_running_pods');
    hasSeries(samples, /^kubelet_running_containers\{container_state="running"\} [1-9]/, 'kubelet_running_containers{container_state="running"}');

    const port = Number(await k.ok(['get', 'node', node, '-o', 'jsonpath={.status.daemonEndpoints.kubeletEndpoint.Port}']));
    assert.ok(port > 0, 'kubelet endpoint port');
    const pki = cluster.server.pki;
    const own = await kubeletGet(port, '/metrics', { cert: pki.kubeletClient.cert, key: pki.kubeletClient.key, ca: pki.ca.cert });
    assert.equal(own.status, 200);
    assert.ok(parsePrometheusText(own.body).some((l) => /^kubelet_pod_start_duration_seconds_count [1-9]/.test(l)));
    const anonymous = await kubeletGet(port, '/metrics', { ca: pki.ca.cert });
    assert.equal(anonymous.status, 401, 'the kubelet endpoint authenticates /metrics like its other paths');
    await k.ok(['delete', 'pod', 'sleeper', '--grace-period=0', '--force']);
  });
});
