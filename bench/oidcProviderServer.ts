// The peer for bench:otp: node-oidc-provider (a certified OpenID provider, on Koa) issuing `client_credentials`
// access tokens as ES256 JWTs, in its own process like otpledger. Its default in-memory adapter stores nothing
// for a JWT access token, so this is its token endpoint's own cost: client authentication, the grant, one signature.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { PEER_CLIENT } from './peerClient.js';

const RESOURCE = 'urn:otpledger:bench';

const { privateKey } = await generateKeyPair('ES256', { extractable: true });
const provider = new Provider('http://127.0.0.1', {
  clients: [
    {
      ...PEER_CLIENT,
      id_token_signed_response_alg: 'ES256',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig', kid: 'bench' }] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: '',
        audience: RESOURCE,
        accessTokenFormat: 'jwt',
        accessTokenTTL: 3600,
        jwt: { sign: { alg: 'ES256' } },
      }),
    },
  },
});
const server = createServer(provider.callback());
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
