import { Router } from '@koa/router';
import type { FromSchema } from 'json-schema-to-ts';
import type { Application } from '../../../applications/applicationDecider.js';
import { defaultOtpSettings, tokenEndpointAuthMethods, type ApplicationSettings } from '../../../applications/applicationEvents.js';
import { redirectUriProblems } from '../../../applications/redirectUris.js';
import type { Cradle } from '../../../cradle.js';
import { compileSchema } from '../../../validation/compileSchema.js';
import { SchemaValidationError } from '../../../validation/schemaValidationError.js';
import { oneLineText } from '../../../validation/textFields.js';
import { requireClient } from '../../auth.js';
import type { AppState } from '../../types.js';
import { eventMetadata } from '../../eventMetadata.js';
import { notFound } from '../../httpError.js';
import { describeRoute } from '../../openapi/routeDescription.js';
import { adminRoute, applicationSchema, management, result } from './adminDescriptions.js';

const otpSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    code_length: { type: 'integer', minimum: 4, maximum: 10 },
    expires_in_minutes: { type: 'integer', minimum: 1, maximum: 1440 },
    max_failed_attempts: { type: 'integer', minimum: 1, maximum: 100 },
    lockout_minutes: { type: 'integer', minimum: 1, maximum: 10080 },
  },
} as const;

const settingsProperties = {
  name: { type: 'string', minLength: 1, maxLength: 200, ...oneLineText },
  role: { type: 'string', enum: ['app', 'management', 'auditor'] },
  redirect_uris: { type: 'array', maxItems: 50, items: { type: 'string', format: 'uri', maxLength: 2000 } },
  public_signup: { type: 'boolean' },
  otp: otpSchema,
  id_token_signed_response_alg: { type: 'string', enum: ['ES256', 'RS256'] },
} as const;

const createSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    client_id: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{2,99}$' },
    ...settingsProperties,
    /** Set at registration only: `none` registers a public client, which gets no secret. */
    token_endpoint_auth_method: { type: 'string', enum: tokenEndpointAuthMethods },
  },
} as const;

const updateSchema = { type: 'object', additionalProperties: false, minProperties: 1, properties: settingsProperties } as const;

const parseCreate = compileSchema<FromSchema<typeof createSchema>>(createSchema);
const parseUpdate = compileSchema<FromSchema<typeof updateSchema>>(updateSchema);

const appBody = (app: Application) => ({
  client_id: app.clientId,
  tenant_id: app.tenantId,
  name: app.name,
  role: app.role,
  redirect_uris: app.redirect_uris,
  public_signup: app.public_signup,
  otp: app.otp,
  token_endpoint_auth_method: app.token_endpoint_auth_method ?? 'client_secret_basic',
  ...(app.id_token_signed_response_alg && { id_token_signed_response_alg: app.id_token_signed_response_alg }),
});

/** The redirect URI rules (`redirectUris.ts`), as a 400 naming each offending entry. */
function checkRedirectUris(uris: readonly string[] | undefined): void {
  const problems = redirectUriProblems(uris ?? [], '/redirect_uris');
  if (problems.length > 0) throw new SchemaValidationError(problems);
}

/**
 * The admin API for a tenant's applications, authorised by a management client's token; every
 * change is an event on the application's stream. A client secret is shown once, when created or
 * rotated, and stored only as a keyed hash.
 */
export function adminApplicationRoutes(cradle: Cradle): Router<AppState> {
  const { tokens, applications, eventStore, ids } = cradle;
  const router = new Router<AppState>();
  const auth = requireClient(tokens, ['management']);

  const ownApp = async (tenantId: string, clientId: string) => {
    const app = await applications.get(clientId);
    if (!app || app.tenantId !== tenantId) throw notFound('application not found');
    return app;
  };

  const notFoundError = { 404: 'no application of this tenant has that client_id' };
  describeRoute(
    router,
    'GET /admin/v1/applications',
    adminRoute({
      summary: "The tenant's applications",
      security: management,
      responses: { 200: { description: 'every application', body: result({ type: 'array', items: applicationSchema }) } },
    }),
  );
  router.get('/admin/v1/applications', auth, async (ctx) => {
    const { tenantId } = ctx.state.auth;
    const clientIds: string[] = [];
    for await (const event of eventStore.readAll({ filter: { streamPrefixes: ['client-'], eventTypes: ['ApplicationRegistered'] } })) {
      if ((event.data as { tenantId: string }).tenantId === tenantId) clientIds.push((event.data as { clientId: string }).clientId);
    }
    const apps = await Promise.all(clientIds.map((clientId) => applications.get(clientId)));
    ctx.body = { result: apps.filter((app): app is Application => !!app).map(appBody) };
  });

  describeRoute(
    router,
    'POST /admin/v1/applications',
    adminRoute({
      summary: 'Register an application (its secret is shown once)',
      security: management,
      request: { json: createSchema },
      responses: { 201: { description: 'registered, with its client_secret unless public', body: result(applicationSchema) } },
      errors: { 400: 'the body breaks the schema or a redirect URI is refused', 409: 'the client_id is taken' },
    }),
  );
  router.post('/admin/v1/applications', auth, async (ctx) => {
    const body = parseCreate(ctx.request.body);
    checkRedirectUris(body.redirect_uris);
    const { tenantId, clientId: actor } = ctx.state.auth;
    const settings: ApplicationSettings = {
      name: body.name,
      role: body.role ?? 'app',
      redirect_uris: body.redirect_uris ?? [],
      public_signup: body.public_signup ?? false,
      otp: { ...defaultOtpSettings, ...body.otp },
      token_endpoint_auth_method: body.token_endpoint_auth_method ?? 'client_secret_basic',
      ...(body.id_token_signed_response_alg && { id_token_signed_response_alg: body.id_token_signed_response_alg }),
    };
    const { app, clientSecret } = await applications.register(
      tenantId,
      body.client_id ?? ids.uuid(),
      settings,
      eventMetadata(ctx, tenantId, actor),
    );
    ctx.status = 201;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { result: { ...appBody(app), ...(clientSecret !== undefined && { client_secret: clientSecret }) } };
  });

  describeRoute(
    router,
    'GET /admin/v1/applications/:clientId',
    adminRoute({
      summary: 'An application',
      security: management,
      responses: { 200: { description: 'the application', body: result(applicationSchema) } },
      errors: notFoundError,
    }),
  );
  router.get('/admin/v1/applications/:clientId', auth, async (ctx) => {
    ctx.body = { result: appBody(await ownApp(ctx.state.auth.tenantId, ctx.params.clientId!)) };
  });

  describeRoute(
    router,
    'PATCH /admin/v1/applications/:clientId',
    adminRoute({
      summary: "Change an application's settings or OTP policy",
      security: management,
      request: { json: updateSchema },
      responses: { 200: { description: 'the application as changed', body: result(applicationSchema) } },
      errors: { 400: 'the body breaks the schema or a redirect URI is refused', ...notFoundError },
    }),
  );
  router.patch('/admin/v1/applications/:clientId', auth, async (ctx) => {
    const body = parseUpdate(ctx.request.body);
    checkRedirectUris(body.redirect_uris);
    const { tenantId, clientId: actor } = ctx.state.auth;
    const current = await ownApp(tenantId, ctx.params.clientId!);
    const { otp, ...rest } = body;
    const app = await applications.update(
      tenantId,
      current.clientId,
      { ...rest, ...(otp && { otp: { ...current.otp, ...otp } }) },
      eventMetadata(ctx, tenantId, actor),
    );
    ctx.body = { result: appBody(app) };
  });

  describeRoute(
    router,
    'POST /admin/v1/applications/:clientId/secret',
    adminRoute({
      summary: "Rotate an application's client secret (shown once)",
      security: management,
      responses: { 200: { description: 'the application with its new client_secret', body: result(applicationSchema) } },
      errors: { 400: 'a public client has no secret', ...notFoundError },
    }),
  );
  router.post('/admin/v1/applications/:clientId/secret', auth, async (ctx) => {
    const { tenantId, clientId: actor } = ctx.state.auth;
    const current = await ownApp(tenantId, ctx.params.clientId!);
    const { app, clientSecret } = await applications.rotateSecret(tenantId, current.clientId, eventMetadata(ctx, tenantId, actor));
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { result: { ...appBody(app), client_secret: clientSecret } };
  });

  return router;
}
