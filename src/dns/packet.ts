/**
 * @module One DNS message in, one out (RFC 1035 over `dns-packet`): decode, answer the first
 * question from the zone, encode. Non-QUERY opcodes get NOTIMP, undecodable messages
 * FORMERR (or nothing when not even the header can be read); answers are authoritative, no
 * recursion is offered. Over UDP a reply larger than the client's limit (512 bytes, or its
 * EDNS payload size) is truncated with TC set, so the client retries over TCP.
 */
import dnsPacket, { type Answer, type DecodedPacket, type Packet } from 'dns-packet';
import { resolve, type ZoneOptions } from './records.ts';
import type { ClusterView } from './view.ts';

const rcodes = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
export type ReplyCode = keyof typeof rcodes;

/** What the server counts per reply. */
export interface Outcome {
  rcode: ReplyCode;
  truncated: boolean;
}

const OPCODE_MASK = 0x7800;
const EDNS_PAYLOAD = 1232;

export function answerMessage(
  msg: Buffer,
  view: ClusterView,
  zone: ZoneOptions,
  transport: 'udp' | 'tcp',
): { reply: Buffer; outcome: Outcome } | undefined {
  if (msg.length < 12) return undefined;
  const id = msg.readUInt16BE(0);
  const rawFlags = msg.readUInt16BE(2);
  if (rawFlags & 0x8000) return undefined; // a response: never answer those (no loops)
  const rd = rawFlags & dnsPacket.RECURSION_DESIRED;
  let query: DecodedPacket;
  try {
    query = dnsPacket.decode(msg);
  } catch {
    return finish({ id, flags: rd | rcodes.FORMERR, questions: [] }, 'FORMERR', transport, 512);
  }
  const question = query.questions?.[0];
  const opt = query.additionals?.find((a) => a.type === 'OPT');
  const limit = opt && 'udpPayloadSize' in opt ? Math.max(512, Math.min(opt.udpPayloadSize ?? 512, 65535)) : 512;
  const base = (rc: ReplyCode): Packet => ({
    type: 'response', id, flags: (rawFlags & OPCODE_MASK) | rd | rcodes[rc], questions: question ? [question] : [],
    additionals: opt ? [ednsRecord()] : [],
  });
  if ((rawFlags & OPCODE_MASK) !== 0) return finish(base('NOTIMP'), 'NOTIMP', transport, limit);
  if (!question || (query.questions?.length ?? 0) > 1) return finish(base('FORMERR'), 'FORMERR', transport, limit);
  if (question.class !== 'IN' && question.class !== 'ANY') return finish(base('REFUSED'), 'REFUSED', transport, limit);

  const res = resolve(view, question.name, question.type, zone);
  const reply = base(res.rcode);
  if (res.rcode !== 'REFUSED') reply.flags! |= dnsPacket.AUTHORITATIVE_ANSWER;
  reply.answers = res.answers;
  reply.authorities = res.authorities;
  reply.additionals = [...res.additionals, ...(reply.additionals ?? [])];
  return finish(reply, res.rcode, transport, limit);
}

function ednsRecord(): Answer {
  return { type: 'OPT', name: '.', udpPayloadSize: EDNS_PAYLOAD, flags: 0, options: [] } as unknown as Answer;
}

function finish(p: Packet, rcode: ReplyCode, transport: 'udp' | 'tcp', limit: number): { reply: Buffer; outcome: Outcome } {
  let buf = dnsPacket.encode(p);
  let truncated = false;
  if (transport === 'udp' && buf.length > Math.min(limit, EDNS_PAYLOAD)) {
    // RFC 2181 §9: drop whole sections rather than cut records; TC tells the client to use TCP.
    truncated = true;
    buf = dnsPacket.encode({ ...p, flags: (p.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE, answers: [], authorities: [], additionals: (p.additionals ?? []).filter((a) => a.type === 'OPT') });
  }
  return { reply: buf, outcome: { rcode, truncated } };
}
