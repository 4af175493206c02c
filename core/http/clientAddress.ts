import ipaddr from 'ipaddr.js';
import { canonicalIp, inRanges, parseIpRange } from '../support/ipRange.js';
import type { Socket } from 'node:net';
import type { AppMiddleware } from './types.js';

/** A keep-alive connection carries many requests from one peer: its address is parsed once. */
const peers = new WeakMap<Socket, { peer: string; canonical: string }>();

function peerOf(socket: Socket): { peer: string; canonical: string } {
  let known = peers.get(socket);
  if (!known) {
    const peer = socket.remoteAddress ?? '';
    known = { peer, canonical: canonicalIp(peer) };
    peers.set(socket, known);
  }
  return known;
}

/**
 * The caller's address (`ctx.state.clientIp`): the socket's peer, unless the peer is one of `trustedProxies`;
 * then `X-Forwarded-For` is read from the right, skipping the trusted proxies it names, and the first other
 * address is the client. With no trusted proxies (the default) the header is never read: anyone can write it.
 */
export function clientAddress(trustedProxies: readonly string[]): AppMiddleware {
  const ranges = trustedProxies.map(parseIpRange);
  return async (ctx, next) => {
    const { peer, canonical } = peerOf(ctx.req.socket);
    let client = canonical;
    if (ranges.length > 0 && inRanges(peer, ranges)) {
      const hops = ctx
        .get('X-Forwarded-For')
        .split(',')
        .map((hop) => hop.trim())
        .filter(Boolean);
      for (let i = hops.length - 1; i >= 0; i--) {
        const hop = hops[i]!;
        if (!ipaddr.isValid(hop)) break; // a garbled entry: the last address known good stands
        client = canonicalIp(hop);
        if (!inRanges(hop, ranges)) break;
      }
    }
    ctx.state.clientIp = client;
    await next();
  };
}
