import { expect } from 'chai';
import { clientForm, clients, redirectUri, startOidcServer, tenantId, type OidcServer } from '../support/oidcServer.js';

describe('tokens are never stored', () => {
  let server: OidcServer;
  before(async () => (server = await startOidcServer()));
  after(() => server.close());

  it('no event holds a token, a signature of one, or an authorization code: only their ids and hashes', async () => {
    const { cradle } = server;
    const secrets: string[] = [];
    const client = await server.token({ grant_type: 'client_credentials', ...clientForm(clients.web.clientId) });
    secrets.push(client.body.access_token);

    const code = await cradle.authorizationCodes.issue({
      tenantId,
      clientId: clients.web.clientId,
      redirectUri,
      phoneNumber: '+14155550400',
      createNewUser: true,
      metadata: {},
    });
    secrets.push(code);
    const signedIn = await server.token({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      ...clientForm(clients.web.clientId),
    });
    expect(signedIn.status).to.equal(200);
    const refreshed = await server.token({
      grant_type: 'refresh_token',
      refresh_token: signedIn.body.refresh_token,
      ...clientForm(clients.web.clientId),
    });
    expect(refreshed.status).to.equal(200);
    const replayed = await server.token({
      grant_type: 'refresh_token',
      refresh_token: signedIn.body.refresh_token,
      ...clientForm(clients.web.clientId),
    });
    expect(replayed.status).to.equal(400);
    for (const response of [signedIn, refreshed])
      secrets.push(response.body.access_token, response.body.id_token, response.body.refresh_token);

    const recorded: string[] = [];
    const types = new Set<string>();
    for await (const event of cradle.eventStore.readAll()) {
      types.add(event.type);
      recorded.push(JSON.stringify({ stream: event.streamName, data: event.data, metadata: event.metadata }));
    }
    expect([...types]).to.include.members([
      'SessionStarted',
      'TokensIssued',
      'SessionRevoked',
      'AuthorizationCodeIssued',
      'AuthorizationCodeRedeemed',
    ]);
    const everything = recorded.join('\n');
    for (const secret of secrets) {
      expect(everything).to.not.include(secret);
      // a JWT's signature alone would do as a proof of possession in some places: not that either
      if (secret.includes('.')) expect(everything).to.not.include(secret.split('.')[2]!);
    }
  });
});
