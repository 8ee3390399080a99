/**
 * @module The node half of local-path deletion (contract in docs/storage-volumes.md): the
 * provisioner lists a deleted volume's directory in this node's annotation
 * `local-path.skiff.dev/cleanup` (a JSON array of absolute paths); the kubelet removes each
 * directory and then drops it from the list (update with resourceVersion; a conflict waits for
 * the next round). Only directories named as the provisioner names them
 * (`pvc-<uid>_<namespace>_<claim>`) are removed, so a bad annotation cannot delete anything else.
 */
import { rm } from 'node:fs/promises';
import { basename, isAbsolute, normalize } from 'node:path';
import type { Node } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { refs } from '../../client/refs.ts';
import type { Client } from '../../client/rest.ts';
import { isConflict } from '../../machinery/status.ts';
import { annLocalPathCleanup, parseLocalPathCleanup } from '../../api/local-path.ts';

const dirName = /^pvc-[0-9a-f-]{36}_[a-z0-9]([-a-z0-9]*[a-z0-9])?_[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/;

/** Whether a listed path is one the provisioner could have created. */
export const removable = (p: string): boolean => isAbsolute(p) && normalize(p) === p && dirName.test(basename(p));

/** One round: removes the listed directories and clears them from the annotation. */
export async function cleanLocalPaths(client: Client, nodeName: string): Promise<string[]> {
  const nodes = client.resource<Node & KubeObject>(refs.nodes);
  const node = await nodes.get(nodeName);
  const list = parseLocalPathCleanup(node.metadata?.annotations?.[annLocalPathCleanup]);
  if (list.length === 0) return [];
  const done: string[] = [];
  for (const p of list) {
    // A path this kubelet will never remove is dropped too, or it would stay listed for ever.
    if (removable(p)) await rm(p, { recursive: true, force: true });
    done.push(p);
  }
  const annotations = { ...node.metadata?.annotations };
  const left = list.filter((p) => !done.includes(p));
  if (left.length) annotations[annLocalPathCleanup] = JSON.stringify(left);
  else delete annotations[annLocalPathCleanup];
  try {
    await nodes.update({ ...node, metadata: { ...node.metadata, annotations } });
  } catch (err) {
    // The provisioner appended meanwhile: the next round sees both (rm is idempotent).
    if (!isConflict(err)) throw err;
  }
  return done;
}
