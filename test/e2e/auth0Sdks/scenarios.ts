import { AuthClient } from '@auth0/auth0-auth-js';
import { ManagementClient } from 'auth0';
import { AuthenticationClient, ManagementClient as LegacyManagementClient, UserInfoClient } from 'auth0/legacy';
import { expect } from 'chai';
import * as oidc from 'openid-client';

/** What the parent test tells the SDK process: where otpledger listens behind TLS, and the demo tenant's clients. */
export interface SdkEnvironment {
  /** `localhost:<port>`: what an SDK takes as its Auth0 domain (it prepends `https://`). */
  domain: string;
  web: { clientId: string; clientSecret: string };
  admin: { clientId: string; clientSecret: string };
}

interface Context extends SdkEnvironment {
  connectionId?: string;
  tokens?: { access_token: string; refresh_token?: string; id_token?: string };
  authJsTokens?: { accessToken: string; refreshToken?: string };
}

let phoneSeq = 0;
const nextPhone = () => `+1512555${String(7000 + phoneSeq++).padStart(4, '0')}`;

/** The newest code sent to a phone, from the development outbox, over the same TLS endpoint. */
async function lastCode(ctx: Context, phone: string): Promise<string> {
  const response = await fetch(`https://${ctx.domain}/dev/sms-outbox?phone_number=${encodeURIComponent(phone)}`);
  const [message] = (await response.json()) as { message: string }[];
  return /\d{4,10}/.exec(message?.message ?? '')?.[0] ?? '';
}

const management = (ctx: Context) =>
  new ManagementClient({ domain: ctx.domain, clientId: ctx.admin.clientId, clientSecret: ctx.admin.clientSecret });
const authentication = (ctx: Context) =>
  new AuthenticationClient({ domain: ctx.domain, clientId: ctx.web.clientId, clientSecret: ctx.web.clientSecret });
const authJs = (ctx: Context) => new AuthClient({ domain: ctx.domain, clientId: ctx.web.clientId, clientSecret: ctx.web.clientSecret });

/**
 * Each check drives an official SDK, configured as its documentation says, against `https://<domain>`. They run in
 * order in one process (started with `NODE_EXTRA_CA_CERTS`) and share what they obtained through `ctx`.
 */
export const scenarios: { name: string; run(ctx: Context): Promise<void> }[] = [
  {
    name: 'auth0 ManagementClient: its client_credentials token, then connections.list({ strategy: ["sms"] }) pages (take/from, next)',
    async run(ctx) {
      const page = await management(ctx).connections.list({ strategy: ['sms'], take: 10 });
      expect(page.data).to.have.length(1);
      expect(page.data[0]).to.include({ strategy: 'sms', name: 'sms' });
      expect(page.hasNextPage()).to.equal(false);
      ctx.connectionId = page.data[0]!.id!;
    },
  },
  {
    name: 'auth0 ManagementClient: connections.get and connections.update with the seed payload, enabling the web app',
    async run(ctx) {
      const client = management(ctx);
      const connection = await client.connections.get(ctx.connectionId!);
      expect(connection).to.include({ id: ctx.connectionId, strategy: 'sms' });
      const updated = await client.connections.update(ctx.connectionId!, {
        options: {
          template: 'Your verification code is: @@password@@',
          totp: { time_step: 300, length: 6 },
          brute_force_protection: true,
          disable_signup: false,
        },
        enabled_clients: [ctx.web.clientId],
      } as Parameters<typeof client.connections.update>[1]);
      expect(updated.enabled_clients).to.deep.equal([ctx.web.clientId]);
    },
  },
  {
    name: 'auth0 ManagementClient: userBlocks.listByIdentifier for a phone',
    async run(ctx) {
      const blocks = await management(ctx).userBlocks.listByIdentifier({ identifier: nextPhone() });
      expect(blocks.blocked_for).to.deep.equal([]);
    },
  },
  {
    name: 'auth0/legacy ManagementClient: connections.getAll with include_totals, page and per_page',
    async run(ctx) {
      const client = new LegacyManagementClient({ domain: ctx.domain, clientId: ctx.admin.clientId, clientSecret: ctx.admin.clientSecret });
      const { data } = await client.connections.getAll({ include_totals: true, page: 0, per_page: 5, strategy: ['sms'] });
      expect(data).to.include({ start: 0, limit: 5, total: 1 });
      expect(data.connections.map((connection) => connection.id)).to.deep.equal([ctx.connectionId]);
    },
  },
  {
    name: 'auth0/legacy AuthenticationClient: passwordless.sendSMS, then loginWithSMS (the SDK verifies the RS256 id_token against /.well-known/jwks.json)',
    async run(ctx) {
      const client = authentication(ctx);
      const phone = nextPhone();
      await client.passwordless.sendSMS({ phone_number: phone });
      const { data } = await client.passwordless.loginWithSMS({
        phone_number: phone,
        code: await lastCode(ctx, phone),
        scope: 'openid phone offline_access',
      });
      expect(data).to.include({ token_type: 'Bearer', scope: 'openid phone offline_access' });
      expect(data.refresh_token).to.be.a('string');
      ctx.tokens = data as Context['tokens'];
    },
  },
  {
    name: 'auth0/legacy UserInfoClient: getUserInfo with the user access token',
    async run(ctx) {
      const { data } = await new UserInfoClient({ domain: ctx.domain }).getUserInfo(ctx.tokens!.access_token);
      expect(data).to.have.property('sub').that.is.a('string');
      expect(data).to.have.property('phone_number_verified', true);
    },
  },
  {
    name: 'auth0/legacy AuthenticationClient: oauth.refreshTokenGrant (id_token verified again), then revokeRefreshToken ends the session',
    async run(ctx) {
      const client = authentication(ctx);
      const { data } = await client.oauth.refreshTokenGrant({ refresh_token: ctx.tokens!.refresh_token! });
      expect(data.access_token).to.be.a('string');
      await client.oauth.revokeRefreshToken({ token: data.refresh_token! });
      const after = await client.oauth.refreshTokenGrant({ refresh_token: data.refresh_token! }).catch((error: unknown) => error);
      expect(after).to.include({ name: 'AuthApiError', error: 'invalid_grant', statusCode: 400 });
    },
  },
  {
    name: 'auth0/legacy AuthenticationClient: oauth.clientCredentialsGrant with an audience',
    async run(ctx) {
      const { data } = await authentication(ctx).oauth.clientCredentialsGrant({ audience: `https://${ctx.domain}/api/v2/` });
      expect(data).to.include({ token_type: 'Bearer' });
    },
  },
  {
    name: '@auth0/auth0-auth-js: passwordless.sendSms, then getTokenByPasswordlessSms at the discovered token endpoint',
    async run(ctx) {
      const client = authJs(ctx);
      const phone = nextPhone();
      await client.passwordless.sendSms({ phoneNumber: phone });
      const tokens = await client.getTokenByPasswordlessSms({
        phoneNumber: phone,
        code: await lastCode(ctx, phone),
        scope: 'openid phone offline_access',
      });
      expect(tokens.claims).to.include({ phone_number: phone, phone_number_verified: true });
      ctx.authJsTokens = { accessToken: tokens.accessToken, ...(tokens.refreshToken && { refreshToken: tokens.refreshToken }) };
    },
  },
  {
    name: '@auth0/auth0-auth-js: getUserInfo, getTokenByRefreshToken, revokeToken',
    async run(ctx) {
      const client = authJs(ctx);
      const info = await client.getUserInfo({ accessToken: ctx.authJsTokens!.accessToken });
      expect(info).to.have.property('phone_number_verified', true);
      const refreshed = await client.getTokenByRefreshToken({ refreshToken: ctx.authJsTokens!.refreshToken! });
      expect(refreshed.accessToken).to.be.a('string');
      await client.revokeToken({ token: refreshed.refreshToken!, tokenTypeHint: 'refresh_token' });
      const after = await client.getTokenByRefreshToken({ refreshToken: refreshed.refreshToken! }).catch((error: unknown) => error);
      expect(after).to.be.instanceOf(Error);
    },
  },
  {
    name: '@auth0/auth0-auth-js: getTokenByClientCredentials',
    async run(ctx) {
      const tokens = await authJs(ctx).getTokenByClientCredentials({ audience: `https://${ctx.domain}/api/v2/` });
      expect(tokens.accessToken).to.be.a('string');
    },
  },
  {
    name: 'openid-client over TLS (no insecure requests): discovery of the issuer with its trailing slash, client_credentials',
    async run(ctx) {
      const config = await oidc.discovery(
        new URL(`https://${ctx.domain}/`),
        ctx.web.clientId,
        undefined,
        oidc.ClientSecretBasic(ctx.web.clientSecret),
      );
      expect(config.serverMetadata().issuer).to.equal(`https://${ctx.domain}/`);
      expect((await oidc.clientCredentialsGrant(config)).access_token).to.be.a('string');
    },
  },
];
