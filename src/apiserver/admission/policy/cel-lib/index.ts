/**
 * @module The Kubernetes CEL libraries admission expressions get (upstream
 * apiserver/pkg/cel/library): quantity, lists, regex, URLs, IP, CIDR, format and authz,
 * registered on one cel-js Environment.
 */
import type { Environment } from '@marcbachmann/cel-js';
import { registerAuthz } from './authz.ts';
import { registerCIDR } from './cidr.ts';
import { registerFormat } from './format.ts';
import { registerIP } from './ip.ts';
import { registerLists } from './lists.ts';
import { registerQuantity } from './quantity.ts';
import { registerRegex } from './regex.ts';
import { registerURLs } from './urls.ts';

export function registerKubernetesLibraries(env: Environment): Environment {
  registerQuantity(env);
  registerLists(env);
  registerRegex(env);
  registerURLs(env);
  registerIP(env);
  registerCIDR(env);
  registerFormat(env);
  registerAuthz(env);
  return env;
}
