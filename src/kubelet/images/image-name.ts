/**
 * @module The check the kubelet makes before it pulls (upstream `applyDefaultImageTag` →
 * `ParseNormalizedNamed` of distribution/reference): a name the reference grammar rejects is
 * `InvalidImageName` and is never sent to a registry. The messages are distribution's.
 */

const component = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const domainPart = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domain = `(?:${domainPart}(?:\\.${domainPart})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const tag = '[\\w][\\w.-]{0,127}';
const digest = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const reference = new RegExp(`^((?:${domain}/)?${component}(?:/${component})*)(?::${tag})?(?:@${digest})?$`);
const hex64 = /^[a-f0-9]{64}$/;

/** Docker's split: a first component with a dot, a port or `localhost` (or upper case) is a registry. */
function remainderOf(name: string): string {
  const i = name.indexOf('/');
  if (i < 0) return name;
  const first = name.slice(0, i);
  const isDomain = first.includes('.') || first.includes(':') || first === 'localhost' || first.toLowerCase() !== first;
  return isDomain ? name.slice(i + 1) : name;
}

/**
 * Why `image` is not a valid reference (`couldn't parse image name "X": …`, as the kubelet
 * words it), or undefined when it is.
 */
export function imageNameError(image: string): string | undefined {
  const why = grammarError(image);
  return why ? `couldn't parse image name ${JSON.stringify(image)}: ${why}` : undefined;
}

function grammarError(s: string): string | undefined {
  if (hex64.test(s)) return `invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`;
  const remainder = remainderOf(s);
  const path = remainder.replace(/@.*$/, '').replace(/:[^/]*$/, '');
  if (path.toLowerCase() !== path) return `invalid reference format: repository name (${path}) must be lowercase`;
  if (s === '') return 'repository name must have at least one component';
  const m = reference.exec(s);
  if (!m) return 'invalid reference format';
  if (m[1]!.length > 255) return 'repository name must not be more than 255 characters';
  return undefined;
}
