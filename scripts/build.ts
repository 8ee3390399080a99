/**
 * @module `npm run build`: bundles `bin/skiff.ts` and everything it imports from `src/` into one
 * precompiled ES module, `dist/skiff.mjs`, so the server runs without tsx in the process (tsx's
 * loader thread and transpile cache cost about 40 MB of RSS; see BENCHMARKS.md).
 *
 * Packages stay external and load from node_modules at run time: native ones (better-sqlite3)
 * cannot be bundled, some read files beside themselves (etcd3's .proto files), and a fully
 * bundled file measured larger in RSS because V8 then parses every dependency up front.
 *
 * `bin/skiff` runs this when dist is missing or older than any source file, so a fresh clone
 * needs no separate step. Output is written to a temporary name and renamed, so concurrent
 * builds (tests start several servers at once) never expose a half-written file.
 */
import { build, type Plugin } from 'esbuild';
import { copyFile, mkdir, readdir, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const distDir = join(root, 'dist');
const outFile = join(distDir, 'skiff.mjs');
// The ingress worker process (`src/ingress/workers.ts` forks it), built before skiff.mjs so a
// bundle that looks fresh always has a worker of the same build beside it.
const workerFile = join(distDir, 'ingress-worker.mjs');

/**
 * Source modules that find files beside themselves with `new URL('./x', import.meta.url)`
 * (e.g. the OpenAPI schemas JSON) would look in dist/ once bundled. Rewriting each module's
 * `import.meta.url` to its original location keeps those lookups pointing at src/.
 */
const sourceUrls: Plugin = {
  name: 'source-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const rel = relative(distDir, args.path).split(sep).join('/');
      return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`), loader: 'ts' };
    });
  },
};

const runcDir = join(root, 'src', 'kubelet', 'runtime', 'runc');

export async function buildSkiff(): Promise<string> {
  // The output's mtime is set to when the build started, so an edit made while it ran still
  // counts as newer and triggers the next rebuild.
  const started = new Date();
  await mkdir(distDir, { recursive: true });
  // dist/ ignores itself, so the build output never shows up as something to commit.
  await writeFile(join(distDir, '.gitignore'), '*\n');
  const tmp = `${outFile}.${process.pid}.tmp`;
  const workerTmp = `${workerFile}.${process.pid}.tmp`;
  try {
    await build({ entryPoints: [join(root, 'src', 'ingress', 'worker-main.ts')], outfile: workerTmp, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', legalComments: 'none', logLevel: 'warning', plugins: [sourceUrls] });
    await rename(workerTmp, workerFile);
    await build({
      entryPoints: [join(root, 'bin', 'skiff.ts')],
      outfile: tmp,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      sourcemap: 'linked',
      sourcesContent: false,
      legalComments: 'none',
      logLevel: 'warning',
      plugins: [sourceUrls],
    });
    // The map is named after the temporary file; give it the final name.
    const map = JSON.parse(await readFile(`${tmp}.map`, 'utf8')) as { file?: string };
    map.file = 'skiff.mjs';
    await writeFile(`${outFile}.map`, JSON.stringify(map));
    const js = (await readFile(tmp, 'utf8')).replace(/\/\/# sourceMappingURL=\S+\s*$/, '//# sourceMappingURL=skiff.mjs.map\n');
    await writeFile(tmp, js);
    // Helper scripts the code finds next to itself (`new URL('./x.py', import.meta.url)`):
    // in the bundle that is dist/, so they are copied there (their names are unique).
    for (const py of (await readdir(runcDir)).filter((f) => f.endsWith('.py'))) await copyFile(join(runcDir, py), join(distDir, py));
    await utimes(tmp, started, started);
    await rename(tmp, outFile);
  } finally {
    await rm(tmp, { force: true });
    await rm(workerTmp, { force: true });
    await rm(`${tmp}.map`, { force: true });
  }
  return outFile;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = await buildSkiff();
  if (!process.argv.includes('--quiet')) process.stdout.write(`built ${relative(process.cwd(), out) || out}\n`);
}
