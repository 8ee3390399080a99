/**
 * @module Ingress metrics on a prom-client registry the caller owns (merged into the server's
 * /metrics later): requests by Ingress, Service and status code, and latency.
 */
import { Counter, Histogram, Registry } from 'prom-client';

export class IngressMetrics {
  readonly requests: Counter<'ingress' | 'service' | 'code'>;
  readonly latency: Histogram<'ingress' | 'service'>;

  constructor(readonly registry: Registry = new Registry()) {
    this.requests = new Counter({ name: 'skiff_ingress_requests_total', help: 'Requests served by the ingress controller.', labelNames: ['ingress', 'service', 'code'], registers: [registry] });
    this.latency = new Histogram({
      name: 'skiff_ingress_request_duration_seconds',
      help: 'Time from request to the end of the response through the ingress controller.',
      labelNames: ['ingress', 'service'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
  }

  observe(ingress: string, service: string, code: number, seconds: number): void {
    this.requests.inc({ ingress, service, code: String(code) });
    this.latency.observe({ ingress, service }, seconds);
  }
}
