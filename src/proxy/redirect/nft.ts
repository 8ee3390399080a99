/**
 * @module Runs one nftables script as a single transaction (`nft -f -`, the script on stdin), so a
 * redirect table is replaced atomically or not at all. Only scripts rendered by `ruleset.ts` go
 * through here, and they name only their own table.
 */
import { spawn } from 'node:child_process';

export type NftRunner = (script: string) => Promise<void>;

export const runNft: NftRunner = (script) =>
  new Promise((resolve, reject) => {
    const child = spawn('nft', ['-f', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`nft -f - failed (exit ${code}): ${stderr.trim().slice(0, 2000)}`));
    });
    // nft exiting before it read everything (a parse error) must not crash the process.
    child.stdin.on('error', () => undefined);
    child.stdin.end(script);
  });
