/**
 * @module Audit events for the request pipeline (upstream's WithAudit filter): one
 * `AuditRequest` per request, started when it arrives, told who the user is and what
 * authorization decided, and finished with the response — RequestReceived, then
 * ResponseComplete (a watch: ResponseStarted when its stream starts, ResponseComplete when it
 * ends), each an `audit.k8s.io/v1` Event at the level the policy gives.
 */
import { randomUUID } from 'node:crypto';
import type { ApiRequest, ApiResponse, UserInfo } from '../types.ts';
import type { RequestInfo } from '../request-info.ts';
import { decodeObject } from '../http/body.ts';
import { evaluatePolicy, type Level, type Policy, type Stage } from './policy.ts';

/** Where events go (the log file backend, or a test's array). */
export interface AuditSink {
  write(event: object): void;
}

const decoder = new TextDecoder();

/** metav1.MicroTime: RFC3339 with microseconds. */
function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** A body as logged: JSON as is (patches too), YAML and protobuf decoded; else left out. */
function jsonOf(body: Uint8Array | undefined, contentType: string | undefined): unknown {
  if (!body?.length) return undefined;
  try {
    if (!contentType || contentType.includes('json')) return JSON.parse(decoder.decode(body));
    return decodeObject(contentType, body);
  } catch {
    return undefined;
  }
}

/** Upstream: X-Forwarded-For entries, then X-Real-Ip (the socket address is not in ApiRequest). */
function sourceIPs(req: ApiRequest): string[] {
  const out = (req.headers['x-forwarded-for'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const real = req.headers['x-real-ip']?.trim();
  if (real && !out.includes(real)) out.push(real);
  return out;
}

/** The annotations of each audited request's event, for admission to add to. */
const requestAnnotations = new WeakMap<ApiRequest, Record<string, string>>();

/** `{ auditAnnotations }` for a write's options when the request is audited, else nothing. */
export function auditAnnotationsOption(req: ApiRequest): { auditAnnotations?: Record<string, string> } {
  const a = requestAnnotations.get(req);
  return a ? { auditAnnotations: a } : {};
}

export class Auditor {
  constructor(
    private readonly policy: Policy,
    private readonly sink: AuditSink,
    private readonly now: () => Date = () => new Date(),
  ) {}

  begin(req: ApiRequest, info: RequestInfo): AuditRequest {
    return new AuditRequest(this.policy, this.sink, this.now, req, info);
  }
}

export class AuditRequest {
  readonly auditID = randomUUID();
  private readonly received: Date;
  private user: UserInfo | undefined;
  private level: Level | undefined;
  private omit: Stage[] = [];
  private readonly annotations: Record<string, string> = {};

  constructor(
    private readonly policy: Policy,
    private readonly sink: AuditSink,
    private readonly now: () => Date,
    private readonly req: ApiRequest,
    private readonly info: RequestInfo,
  ) {
    this.received = now();
    requestAnnotations.set(req, this.annotations);
  }

  /** After authentication: the policy is evaluated for this user and RequestReceived logged. */
  setUser(user: UserInfo): void {
    this.user = user;
    this.decide();
  }

  /** Authorization's decision, as upstream's annotations. */
  setAuthorization(allowed: boolean, reason: string | undefined): void {
    this.annotations['authorization.k8s.io/decision'] = allowed ? 'allow' : 'forbid';
    this.annotations['authorization.k8s.io/reason'] = reason ?? '';
  }

  /** Logs the response (for a stream: when it starts and when it ends); returns it with `Audit-Id`. */
  finish(res: ApiResponse): ApiResponse {
    this.decide();
    const out: ApiResponse = { ...res, headers: { ...res.headers, 'audit-id': this.auditID } };
    if (this.level === 'None') return out;
    if (res.body instanceof Uint8Array) {
      this.emit('ResponseComplete', res, res.body);
      return out;
    }
    this.emit('ResponseStarted', res, undefined);
    const body = res.body;
    const done = (): void => this.emit('ResponseComplete', res, undefined);
    out.body = (async function* () {
      try {
        yield* body;
      } finally {
        done();
      }
    })();
    return out;
  }

  private decide(): void {
    if (this.level !== undefined) return;
    const i = this.info;
    const r = i.isResourceRequest ? i : undefined;
    const d = evaluatePolicy(this.policy, {
      user: this.user,
      verb: i.verb,
      isResourceRequest: i.isResourceRequest,
      path: i.path,
      group: r?.group ?? '',
      namespace: r?.namespace ?? '',
      resource: r?.resource ?? '',
      subresource: r?.subresource ?? '',
      name: r?.name ?? '',
    });
    this.level = d.level;
    this.omit = d.omitStages;
    if (d.level !== 'None') this.emit('RequestReceived', undefined, undefined);
  }

  private emit(stage: Stage, res: ApiResponse | undefined, resBody: Uint8Array | undefined): void {
    if (this.omit.includes(stage) || !this.level || this.level === 'None') return;
    const level = this.level;
    const i = this.info;
    const withRequest = level === 'Request' || level === 'RequestResponse';
    const requestObject = withRequest ? jsonOf(this.req.body, this.req.headers['content-type']) : undefined;
    const event: Record<string, unknown> = {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level,
      auditID: this.auditID,
      stage,
      requestURI: this.req.query.size ? `${this.req.path}?${this.req.query.toString()}` : this.req.path,
      verb: i.verb,
      user: this.user ? { username: this.user.username, ...(this.user.uid ? { uid: this.user.uid } : {}), groups: this.user.groups, ...(this.user.extra ? { extra: this.user.extra } : {}) } : { username: 'system:anonymous', groups: ['system:unauthenticated'] },
      sourceIPs: sourceIPs(this.req),
      ...(this.req.headers['user-agent'] ? { userAgent: this.req.headers['user-agent'] } : {}),
    };
    if (i.isResourceRequest) {
      // As upstream's LogRequestObject, at any level: a create names its object in the body.
      const body = requestObject ?? (!i.name && i.verb === 'create' ? jsonOf(this.req.body, this.req.headers['content-type']) : undefined);
      const named = (body as { metadata?: { name?: string } } | undefined)?.metadata?.name;
      event.objectRef = {
        resource: i.resource,
        ...(i.namespace ? { namespace: i.namespace } : {}),
        ...(i.name || named ? { name: i.name || named } : {}),
        apiGroup: i.group,
        apiVersion: i.version,
        ...(i.subresource ? { subresource: i.subresource } : {}),
      };
    }
    if (res) event.responseStatus = this.responseStatus(res, resBody);
    if (requestObject !== undefined) event.requestObject = requestObject;
    if (level === 'RequestResponse' && resBody) {
      const o = jsonOf(resBody, res?.headers['content-type']);
      if (o !== undefined) event.responseObject = o;
    }
    event.requestReceivedTimestamp = microTime(this.received);
    event.stageTimestamp = microTime(this.now());
    if (Object.keys(this.annotations).length) event.annotations = { ...this.annotations };
    this.sink.write(event);
  }

  /** Upstream: the code for success; a Status's status, reason and message for a failure. */
  private responseStatus(res: ApiResponse, body: Uint8Array | undefined): Record<string, unknown> {
    const out: Record<string, unknown> = { metadata: {}, code: res.status };
    if (res.status < 300) return out;
    const s = jsonOf(body, res.headers['content-type']) as { kind?: string; status?: string; reason?: string; message?: string } | undefined;
    if (s?.kind === 'Status') {
      if (s.status) out.status = s.status;
      if (s.message) out.message = s.message;
      if (s.reason) out.reason = s.reason;
    }
    return out;
  }
}
