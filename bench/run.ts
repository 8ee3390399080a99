/**
 * `npm run bench`: API server figures on SQLite and, when etcd is installed, on etcd, side by
 * side. Prints a Markdown table for BENCHMARKS.md.
 */
import { cpus, totalmem } from 'node:os';
import { startEtcd } from '../src/storage/testing/etcd-server.ts';
import { benchApiserver, printFigures, type ApiserverFigures } from './apiserver.ts';
import { benchScheduler, printSchedulerFigures } from './scheduler.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const watchers = Number(process.env.BENCH_WATCHERS ?? 1000);
const rows: ApiserverFigures[] = [];
console.log(`# skiff bench — ${new Date().toISOString()} — ${cpus().length}× ${cpus()[0]?.model ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}\n`);
rows.push(await benchApiserver('sqlite', { seconds, watchers }));
rows.push(await benchApiserver('memory', { seconds, watchers }));
const etcd = await startEtcd();
if ('skip' in etcd) console.log(`etcd: skipped (${etcd.skip})`);
else {
  try {
    rows.push(await benchApiserver(`etcd://${etcd.endpoints.map((e: string) => e.replace(/^https?:\/\//, '')).join(',')}`, { seconds, watchers }));
  } finally {
    await etcd.stop();
  }
}
printFigures(rows);
console.log();
printSchedulerFigures([await benchScheduler('plain', 5000, 10_000), await benchScheduler('anti-affinity', 5000, 2000)]);
