import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { redirectTableName, renderRedirectDelete, renderRedirectRuleset, type RedirectRule } from './ruleset.ts';

const target = { tableName: redirectTableName('skrsvc0'), bridge: 'skrsvc0', gateway: '10.67.0.1' };
const rule = (over: Partial<RedirectRule>): RedirectRule => ({ protocol: 'TCP', clusterIP: '10.43.0.20', port: 80, proxyPort: 40001, service: 'demo/web:http', ...over });

describe('redirect ruleset', () => {
  it('names one table per bridge, as a plain nft identifier', () => {
    assert.equal(redirectTableName('skrsvc0'), 'skiff_svc_redirect_skrsvc0');
    assert.equal(redirectTableName('br-Test.1'), 'skiff_svc_redirect_br_test_1');
    assert.notEqual(redirectTableName('skiff0'), redirectTableName('skrunc0'));
  });

  it('renders a DNAT per service port and protocol, in a stable order, in one transaction', () => {
    const script = renderRedirectRuleset(target, [
      rule({ clusterIP: '10.43.0.100', port: 8080, proxyPort: 40003, service: 'demo/web:alt' }),
      rule({}),
      rule({ protocol: 'UDP', clusterIP: '10.43.0.10', port: 53, proxyPort: 40010, service: 'kube-system/kube-dns:dns' }),
      rule({ protocol: 'TCP', clusterIP: '10.43.0.10', port: 53, proxyPort: 40011, service: 'kube-system/kube-dns:dns-tcp' }),
    ]);
    assert.equal(
      script,
      [
        'add table ip skiff_svc_redirect_skrsvc0',
        'flush table ip skiff_svc_redirect_skrsvc0',
        'table ip skiff_svc_redirect_skrsvc0 {',
        '  chain prerouting {',
        '    type nat hook prerouting priority dstnat; policy accept;',
        '    iifname "skrsvc0" ip daddr 10.43.0.10 tcp dport 53 dnat to 10.67.0.1:40011 comment "kube-system/kube-dns:dns-tcp"',
        '    iifname "skrsvc0" ip daddr 10.43.0.10 udp dport 53 dnat to 10.67.0.1:40010 comment "kube-system/kube-dns:dns"',
        '    iifname "skrsvc0" ip daddr 10.43.0.20 tcp dport 80 dnat to 10.67.0.1:40001 comment "demo/web:http"',
        '    iifname "skrsvc0" ip daddr 10.43.0.100 tcp dport 8080 dnat to 10.67.0.1:40003 comment "demo/web:alt"',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('renders an empty chain when the last service port goes (the flush removes the old rules)', () => {
    const before = renderRedirectRuleset(target, [rule({}), rule({ port: 443, proxyPort: 40002 })]);
    const after = renderRedirectRuleset(target, [rule({ port: 443, proxyPort: 40002 })]);
    assert.match(before, /tcp dport 80 /);
    assert.doesNotMatch(after, /tcp dport 80 /);
    assert.match(after, /tcp dport 443 dnat to 10\.67\.0\.1:40002/);
    const empty = renderRedirectRuleset(target, []);
    assert.match(empty, /^flush table ip skiff_svc_redirect_skrsvc0$/m);
    assert.doesNotMatch(empty, /dnat/);
  });

  it('keeps comments to safe characters', () => {
    assert.match(renderRedirectRuleset(target, [rule({ service: 'demo/we"b; drop:x' })]), /comment "demo\/we_b__drop:x"$/m);
  });

  it('refuses what it cannot render safely', () => {
    assert.throws(() => renderRedirectRuleset({ ...target, tableName: 'bad name' }, []), /table name/);
    assert.throws(() => renderRedirectRuleset({ ...target, bridge: 'x"; flush ruleset' }, []), /bridge/);
    assert.throws(() => renderRedirectRuleset({ ...target, gateway: '10.67.0.300' }, []), /gateway/);
    assert.throws(() => renderRedirectRuleset(target, [rule({ clusterIP: 'fd00::1' })]), /clusterIP/);
    assert.throws(() => renderRedirectRuleset(target, [rule({ proxyPort: 0 })]), /proxy port/);
  });

  it('deletes the table by name whether or not it exists', () => {
    assert.equal(renderRedirectDelete('skiff_svc_redirect_skrsvc0'), 'add table ip skiff_svc_redirect_skrsvc0\ndelete table ip skiff_svc_redirect_skrsvc0\n');
    assert.throws(() => renderRedirectDelete('x y'), /table name/);
  });
});
