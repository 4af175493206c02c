import { auth0AuthenticationErrorRenderer, auth0ManagementErrorRenderer } from './routes/auth0/auth0Errors.js';
import type { HttpError } from './httpError.js';
import { oauthErrorBody, oauthErrorSchema, oidcErrorRenderer } from './routes/oauth/oauthErrorRenderer.js';
import { mosaicErrorRenderer } from './routes/mosaic/mosaicErrors.js';
import { twilioErrorRenderer } from './routes/twilio/twilioErrors.js';

/** What a client may learn about an error (5xx detail already removed). */
export interface PublicError {
  status: number;
  code: string;
  description: string;
}

export type ErrorBodyRenderer = (error: PublicError) => unknown;

/**
 * One dialect's errors: the routes under its `pathPrefixes` (a prefix itself or below it) answer every failure,
 * an unknown path included, in its shape. The domain's errors say what happened (`DomainError.meaning` and
 * `reason`); the shared mapping (`toHttpError`) gives each a status and code, and the dialect's `translate`
 * names in its own words the errors its contract answers differently.
 */
export interface ErrorRenderer {
  pathPrefixes: readonly string[];
  /** The dialect's own status and code for an error it names differently; undefined leaves it to the shared mapping. */
  translate?: (thrown: unknown) => HttpError | undefined;
  render: ErrorBodyRenderer;
  /** The body `render` answers, as a JSON Schema named for the OpenAPI document's `components.schemas`. */
  schema?: { name: string; schema: object };
}

/** Every dialect's renderer, one per dialect (Auth0 has two APIs, two shapes): add a line with a new dialect. */
export const errorRenderers: ErrorRenderer[] = [
  mosaicErrorRenderer,
  oidcErrorRenderer,
  auth0AuthenticationErrorRenderer,
  auth0ManagementErrorRenderer,
  twilioErrorRenderer,
];

/** Everything else (the operator's `/admin` API, health, metrics) answers in OAuth's shape with the shared mapping. */
export const oauthRenderer: ErrorRenderer = { pathPrefixes: ['/'], render: oauthErrorBody, schema: oauthErrorSchema };

export function rendererFor(path: string, renderers: readonly ErrorRenderer[]): ErrorRenderer {
  const under = (prefix: string) => path === prefix || path.startsWith(`${prefix}/`);
  return renderers.find(({ pathPrefixes }) => pathPrefixes.some(under)) ?? oauthRenderer;
}
