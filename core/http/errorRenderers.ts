import { STATUS_CODES } from 'node:http';
import type { HttpError } from './httpError.js';
import { twilioErrorRenderer } from './routes/twilio/twilioErrors.js';

/** What a client may learn about an error (5xx detail already removed). */
export interface PublicError {
  status: number;
  code: string;
  description: string;
}

export type ErrorBodyRenderer = (error: PublicError) => unknown;

/** Routes under `pathPrefix` (the prefix itself or below it) answer errors in their own shape. */
export interface ErrorRenderer {
  pathPrefix: string;
  /**
   * The dialect's own reading of what was thrown: its status and code for an error whose meaning it names
   * differently from the shared mapping (Twilio's numeric codes). Undefined leaves the error to the shared mapping.
   */
  translate?: (thrown: unknown) => HttpError | undefined;
  render: ErrorBodyRenderer;
  /** The body `render` answers, as a JSON Schema named for the OpenAPI document's `components.schemas`. */
  schema?: { name: string; schema: object };
}

const text = { type: 'string' } as const;
const integer = { type: 'integer' } as const;
const errorSchema = (required: readonly string[], properties: Record<string, object>) =>
  ({ type: 'object', required, properties, additionalProperties: false }) as const;

/** `{ error, error_description }`: OAuth 2.0 (RFC 6749 §5.2), Auth0's Authentication API, the admin API, everything else. */
export const oauthErrorSchema = { name: 'OAuthError', schema: errorSchema(['error', 'error_description'], { error: text, error_description: text }) };
export const cisErrorSchema = { name: 'MosaicError', schema: errorSchema(['message', 'error_code'], { message: text, error_code: integer }) };
export const auth0ManagementErrorSchema = {
  name: 'Auth0ManagementError',
  schema: errorSchema(['statusCode', 'error', 'message', 'errorCode'], { statusCode: integer, error: text, message: text, errorCode: text }),
};

/** The default shape, OAuth 2.0 style (RFC 6749 §5.2). */
export const oauthErrorBody: ErrorBodyRenderer = ({ code, description }) => ({
  error: code,
  error_description: description,
});

/** The Mosaic shape for `/cis` routes: `{ message, error_code }`, the code being the HTTP status. */
export const cisErrorBody: ErrorBodyRenderer = ({ status, description }) => ({ message: description, error_code: status });

/** Auth0's Management API shape for `/api/v2`: `{ statusCode, error: <reason phrase>, message, errorCode }`. */
export const auth0ManagementErrorBody: ErrorBodyRenderer = ({ status, code, description }) => ({
  statusCode: status,
  error: STATUS_CODES[status] ?? 'Error',
  message: description,
  errorCode: code,
});

/**
 * Path prefixes whose clients expect another error shape than `{ error, error_description }`.
 * Add one line per API family, e.g. `{ pathPrefix: '/cis', render: cisErrorBody }`.
 */
export const errorRenderers: ErrorRenderer[] = [
  { pathPrefix: '/cis', render: cisErrorBody, schema: cisErrorSchema },
  { pathPrefix: '/api/v2', render: auth0ManagementErrorBody, schema: auth0ManagementErrorSchema },
  twilioErrorRenderer,
];

export const oauthRenderer: ErrorRenderer = { pathPrefix: '/', render: oauthErrorBody, schema: oauthErrorSchema };

export function rendererFor(path: string, renderers: readonly ErrorRenderer[]): ErrorRenderer {
  return renderers.find(({ pathPrefix }) => path === pathPrefix || path.startsWith(`${pathPrefix}/`)) ?? oauthRenderer;
}
