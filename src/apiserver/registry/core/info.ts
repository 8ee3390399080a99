/**
 * @module Looks up a core/v1 resource in the built-in table (every core strategy's `info`).
 */
import { builtinResources, findResource, type ResourceInfo } from '../../../machinery/resources.ts';

export function coreInfo(resource: string): ResourceInfo {
  const info = findResource(builtinResources, '', 'v1', resource);
  if (!info) throw new Error(`core/v1 ${resource} is not in the resource table`);
  return info;
}
