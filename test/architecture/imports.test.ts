/**
 * The import-direction and no-cycle rules of .dependency-cruiser.cjs, run over src/ and bin/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('imports flow one way and never in a circle', () => {
  let out = '';
  try {
    out = execFileSync(
      process.execPath,
      ['node_modules/dependency-cruiser/bin/dependency-cruise.mjs', '--config', '.dependency-cruiser.cjs', '--output-type', 'err', 'src', 'bin'],
      { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    assert.fail(`dependency rules violated:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
  assert.match(out, /no dependency violations found/);
});
