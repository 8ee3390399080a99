/**
 * @module Optional HTTP Basic authentication for the built-in registry, from an htpasswd-style
 * file (`user:password` lines; the password plain or `{SHA}`+base64(sha1), as `htpasswd -s`
 * writes; bcrypt is not supported). Off unless a file is given: the registry is loopback-only
 * by default. Distribution answers a missing or wrong `Authorization` with 401 `UNAUTHORIZED`
 * and a `WWW-Authenticate: Basic realm=…` challenge on every endpoint, `/v2/` included.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';

export interface BasicAuth {
  realm: string;
  /** user → stored password (plain or `{SHA}…`). */
  users: Map<string, string>;
}

export function parseHtpasswd(text: string, realm = 'skiff-registry'): BasicAuth {
  const users = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    if (i <= 0) throw new Error(`htpasswd: malformed line ${JSON.stringify(line)}`);
    const stored = line.slice(i + 1);
    if (/^\$2[aby]\$/.test(stored)) throw new Error(`htpasswd: bcrypt entries are not supported (user ${line.slice(0, i)}); use htpasswd -s or a plain password`);
    users.set(line.slice(0, i), stored);
  }
  return { realm, users };
}

export async function loadHtpasswd(path: string): Promise<BasicAuth> {
  return parseHtpasswd(await readFile(path, 'utf8'));
}

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** True when the request carries Basic credentials of a listed user. */
export function authorized(auth: BasicAuth, req: IncomingMessage): boolean {
  const m = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!m) return false;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return false;
  const stored = auth.users.get(decoded.slice(0, i));
  if (stored === undefined) return false;
  const password = decoded.slice(i + 1);
  if (stored.startsWith('{SHA}')) return same(stored.slice(5), createHash('sha1').update(password).digest('base64'));
  return same(stored, password);
}

export const challenge = (auth: BasicAuth) => `Basic realm="${auth.realm}"`;
