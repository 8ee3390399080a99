/**
 * @module Static tokens (`--token-auth-file`), as upstream's tokenfile authenticator: a CSV
 * file with at least three columns `token,user,uid` and an optional fourth with the groups
 * (quoted when there is more than one: `"group1,group2"`). Read once at start.
 */
import { readFile } from 'node:fs/promises';
import { timingSafeEqual } from 'node:crypto';
import type { UserInfo } from '../types.ts';
import { withAuthenticated, type TokenAuthenticator } from './authenticator.ts';

/** Splits one CSV record (RFC 4180 quoting). */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') (cur += '"'), i++;
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') out.push(cur), (cur = '');
    else cur += c;
  }
  out.push(cur);
  return out.map((f) => f.trim());
}

export function parseTokenFile(text: string, source = 'token file'): Map<string, UserInfo> {
  const users = new Map<string, UserInfo>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const f = csvFields(line);
    if (f.length < 3) throw new Error(`${source}, line ${i + 1}: token file must have at least 3 columns (token, user name, user uid), found ${f.length}`);
    const [token, username, uid] = f as [string, string, string];
    if (!token) throw new Error(`${source}, line ${i + 1}: token is empty`);
    if (users.has(token)) throw new Error(`${source}, line ${i + 1}: duplicate token`);
    const groups = f[3] ? f[3].split(',').map((g) => g.trim()).filter(Boolean) : [];
    users.set(token, { username, uid, groups });
  });
  return users;
}

export function staticTokenAuthenticator(users: Map<string, UserInfo>): TokenAuthenticator {
  const entries = [...users.entries()].map(([t, u]) => [Buffer.from(t), u] as const);
  return {
    async authenticateToken(token) {
      const given = Buffer.from(token);
      // Constant-time comparison so response timing does not reveal token prefixes.
      for (const [t, u] of entries)
        if (t.length === given.length && timingSafeEqual(t, given)) return { ...u, groups: withAuthenticated(u.groups) };
      return undefined;
    },
  };
}

export async function loadTokenFile(path: string): Promise<TokenAuthenticator> {
  return staticTokenAuthenticator(parseTokenFile(await readFile(path, 'utf8'), path));
}
