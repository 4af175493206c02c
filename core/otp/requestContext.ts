/**
 * The request behind a command, as the dialect received it: the generic context every send carries, whichever
 * dialect took it. It is never stored; events hold at most a keyed hash of the address.
 */
export interface RequestContext {
  /**
   * The caller's address as this server sees it: the socket's peer, or the client named by `X-Forwarded-For`
   * when the peer is one of `server.trustedProxies`.
   */
  ip: string;
  userAgent?: string;
  /**
   * True when the caller is a public client (no secret: an app on the end user's device), so the address is
   * the end user's and per-address limits apply. False for a confidential client, whose address is its backend.
   */
  publicClient: boolean;
}
