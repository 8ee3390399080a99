import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { IpAllocator } from './ipam.ts';

test('concurrent allocations get distinct IPs, each on disk once it resolves', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'skiff-ipam-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const a = new IpAllocator(dir, '10.77.0.0/24');
  const owners = Array.from({ length: 60 }, (_, i) => `sb${i}`);
  const ips = await Promise.all(
    owners.map(async (o) => {
      const ip = await a.allocate(o);
      // Group commit must never resolve before the file holds this allocation.
      const onDisk = JSON.parse(await readFile(join(dir, 'ipam.json'), 'utf8')) as Record<string, string>;
      assert.equal(onDisk[ip], o);
      return ip;
    }),
  );
  assert.equal(new Set(ips).size, 60);
  assert.ok(!ips.includes('10.77.0.1'), 'the gateway is never handed out');
  assert.equal(await a.allocate('sb3'), ips[3], 'an owner keeps its IP');
  // A restarted runtime sees every address as taken.
  const b = new IpAllocator(dir, '10.77.0.0/24');
  assert.ok(!ips.includes(await b.allocate('new')));
  await Promise.all([b.release('sb0'), b.release('sb1')]);
  const after = JSON.parse(await readFile(join(dir, 'ipam.json'), 'utf8')) as Record<string, string>;
  assert.equal(after[ips[0]!], undefined);
  assert.equal(after[ips[1]!], undefined);
  assert.equal(after[ips[2]!], 'sb2');
});

test('a full range is an error', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'skiff-ipam-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const a = new IpAllocator(dir, '10.77.1.0/30');
  assert.equal(await a.allocate('x'), '10.77.1.2');
  await assert.rejects(a.allocate('y'), /no free pod IP/);
});
