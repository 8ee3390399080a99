/**
 * @module The container runtime interface the kubelet drives, shaped after the CRI
 * (RuntimeService + ImageService): pod sandboxes, containers, images, exec/attach/port-forward
 * streams, logs (CRI log files the runtime writes) and stats. Implementations: `runc`
 * (OCI containers through runc/crun), `process` (plain host processes) and the simulated
 * nodes' timers. Every implementation passes `runtime/testing/runtime.suite.ts`.
 */
import type { Duplex, Readable, Writable } from 'node:stream';

export interface KeyValue {
  name: string;
  value: string;
}

export interface PortMapping {
  protocol: 'TCP' | 'UDP' | 'SCTP';
  containerPort: number;
  hostPort?: number;
  hostIP?: string;
}

export interface PodSandboxConfig {
  /** Pod metadata: the sandbox is named after it. */
  uid: string;
  name: string;
  namespace: string;
  /** Attempt number, starting at 0 (a sandbox recreated after it died gets the next one). */
  attempt: number;
  hostname: string;
  hostNetwork: boolean;
  /** resolv.conf content for the pod, or undefined to copy the host's. */
  dns?: { servers: string[]; searches: string[]; options: string[] };
  portMappings: PortMapping[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Folder for this pod's container log files (`<dir>/<container>/<restart>.log`). */
  logDirectory: string;
  /** Absolute cgroup parent for the pod, e.g. `/skiff/<node>/kubepods/burstable/pod<uid>` (see qos.ts). */
  cgroupParent: string;
  /** The pod-level cgroup's shares and limits (qos.ts podResourceConfig). */
  resources?: ContainerResources;
  sysctls?: Record<string, string>;
}

export interface ContainerResources {
  /** CFS quota in millicores (limits.cpu); undefined for no limit. */
  cpuLimitMillis?: number;
  /** cpu.shares from requests.cpu (upstream MilliCPUToShares). */
  cpuShares?: number;
  /** limits.memory in bytes; undefined for no limit. */
  memoryLimitBytes?: number;
}

export interface Mount {
  containerPath: string;
  hostPath: string;
  readOnly: boolean;
  /** Mount a single file or directory below hostPath (subPath already resolved by the kubelet). */
  propagation?: 'private' | 'rslave' | 'rshared';
  /** The pod volume this mount comes from (the process runtime exposes it as `SKIFF_VOLUME_<NAME>`). */
  volumeName?: string;
}

export interface SecurityConfig {
  runAsUser?: number;
  runAsGroup?: number;
  supplementalGroups?: number[];
  readOnlyRootFilesystem?: boolean;
  privileged?: boolean;
  capabilitiesAdd?: string[];
  capabilitiesDrop?: string[];
  allowPrivilegeEscalation?: boolean;
}

export interface ContainerConfig {
  name: string;
  /** Restart count of this container in the pod (CRI `attempt`). */
  attempt: number;
  /** The image as pulled (`imageRef` from pullImage). */
  image: ImageRef;
  /** Entrypoint and arguments after $(VAR) expansion; empty to use the image's. */
  command: string[];
  args: string[];
  env: KeyValue[];
  workingDir?: string;
  mounts: Mount[];
  resources: ContainerResources;
  security: SecurityConfig;
  /** Absolute path of the CRI-format log file the runtime appends to. */
  logPath: string;
  stdin: boolean;
  stdinOnce: boolean;
  tty: boolean;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export type ContainerState = 'created' | 'running' | 'exited' | 'unknown';

export interface ContainerStatus {
  id: string;
  name: string;
  attempt: number;
  state: ContainerState;
  /** Epoch milliseconds; 0 when not reached. */
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  /** `OOMKilled`, `Error`, `Completed`, … as the kubelet reports them. */
  reason: string;
  message: string;
  image: ImageRef;
  /** Process id of the container's init process on the host, when running. */
  pid?: number;
  labels: Record<string, string>;
}

export type SandboxState = 'ready' | 'notready';

export interface PodSandboxStatus {
  id: string;
  uid: string;
  name: string;
  namespace: string;
  attempt: number;
  state: SandboxState;
  createdAt: number;
  /** The pod IP (empty with hostNetwork: the node's address is used). */
  ip: string;
  /** Network namespace path (`/proc/<pid>/ns/net` or `/run/netns/<name>`); empty with hostNetwork. */
  netnsPath: string;
  labels: Record<string, string>;
}

export interface ImageRef {
  /** What the pod asked for, e.g. `127.0.0.1:5000/busybox:1.36`. */
  name: string;
  /** Content address of the image config (`sha256:…`), as `imageID` in pod status. */
  id: string;
  /** `name@sha256:<manifest digest>` when known. */
  digestRef?: string;
}

export interface ImageInfo extends ImageRef {
  sizeBytes: number;
  /** All names (tags) this image is known by. */
  repoTags: string[];
}

export interface RegistryAuth {
  username?: string;
  password?: string;
  /** `user:password` base64, as in a dockerconfigjson `auth`. */
  auth?: string;
  identityToken?: string;
}

export interface ImageService {
  /** Pulls (or finds) the image; resolves when it is stored and unpacked. */
  pullImage(name: string, auth?: RegistryAuth, signal?: AbortSignal): Promise<ImageRef>;
  /** The image if present locally. */
  imageStatus(name: string): Promise<ImageInfo | undefined>;
  listImages(): Promise<ImageInfo[]>;
  removeImage(name: string): Promise<void>;
}

/** The parts of an OCI image config (`config` of application/vnd.oci.image.config.v1+json) a runtime needs. */
export interface OciImageConfig {
  User?: string;
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  WorkingDir?: string;
  StopSignal?: string;
  ExposedPorts?: Record<string, unknown>;
}

/**
 * An image store whose layers are unpacked on this node, once per layer, read-only and shared:
 * what the runc runtime builds overlay root filesystems from.
 */
export interface UnpackedImageService extends ImageService {
  /** Unpacked layer directories of the image, topmost first (overlayfs `lowerdir` order). */
  layerDirs(imageId: string): Promise<string[]>;
  imageConfig(imageId: string): Promise<OciImageConfig>;
}

export interface ExecOptions {
  stdin?: Readable;
  stdout?: Writable;
  stderr?: Writable;
  tty: boolean;
  /** Terminal size changes (with tty). */
  resize?: AsyncIterable<{ width: number; height: number }>;
  signal?: AbortSignal;
  /** For probes: kill the command after this many ms. */
  timeoutMs?: number;
}

export interface ContainerStats {
  /** Epoch milliseconds of the sample. */
  timestamp: number;
  /** Cumulative CPU time, nanoseconds. */
  cpuUsageNanos: number;
  /** Memory working set (usage − inactive file), bytes. */
  memoryWorkingSetBytes: number;
  memoryUsageBytes: number;
  pids?: number;
}

export interface RuntimeVersion {
  /** `runc`, `crun`, `process`, `sim`. */
  runtimeName: string;
  runtimeVersion: string;
}

export interface Runtime {
  readonly name: string;
  version(): Promise<RuntimeVersion>;
  /** The images this runtime runs (process runtime: a no-op service that records names). */
  readonly images: ImageService;

  runPodSandbox(config: PodSandboxConfig): Promise<string>;
  /** Stops every container in the sandbox (SIGKILL) and tears down its network; idempotent. */
  stopPodSandbox(id: string): Promise<void>;
  removePodSandbox(id: string): Promise<void>;
  podSandboxStatus(id: string): Promise<PodSandboxStatus | undefined>;
  listPodSandboxes(): Promise<PodSandboxStatus[]>;

  createContainer(sandboxId: string, config: ContainerConfig, sandbox: PodSandboxConfig): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** SIGTERM (or the image's stop signal), then SIGKILL after timeoutSeconds. */
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
  removeContainer(id: string): Promise<void>;
  containerStatus(id: string): Promise<ContainerStatus | undefined>;
  listContainers(filter?: { sandboxId?: string }): Promise<ContainerStatus[]>;

  /** Runs a command in a running container; resolves with its exit code. */
  exec(id: string, command: string[], opts: ExecOptions): Promise<number>;
  /** Connects to the container's main process stdio (stdin/tty as configured at create). */
  attach(id: string, opts: ExecOptions): Promise<void>;
  /** A byte stream to `port` on the sandbox's loopback (inside its network namespace). */
  portForward(sandboxId: string, port: number): Promise<Duplex>;
  containerStats(id: string): Promise<ContainerStats | undefined>;
  /**
   * The node's podCIDR once IPAM has assigned it (the kubelet calls this after registration
   * and whenever the Node shows one); runtimes without pod networking leave it out.
   * Returns false when the runtime keeps its current range (e.g. pods are live).
   */
  setPodCidr?(podCidr: string): boolean;
}
