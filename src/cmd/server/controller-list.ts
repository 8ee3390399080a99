/**
 * @module Every controller the controller manager runs, in start order. Adding a controller
 * means adding its entry here.
 */
import type { Controller, ControllerContext } from '../../controllers/framework/controller.ts';
import { NamespaceController } from '../../controllers/namespace.ts';
import { ReplicaSetController } from '../../controllers/replicaset.ts';
import { ReplicationControllerController } from '../../controllers/replicationcontroller.ts';
import { DeploymentController } from '../../controllers/deployment.ts';
import { DaemonSetController } from '../../controllers/daemonset.ts';
import { StatefulSetController } from '../../controllers/statefulset.ts';
import { JobController } from '../../controllers/job.ts';
import { CronJobController } from '../../controllers/cronjob.ts';
import { TTLAfterFinishedController } from '../../controllers/ttl-after-finished.ts';
import { GarbageCollector } from '../../controllers/garbage-collector.ts';
import { PodGarbageCollector } from '../../controllers/podgc.ts';
import { ServiceAccountController } from '../../controllers/serviceaccount.ts';
import { NodeLifecycleController } from '../../controllers/node-lifecycle.ts';
import { TaintEvictionController } from '../../controllers/node-lifecycle/taint-eviction.ts';
import { NodeIpamController } from '../../controllers/node-ipam.ts';
import { DisruptionController } from '../../controllers/disruption.ts';
import { CsrApprovingController } from '../../controllers/csr-approver.ts';
import { CsrSigningController } from '../../controllers/csr-signer.ts';
import { ServiceAccountTokenController } from '../../controllers/serviceaccount-token.ts';
import { RootCAPublisher } from '../../controllers/root-ca-publisher.ts';
import { ClusterRoleAggregationController } from '../../controllers/clusterrole-aggregation.ts';
import { EndpointsController } from '../../controllers/endpoints.ts';
import { EndpointSliceController } from '../../controllers/endpointslice.ts';
import { ResourceQuotaController } from '../../controllers/resourcequota.ts';
import { PersistentVolumeController } from '../../controllers/persistentvolume.ts';
import { PvcProtectionController } from '../../controllers/pvc-protection.ts';
import { PvProtectionController } from '../../controllers/pv-protection.ts';
import { LocalPathProvisioner } from '../../controllers/local-path-provisioner.ts';
import { HorizontalPodAutoscalerController } from '../../controllers/hpa.ts';
import { VolumeExpandController } from '../../controllers/volume-expand.ts';
import { ServiceLbController } from '../../controllers/service-lb.ts';

export interface ControllerEntry {
  /** The controller's name that never changes (also its logger's `controller` field). */
  name: string;
  make(ctx: ControllerContext): Controller;
}

export const controllerList: ControllerEntry[] = [
  { name: 'namespace-controller', make: (ctx) => new NamespaceController(ctx.client, ctx.clock, ctx.logger) },
  { name: 'replicaset-controller', make: (ctx) => new ReplicaSetController(ctx) },
  { name: 'replicationcontroller-controller', make: (ctx) => new ReplicationControllerController(ctx) },
  { name: 'deployment-controller', make: (ctx) => new DeploymentController(ctx) },
  { name: 'daemonset-controller', make: (ctx) => new DaemonSetController(ctx) },
  { name: 'statefulset-controller', make: (ctx) => new StatefulSetController(ctx) },
  { name: 'job-controller', make: (ctx) => new JobController(ctx) },
  { name: 'cronjob-controller', make: (ctx) => new CronJobController(ctx) },
  { name: 'ttl-after-finished-controller', make: (ctx) => new TTLAfterFinishedController(ctx) },
  { name: 'garbage-collector-controller', make: (ctx) => new GarbageCollector(ctx) },
  { name: 'pod-garbage-collector', make: (ctx) => new PodGarbageCollector(ctx) },
  { name: 'serviceaccount-controller', make: (ctx) => new ServiceAccountController(ctx) },
  { name: 'node-lifecycle-controller', make: (ctx) => new NodeLifecycleController(ctx) },
  { name: 'taint-eviction-controller', make: (ctx) => new TaintEvictionController(ctx) },
  { name: 'node-ipam-controller', make: (ctx) => new NodeIpamController(ctx) },
  { name: 'disruption-controller', make: (ctx) => new DisruptionController(ctx) },
  { name: 'csrapproving-controller', make: (ctx) => new CsrApprovingController(ctx) },
  { name: 'csrsigning-controller', make: (ctx) => new CsrSigningController(ctx) },
  { name: 'serviceaccount-token-controller', make: (ctx) => new ServiceAccountTokenController(ctx) },
  { name: 'root-ca-cert-publisher', make: (ctx) => new RootCAPublisher(ctx) },
  { name: 'clusterrole-aggregation-controller', make: (ctx) => new ClusterRoleAggregationController(ctx) },
  { name: 'endpoint-controller', make: (ctx) => new EndpointsController(ctx) },
  { name: 'endpointslice-controller', make: (ctx) => new EndpointSliceController(ctx) },
  { name: 'resourcequota-controller', make: (ctx) => new ResourceQuotaController(ctx) },
  { name: 'persistent-volume-binder', make: (ctx) => new PersistentVolumeController(ctx) },
  { name: 'pvc-protection-controller', make: (ctx) => new PvcProtectionController(ctx) },
  { name: 'pv-protection-controller', make: (ctx) => new PvProtectionController(ctx) },
  { name: 'local-path-provisioner', make: (ctx) => new LocalPathProvisioner(ctx) },
  { name: 'horizontal-pod-autoscaler-controller', make: (ctx) => new HorizontalPodAutoscalerController(ctx) },
  { name: 'expand-controller', make: (ctx) => new VolumeExpandController(ctx) },
  { name: 'service-lb-controller', make: (ctx) => new ServiceLbController(ctx) },
];
