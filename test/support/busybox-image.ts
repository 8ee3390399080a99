/**
 * @module Test images without a network: a deterministic OCI image layout built from the host's
 * static busybox (Debian's busybox-static) with its applet symlinks, a generic layout writer for
 * hand-made multi-layer images, and a skopeo push into a registry. Tests call the `*SkipReason`
 * helpers to skip cleanly on machines without busybox-static or skopeo.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';

const run = promisify(execFile);

export const BUSYBOX_PATH = '/bin/busybox';
export const IMAGE_PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Applets linked in /bin (all exist in Debian's busybox-static). */
export const BUSYBOX_APPLETS = [
  '[', 'ash', 'awk', 'base64', 'basename', 'cat', 'chmod', 'chown', 'cp', 'cut', 'date', 'dd', 'df',
  'dirname', 'du', 'echo', 'env', 'expr', 'false', 'find', 'free', 'grep', 'head', 'hostname', 'httpd',
  'id', 'ifconfig', 'ip', 'kill', 'killall', 'ln', 'ls', 'md5sum', 'mkdir', 'mkfifo', 'mktemp', 'mount',
  'mv', 'nc', 'netstat', 'nproc', 'nslookup', 'ping', 'printenv', 'printf', 'ps', 'pwd', 'readlink',
  'realpath', 'rm', 'rmdir', 'route', 'sed', 'seq', 'sh', 'sha256sum', 'sleep', 'sort', 'stat', 'sync',
  'tail', 'tar', 'tee', 'telnet', 'test', 'timeout', 'top', 'touch', 'tr', 'true', 'umount', 'uname',
  'uniq', 'uptime', 'usleep', 'vi', 'watch', 'wc', 'wget', 'which', 'whoami', 'xargs', 'yes',
] as const;

export function sha256(data: Buffer | string): string {
  return 'sha256:' + createHash('sha256').update(data).digest('hex');
}

/** Why busybox images cannot be built here, or false when they can. */
export function busyboxSkipReason(): string | false {
  if (!existsSync(BUSYBOX_PATH)) return `${BUSYBOX_PATH} missing (install busybox-static)`;
  // A dynamically linked busybox would not run in an image without its libc.
  const elf = readFileSync(BUSYBOX_PATH);
  if (elf.includes(Buffer.from('/lib64/ld-linux'))) return `${BUSYBOX_PATH} is not statically linked (install busybox-static)`;
  return false;
}

/** Why skopeo pushes cannot run here, or false when they can. */
export function skopeoSkipReason(): string | false {
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && existsSync(join(dir, 'skopeo'))) return false;
  return 'skopeo not installed';
}

/** A tar of a staged directory, byte-for-byte reproducible (GNU tar: sorted, mtime 0, uid/gid 0). */
export async function tarDirectory(dir: string): Promise<Buffer> {
  const { stdout } = await run(
    'tar',
    ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '--format=gnu', '-C', dir, '-cf', '-', '.'],
    { encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 },
  );
  return stdout;
}

export interface LayoutImage {
  layoutDir: string;
  manifestDigest: string;
  configDigest: string;
  /** Compressed layer digests, bottom first. */
  layerDigests: string[];
  /** Uncompressed layer digests (`rootfs.diff_ids`), bottom first. */
  diffIds: string[];
}

export interface LayoutSpec {
  /** Uncompressed layer tars, bottom first; each is gzipped into the layout. */
  layers: Buffer[];
  /** The image's runtime config (`config` of the image config). */
  config: Record<string, unknown>;
  /** Tag recorded as `org.opencontainers.image.ref.name`. */
  tag?: string;
  architecture?: string;
}

async function writeBlob(layoutDir: string, data: Buffer | string): Promise<string> {
  const digest = sha256(data);
  await writeFile(join(layoutDir, 'blobs', 'sha256', digest.slice(7)), data);
  return digest;
}

/** Writes an OCI image layout (oci-layout, index.json, blobs) holding one image. */
export async function writeOciLayout(layoutDir: string, spec: LayoutSpec): Promise<LayoutImage> {
  await mkdir(join(layoutDir, 'blobs', 'sha256'), { recursive: true });
  await writeFile(join(layoutDir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const layerDescs = [];
  const diffIds: string[] = [];
  for (const tar of spec.layers) {
    diffIds.push(sha256(tar));
    // zlib's gzip header carries no timestamp or name, so the blob is reproducible.
    const gz = gzipSync(tar, { level: 9 });
    layerDescs.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: await writeBlob(layoutDir, gz), size: gz.length });
  }
  const config = JSON.stringify({
    created: '1970-01-01T00:00:00Z',
    architecture: spec.architecture ?? 'amd64',
    os: 'linux',
    config: spec.config,
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: spec.layers.map(() => ({ created: '1970-01-01T00:00:00Z', created_by: 'skiff test image' })),
  });
  const configDigest = await writeBlob(layoutDir, config);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: Buffer.byteLength(config) },
    layers: layerDescs,
  });
  const manifestDigest = await writeBlob(layoutDir, manifest);
  const index = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: manifestDigest,
        size: Buffer.byteLength(manifest),
        ...(spec.tag ? { annotations: { 'org.opencontainers.image.ref.name': spec.tag } } : {}),
      },
    ],
  };
  await writeFile(join(layoutDir, 'index.json'), JSON.stringify(index));
  return { layoutDir, manifestDigest, configDigest, layerDigests: layerDescs.map((l) => l.digest), diffIds };
}

/** Stages the busybox root filesystem: /bin/busybox, applet symlinks, a minimal /etc and empty mount points. */
async function stageBusyboxRoot(root: string): Promise<void> {
  for (const d of ['bin', 'dev', 'etc', 'proc', 'sys', 'root', 'var', 'usr/bin', 'tmp']) await mkdir(join(root, d), { recursive: true });
  await copyFile(BUSYBOX_PATH, join(root, 'bin', 'busybox'));
  await chmod(join(root, 'bin', 'busybox'), 0o755);
  for (const applet of BUSYBOX_APPLETS) await symlink('busybox', join(root, 'bin', applet));
  await symlink('../../bin/busybox', join(root, 'usr', 'bin', 'env'));
  await writeFile(join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n');
  await writeFile(join(root, 'etc', 'group'), 'root:x:0:\nnobody:x:65534:\n');
  for (const f of ['etc/passwd', 'etc/group']) await chmod(join(root, f), 0o644);
  for (const d of ['bin', 'dev', 'etc', 'proc', 'sys', 'var', 'usr', 'usr/bin', '.']) await chmod(join(root, d), 0o755);
  await chmod(join(root, 'root'), 0o700);
  await chmod(join(root, 'tmp'), 0o1777);
  await utimes(root, 0, 0);
}

/**
 * Builds `<dir>/busybox-oci`, an OCI image layout of one linux/amd64 image (tag `1.36`):
 * one gzip layer with busybox and its applets, Cmd `["sh"]`, Env PATH. Same bytes every time.
 */
export async function buildBusyboxImage(dir: string): Promise<{ layoutDir: string; manifestDigest: string; configDigest: string }> {
  const reason = busyboxSkipReason();
  if (reason) throw new Error(`cannot build the busybox image: ${reason}`);
  const stage = await mkdtemp(join(tmpdir(), 'skiff-busybox-'));
  try {
    await stageBusyboxRoot(stage);
    const layer = await tarDirectory(stage);
    const layoutDir = join(dir, 'busybox-oci');
    await rm(layoutDir, { recursive: true, force: true });
    const img = await writeOciLayout(layoutDir, { layers: [layer], config: { Env: [IMAGE_PATH_ENV], Cmd: ['sh'] }, tag: '1.36' });
    return { layoutDir, manifestDigest: img.manifestDigest, configDigest: img.configDigest };
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

/**
 * Pushes the layout's image to `registryUrl` (e.g. `http://127.0.0.1:5000` or `127.0.0.1:5000`)
 * as `ref` (e.g. `busybox:1.36`) with skopeo, over plain HTTP.
 */
export async function pushImage(layoutDir: string, registryUrl: string, ref: string): Promise<void> {
  const reason = skopeoSkipReason();
  if (reason) throw new Error(`cannot push: ${reason}`);
  const host = registryUrl.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  await run('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', `oci:${layoutDir}`, `docker://${host}/${ref}`], { timeout: 120_000 });
}

function onPath(bin: string): boolean {
  return (process.env.PATH ?? '/usr/bin:/bin').split(':').some((d) => d && existsSync(join(d, bin)));
}

/** Why a test that runs real containers from the busybox image must skip, or false. */
export function runcSkipReason(): string | false {
  if (!existsSync('/usr/bin/kubectl')) return 'kubectl not installed at /usr/bin/kubectl';
  if (process.getuid?.() !== 0) return 'needs root for runc';
  if (!onPath('runc') && !onPath('crun')) return 'neither runc nor crun is installed';
  return busyboxSkipReason() || skopeoSkipReason();
}
