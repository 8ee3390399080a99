/**
 * @module `skiff image import FILE [--node-dir DIR] [--name REF]`: loads an OCI image layout tar
 * or a `docker save` tar into a node's image store (as `k3s ctr images import` does), so pods
 * on that node can use it without a registry. The store itself is the kubelet's: `bin/skiff`
 * hands it in, keeping the CLI free of node internals.
 */
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

export interface ImageImporter {
  /** Imports `file` into the image store at `<nodeDir>/images`. */
  importArchive(file: string, imagesDir: string, baseName?: string): Promise<{ names: string[]; id: string }[]>;
}

export const imageHelp = `usage: skiff image import FILE [flags]

Loads an OCI image layout tar or a 'docker save' tar into a node's image store.

  --node-dir DIR   the node's agent folder (default ~/.skiff/agent/<hostname>); images go to DIR/images
  --name REF       name for layout entries that carry only a tag (e.g. 127.0.0.1:5000/busybox)
`;

export async function imageMain(
  argv: string[],
  importer: ImageImporter,
  out: { write(s: string): unknown } = process.stdout,
  err: { write(s: string): unknown } = process.stderr,
): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '-h' || sub === '--help' || sub === 'help') {
    out.write(imageHelp);
    return sub === undefined ? 1 : 0;
  }
  if (sub !== 'import') {
    err.write(`skiff image: unknown command "${sub}"\n${imageHelp}`);
    return 1;
  }
  let values: { 'node-dir'?: string; name?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: rest,
      options: { 'node-dir': { type: 'string' }, name: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (e) {
    err.write(`skiff image import: ${(e as Error).message}\n`);
    return 1;
  }
  if (values.help) {
    out.write(imageHelp);
    return 0;
  }
  if (positionals.length !== 1) {
    err.write(`skiff image import: expected one FILE\n${imageHelp}`);
    return 1;
  }
  const nodeDir = values['node-dir'] ?? join(homedir(), '.skiff', 'agent', hostname());
  try {
    const images = await importer.importArchive(positionals[0]!, join(nodeDir, 'images'), values.name);
    for (const img of images) out.write(`unpacked ${img.names.length ? img.names.join(', ') : '<unnamed>'} (${img.id})\n`);
    return 0;
  } catch (e) {
    err.write(`skiff image import: ${(e as Error).message}\n`);
    return 1;
  }
}
