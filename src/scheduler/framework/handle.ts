/**
 * @module What plugins that talk to the cluster get (upstream framework.Handle): the API
 * client, the event recorder, the snapshot, the nominated pods, the latest pod from the informer, the PDBs, and
 * the framework itself (preemption re-runs the filters).
 */
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { KubeObject } from '../../api/object.ts';
import type { InformerFactory } from '../../client/cache/factory.ts';
import type { EventRecorder } from '../../client/events/recorder.ts';
import type { Client } from '../../client/rest.ts';
import type { Logger } from '../../util/log.ts';
import type { Framework } from './framework.ts';
import type { Nominator } from './nominator.ts';
import type { PodObject } from './pod-info.ts';
import type { Snapshot } from './snapshot.ts';

export interface Handle {
  client: Client;
  recorder: EventRecorder;
  logger: Logger;
  snapshot: Snapshot;
  /** Set once the profile is built. */
  framework: Framework | undefined;
  /** Pods nominated to nodes by preemption and not yet bound. */
  nominator: Nominator;
  /** Sends pending pods back to the active queue (their situation changed). */
  requeue?(keys: readonly string[]): void;
  getPod(namespace: string, name: string): PodObject | undefined;
  pdbs(): readonly (PodDisruptionBudget & KubeObject)[];
  /** The scheduler's shared informers (VolumeBinding/VolumeRestrictions read claims, volumes, classes). */
  informers?: InformerFactory;
}
