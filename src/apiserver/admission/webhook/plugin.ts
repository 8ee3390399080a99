/**
 * @module The MutatingAdmissionWebhook and ValidatingAdmissionWebhook plugins (upstream
 * admission/plugin/webhook/mutating and validating dispatchers): mutating webhooks run in
 * order, their JSONPatches applied, IfNeeded ones reinvoked once when a later webhook changed
 * the object; validating webhooks run in parallel. Failures follow failurePolicy. The
 * configurations come from memory (AdmissionConfigs, fed by a watch), so a request no webhook
 * matches reads nothing from storage.
 */
import type { MutatingWebhook, MutatingWebhookConfiguration, ValidatingWebhook, ValidatingWebhookConfiguration } from 'kubernetes-types/admissionregistration/v1.js';
import type { KubeObject } from '../../../api/object.ts';
import { StatusError, type StatusReason } from '../../../machinery/status.ts';
import type { AdmissionConfigs, ConfigResource } from '../config-cache.ts';
import type { AdmissionAttributes, AdmissionPlugin } from '../interface.ts';
import { callWebhook } from './call.ts';
import { shouldCall } from './match.ts';
import { applyWebhookPatch } from './patch.ts';
import { admissionRequest, type AdmissionResponse } from './review.ts';
import { isExemptResource } from './rules.ts';
import { ConfigReader, type ConfigLister, type StoreSource } from './source.ts';

export type ObserveWebhook = (labels: { name: string; type: 'admit' | 'validating'; operation: string; rejected: string }, seconds: number) => void;

type Hook = MutatingWebhook | ValidatingWebhook;
type Config = (MutatingWebhookConfiguration | ValidatingWebhookConfiguration) & KubeObject;

/**
 * The current webhooks: configurations sorted by name, webhooks in their listed order (as
 * upstream), flattened again only when a configuration changed.
 */
function hookList<T extends Hook>(configs: AdmissionConfigs, resource: ConfigResource): () => Promise<readonly T[]> {
  let from: readonly Config[] | undefined;
  let list: readonly T[] = [];
  return async () => {
    if (!configs.synced) await configs.ready;
    const cfgs = configs.current<Config>(resource);
    if (cfgs !== from) {
      from = cfgs;
      list = cfgs.flatMap((c) => (c.webhooks ?? []) as T[]);
    }
    return list;
  };
}

function denied(h: Hook, resp: AdmissionResponse): StatusError {
  const msg = resp.status?.message;
  const code = resp.status?.code && resp.status.code >= 400 ? resp.status.code : 403;
  const reason = (resp.status?.reason || (code === 403 ? 'Forbidden' : '')) as StatusReason;
  return new StatusError(code, reason, `admission webhook "${h.name}" denied the request${msg ? `: ${msg}` : ''}`);
}

/**
 * One call with failurePolicy applied: returns the response, or undefined when the webhook
 * was skipped or failed with Ignore. Throws the request's rejection.
 */
async function invoke(h: Hook, a: AdmissionAttributes, reader: ConfigLister, type: 'admit' | 'validating', observe?: ObserveWebhook): Promise<AdmissionResponse | undefined> {
  const ignore = h.failurePolicy === 'Ignore';
  try {
    if (!(await shouldCall(h, a, reader))) return undefined;
  } catch (e) {
    if (ignore) return undefined;
    throw e;
  }
  if (a.dryRun && h.sideEffects !== 'None' && h.sideEffects !== 'NoneOnDryRun')
    throw new StatusError(400, 'BadRequest', `admission webhook "${h.name}" does not support dry run`);
  const started = performance.now();
  let resp: AdmissionResponse;
  try {
    resp = await callWebhook(h.clientConfig, h.timeoutSeconds ?? 10, admissionRequest(a), reader);
  } catch (e) {
    observe?.({ name: h.name, type, operation: a.operation, rejected: 'true' }, (performance.now() - started) / 1000);
    if (ignore) return undefined;
    throw StatusError.internal(`failed calling webhook "${h.name}": failed to call webhook: ${(e as Error).message}`);
  }
  observe?.({ name: h.name, type, operation: a.operation, rejected: String(!resp.allowed) }, (performance.now() - started) / 1000);
  if (resp.warnings?.length) (a.warnings ??= []).push(...resp.warnings);
  if (!resp.allowed) throw denied(h, resp);
  return resp;
}

export function mutatingWebhookAdmission(server: StoreSource, configs: AdmissionConfigs, observe?: ObserveWebhook): AdmissionPlugin {
  return mutatingWebhooksFrom(configs, new ConfigReader(server), observe);
}

/** `reader` serves what a matching webhook needs: namespaces, and Services/EndpointSlices to call it. */
export function mutatingWebhooksFrom(configs: AdmissionConfigs, reader: ConfigLister, observe?: ObserveWebhook): AdmissionPlugin {
  const hooks = hookList<MutatingWebhook>(configs, 'mutatingwebhookconfigurations');
  return {
    name: 'MutatingAdmissionWebhook',
    async mutate(a) {
      if (isExemptResource(a)) return;
      const list = await hooks();
      if (!list.length) return;
      // After each IfNeeded webhook: the object it saw last; reinvoke when it later changed.
      const seen = new Map<MutatingWebhook, string>();
      const callOne = async (h: MutatingWebhook): Promise<void> => {
        const resp = await invoke(h, a, reader, 'admit', observe);
        if (resp?.patch && a.object) {
          if (resp.patchType && resp.patchType !== 'JSONPatch')
            throw StatusError.internal(`failed calling webhook "${h.name}": unsupported patch type "${resp.patchType}"`);
          try {
            applyWebhookPatch(a.object, resp.patch);
          } catch (e) {
            throw StatusError.internal(`failed calling webhook "${h.name}": ${(e as Error).message}`);
          }
        }
        if (h.reinvocationPolicy === 'IfNeeded' && resp) seen.set(h, JSON.stringify(a.object ?? null));
      };
      for (const h of list) await callOne(h);
      for (const [h, snapshot] of [...seen]) if (JSON.stringify(a.object ?? null) !== snapshot) await callOne(h);
    },
  };
}

export function validatingWebhookAdmission(server: StoreSource, configs: AdmissionConfigs, observe?: ObserveWebhook): AdmissionPlugin {
  return validatingWebhooksFrom(configs, new ConfigReader(server), observe);
}

export function validatingWebhooksFrom(configs: AdmissionConfigs, reader: ConfigLister, observe?: ObserveWebhook): AdmissionPlugin {
  const hooks = hookList<ValidatingWebhook>(configs, 'validatingwebhookconfigurations');
  return {
    name: 'ValidatingAdmissionWebhook',
    async validate(a) {
      if (isExemptResource(a)) return;
      const list = await hooks();
      if (!list.length) return;
      const results = await Promise.allSettled(list.map((h) => invoke(h, a, reader, 'validating', observe)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}
