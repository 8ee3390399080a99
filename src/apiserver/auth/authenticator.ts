/**
 * @module Authentication: who is calling. A verified client certificate gives the user from its
 * subject (CN → username, each O → group); the in-process transport asserts its identity. Every
 * authenticated user is also in `system:authenticated`. Anonymous requests are not accepted.
 */
import type { ApiRequest, UserInfo } from '../types.ts';

export interface Authenticator {
  authenticate(req: ApiRequest): Promise<UserInfo | undefined>;
}

function withAuthenticated(groups: string[]): string[] {
  return groups.includes('system:authenticated') ? groups : [...groups, 'system:authenticated'];
}

export const peerAuthenticator: Authenticator = {
  async authenticate(req) {
    const peer = req.peer;
    if (!peer) return undefined;
    if (peer.kind === 'in-process') return { ...peer.user, groups: withAuthenticated(peer.user.groups) };
    if (!peer.commonName) return undefined;
    return { username: peer.commonName, groups: withAuthenticated(peer.organizations) };
  },
};

/** Tries each authenticator in turn; the first that recognises the request wins. */
export function unionAuthenticator(list: Authenticator[]): Authenticator {
  return {
    async authenticate(req) {
      for (const a of list) {
        const u = await a.authenticate(req);
        if (u) return u;
      }
      return undefined;
    },
  };
}
