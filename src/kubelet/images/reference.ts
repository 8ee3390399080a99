/**
 * @module Image references as the kubelet and containerd read them: `[registry/]path[:tag][@digest]`,
 * normalised the Docker way (`busybox` → `docker.io/library/busybox:latest`).
 */

export interface ImageReference {
  /** Registry host (`docker.io`, `127.0.0.1:5000`). */
  registry: string;
  /** Repository path inside the registry (`library/busybox`). */
  repository: string;
  tag?: string;
  digest?: string;
}

const dockerHub = 'docker.io';

export function parseReference(ref: string): ImageReference {
  let rest = ref.trim();
  if (!rest || /\s/.test(rest)) throw new Error(`invalid image reference "${ref}"`);
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!/^sha256:[a-f0-9]{64}$/.test(digest)) throw new Error(`invalid image reference "${ref}": bad digest`);
  }
  let tag: string | undefined;
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > rest.lastIndexOf('/')) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
  }
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  // A first component with a dot, a port or `localhost` names a registry (Docker's rule).
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  let registry = hasRegistry ? first : dockerHub;
  let repository = hasRegistry ? rest.slice(slash + 1) : rest;
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = dockerHub;
  if (registry === dockerHub && !repository.includes('/')) repository = `library/${repository}`;
  if (!/^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/.test(repository))
    throw new Error(`invalid image reference "${ref}": bad repository name`);
  if (tag !== undefined && !/^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/.test(tag)) throw new Error(`invalid image reference "${ref}": bad tag`);
  if (!tag && !digest) tag = 'latest';
  return { registry, repository, tag, digest };
}

/** The normalised name this node indexes the image under (`registry/repo:tag` or `registry/repo@digest`). */
export function normalizedName(r: ImageReference): string {
  return r.digest ? `${r.registry}/${r.repository}@${r.digest}` : `${r.registry}/${r.repository}:${r.tag}`;
}

/** Registries spoken to over plain HTTP: loopback ones, like the built-in registry. */
export function isInsecureRegistry(host: string): boolean {
  const h = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\./.test(h);
}

/** Where the registry's API lives (Docker Hub's is not at docker.io). */
export function registryBaseUrl(host: string): string {
  if (host === dockerHub) return 'https://registry-1.docker.io';
  return `${isInsecureRegistry(host) ? 'http' : 'https'}://${host}`;
}
