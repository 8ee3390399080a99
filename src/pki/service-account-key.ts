/**
 * @module The ServiceAccount token signing key (`<data-dir>/tls/sa.key`, RSA 2048 PKCS#8 PEM,
 * as kubeadm's sa.key): created on first start, reused after so issued tokens stay valid
 * across restarts.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';

export async function loadOrCreateServiceAccountKey(tlsDir: string): Promise<string> {
  const path = join(tlsDir, 'sa.key');
  if (existsSync(path)) return readFile(path, 'utf8');
  await mkdir(tlsDir, { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  await writeFile(path, pem, { mode: 0o600 });
  await chmod(path, 0o600);
  return pem;
}
