import { Router } from '@koa/router';
import type { FromSchema } from 'json-schema-to-ts';
import type { Cradle } from '../../../cradle.js';
import type { ProviderChoice } from '../../../sms/tenantSmsProviders.js';
import { compileSchema } from '../../../validation/compileSchema.js';
import { SchemaValidationError } from '../../../validation/schemaValidationError.js';
import { requireClient } from '../../auth.js';
import { eventMetadata } from '../../eventMetadata.js';
import { describeRoute } from '../../openapi/routeDescription.js';
import type { AppState } from '../../types.js';
import { managementToken, MOSAIC } from './schemas.js';

const choiceSchema = {
  type: 'object',
  required: ['provider'],
  properties: { provider: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

const putSchema = {
  type: 'object',
  required: ['provider'],
  properties: { ...choiceSchema.properties, fallback: { type: 'array', maxItems: 3, items: choiceSchema } },
} as const;

const parsePut = compileSchema<FromSchema<typeof putSchema>>(putSchema);

/**
 * A tenant's SMS provider (seed "Use custom SMS providers"), with a management token:
 * `PUT /cis/v1/tenantsmsproviders { provider, <settings key>: {...}, fallback?: [...] }` validates the settings
 * with the provider's own schema, runs its registration check, then records them (secrets sealed);
 * `GET` answers the same shape with secrets masked.
 */
export function cisTenantSmsProviderRoutes(cradle: Cradle): Router<AppState> {
  const { tokens, tenantSmsProviders } = cradle;
  const router = new Router<AppState>();
  const auth = requireClient(tokens, ['management']);

  /** The choice in one body object, its settings checked with the plugin's schema; errors name `<path>/<settings key>/<field>`. */
  const readChoice = (body: Record<string, unknown>, path: string): ProviderChoice => {
    const { plugin, parseConfig } = tenantSmsProviders.plugin(body.provider as string);
    const key = plugin.settingsKey;
    const problems = Object.keys(body)
      .filter((name) => name !== 'provider' && name !== key && !(path === '' && name === 'fallback'))
      .map((name) => `${path}/${name} is not allowed (provider ${plugin.name} takes its settings in "${key}")`);
    if (problems.length > 0) throw new SchemaValidationError(problems);
    try {
      return { provider: plugin.name, settings: parseConfig(body[key] ?? {}) as Record<string, unknown> };
    } catch (error) {
      if (!(error instanceof SchemaValidationError)) throw error;
      throw new SchemaValidationError(
        error.problems.map((problem) => `${path}/${key}${problem.startsWith('/ ') ? problem.slice(1) : problem}`),
      );
    }
  };

  const shape = (chain: ProviderChoice[]) => {
    const entry = ({ provider, settings }: ProviderChoice) => ({
      provider,
      [tenantSmsProviders.plugin(provider).plugin.settingsKey]: settings,
    });
    const [primary, ...fallback] = chain;
    return { ...entry(primary!), fallback: fallback.map(entry) };
  };

  const providersBody = {
    type: 'object',
    required: ['provider', 'fallback'],
    description: "The provider's settings are under its settings key (`twilio`, `custom_gateway`, ...), secrets masked.",
    properties: {
      provider: { type: 'string' },
      fallback: { type: 'array', items: { type: 'object', required: ['provider'], properties: { provider: { type: 'string' } } } },
    },
  } as const;
  describeRoute(router, 'PUT /cis/v1/tenantsmsproviders', {
    summary: "Choose the tenant's SMS provider (and fallbacks) with their settings",
    tag: MOSAIC,
    security: managementToken,
    description:
      "The settings are checked with the provider plugin's own schema and its registration check (a custom gateway's validation challenge) before they are recorded, secrets sealed.",
    request: { json: putSchema },
    responses: { 200: { description: 'the providers now in force, secrets masked', body: providersBody } },
    errors: {
      400: 'an unknown provider, settings the plugin refuses, or a failed registration check',
      401: 'no valid client access token',
      403: "the token is not a management client's",
    },
  });
  router.put('/cis/v1/tenantsmsproviders', auth, async (ctx) => {
    const body = parsePut(ctx.request.body) as Record<string, unknown> & { fallback?: Record<string, unknown>[] };
    const { tenantId, clientId } = ctx.state.auth;
    const primary = readChoice(body, '');
    const fallback = (body.fallback ?? []).map((choice, index) => readChoice(choice, `/fallback/${index}`));
    await tenantSmsProviders.configure(tenantId, primary, fallback, eventMetadata(ctx, tenantId, clientId));
    ctx.body = shape((await tenantSmsProviders.describe(tenantId)).chain);
  });

  describeRoute(router, 'GET /cis/v1/tenantsmsproviders', {
    summary: "The tenant's SMS providers, secrets masked",
    tag: MOSAIC,
    security: managementToken,
    responses: { 200: { description: 'the providers in force', body: providersBody } },
    errors: { 401: 'no valid client access token', 403: "the token is not a management client's" },
  });
  router.get('/cis/v1/tenantsmsproviders', auth, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = shape((await tenantSmsProviders.describe(ctx.state.auth.tenantId)).chain);
  });

  return router;
}
