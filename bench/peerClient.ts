/** The one client of the peer server (`oidcProviderServer.ts`), shared with the bench that drives it. */
export const PEER_CLIENT = { client_id: 'bench-peer', client_secret: 'bench-peer-secret-0123456789' };
