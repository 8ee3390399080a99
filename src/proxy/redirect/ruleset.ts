/**
 * @module The nftables script of the service-traffic redirect (kube-proxy's old userspace mode
 * on a node bridge): pods on the bridge that connect to a ClusterIP the host does not own are
 * DNATed in prerouting to a socket of the userspace proxy on the bridge's own address. The
 * packet is then delivered locally (input path), so the host needs no IP forwarding. One table
 * per bridge (`ip skiff_svc_redirect_<bridge>`), created, flushed and deleted only by name;
 * every sync replaces its one chain in a single `nft -f -` transaction.
 */

export type RedirectProtocol = 'TCP' | 'UDP';

/** One captured service port: traffic from the bridge to clusterIP:port goes to gateway:proxyPort. */
export interface RedirectRule {
  protocol: RedirectProtocol;
  clusterIP: string;
  port: number;
  proxyPort: number;
  /** `namespace/name:portName`, written as the rule's comment. */
  service: string;
}

export interface RedirectTarget {
  tableName: string;
  bridge: string;
  /** The bridge's address the proxy listens on (the pods' gateway). */
  gateway: string;
}

// Interface names are at most 15 bytes; anything outside [a-z0-9_] becomes `_` so the name is a plain nft identifier.
export function redirectTableName(bridge: string): string {
  return `skiff_svc_redirect_${bridge.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`;
}

const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const checkIPv4 = (ip: string, what: string): void => {
  const m = ipv4.exec(ip);
  if (!m || m.slice(1).some((o) => Number(o) > 255)) throw new Error(`redirect ruleset: ${what} is not an IPv4 address: ${JSON.stringify(ip)}`);
};
const checkPort = (p: number, what: string): void => {
  if (!Number.isInteger(p) || p < 1 || p > 65535) throw new Error(`redirect ruleset: bad ${what} ${p}`);
};

/** Stable order, so the same table renders the same script (and tests can read it). */
function sorted(rules: readonly RedirectRule[]): RedirectRule[] {
  const key = (r: RedirectRule) => `${r.clusterIP.split('.').map((o) => o.padStart(3, '0')).join('.')}|${r.protocol}|${String(r.port).padStart(5, '0')}`;
  return [...rules].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/**
 * The whole table as one transaction: `add table` makes sure it exists, `flush table` empties
 * it, then the chain is declared with its rules (so a removed service port loses its rule in
 * the same step in which new ones appear).
 */
export function renderRedirectRuleset(target: RedirectTarget, rules: readonly RedirectRule[]): string {
  if (!/^[a-z0-9_]{1,64}$/.test(target.tableName)) throw new Error(`redirect ruleset: invalid table name ${JSON.stringify(target.tableName)}`);
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(target.bridge)) throw new Error(`redirect ruleset: invalid bridge name ${JSON.stringify(target.bridge)}`);
  checkIPv4(target.gateway, 'gateway');
  const t = `ip ${target.tableName}`;
  const lines = [
    `add table ${t}`,
    `flush table ${t}`,
    `table ${t} {`,
    '  chain prerouting {',
    '    type nat hook prerouting priority dstnat; policy accept;',
  ];
  for (const r of sorted(rules)) {
    checkIPv4(r.clusterIP, 'clusterIP');
    checkPort(r.port, 'port');
    checkPort(r.proxyPort, 'proxy port');
    const proto = r.protocol === 'TCP' ? 'tcp' : 'udp';
    // Comments are quoted strings: keep them to characters that need no escaping.
    const comment = r.service.replace(/[^A-Za-z0-9_./:-]/g, '_').slice(0, 128);
    lines.push(`    iifname "${target.bridge}" ip daddr ${r.clusterIP} ${proto} dport ${r.port} dnat to ${target.gateway}:${r.proxyPort} comment "${comment}"`);
  }
  lines.push('  }', '}');
  return lines.join('\n') + '\n';
}

/** Removes the table whether or not it exists (nft 1.0.6 has no `destroy`; add-then-delete is one transaction). */
export function renderRedirectDelete(tableName: string): string {
  if (!/^[a-z0-9_]{1,64}$/.test(tableName)) throw new Error(`redirect ruleset: invalid table name ${JSON.stringify(tableName)}`);
  return `add table ip ${tableName}\ndelete table ip ${tableName}\n`;
}
