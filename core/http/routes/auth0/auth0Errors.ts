import { STATUS_CODES } from 'node:http';
import { SmsProviderError } from '@otpledger/plugin-kit';
import { IpBlockedError } from '../../../auth0/bruteForceDecider.js';
import { ConnectionNotEnabledError, SignupDisabledError, WrongVerificationCodeError } from '../../../auth0/passwordlessErrors.js';
import { SmsSendRefusedError } from '../../../protection/smsSendRefused.js';
import { QueryValidationError, SchemaValidationError } from '../../../validation/schemaValidationError.js';
import type { ErrorRenderer } from '../../errorRenderers.js';
import { HttpError } from '../../httpError.js';
import { grantRefusal, oauthErrorBody, oauthErrorSchema } from '../oauth/oauthErrorRenderer.js';
import { smsRefusal } from '../../toHttpError.js';

/**
 * Auth0's Authentication API (`/passwordless/start`, `/oauth/token`, `/oauth/revoke`) speaks OAuth's shape, and
 * answers the passwordless flow's refusals in its own words: the provider's own words as 400 `sms_provider_error`
 * (seed "custom SMS gateway"), a wrong code 403 `invalid_grant`, a blocked IP 429 `too_many_attempts`, a connection
 * not enabled for the client 400 `bad.connection`, a send refused by SMS protection 429 `too_many_requests` (with
 * `Retry-After`) or 403 `access_denied`. A refused grant is 400 `invalid_grant`, as at every token endpoint.
 */
function translate(thrown: unknown): HttpError | undefined {
  const refusal = grantRefusal(thrown);
  if (refusal) return refusal;
  if (thrown instanceof SmsProviderError) return new HttpError(400, 'sms_provider_error', thrown.message, { cause: thrown });
  if (thrown instanceof WrongVerificationCodeError) return new HttpError(403, 'invalid_grant', thrown.message, { cause: thrown });
  if (thrown instanceof IpBlockedError) return new HttpError(429, 'too_many_attempts', thrown.message, { cause: thrown });
  if (thrown instanceof ConnectionNotEnabledError) return new HttpError(400, 'bad.connection', thrown.message, { cause: thrown });
  if (thrown instanceof SignupDisabledError) return new HttpError(400, 'access_denied', thrown.message, { cause: thrown });
  if (thrown instanceof SmsSendRefusedError) return smsRefusal(thrown, thrown.rateLimited ? 'too_many_requests' : 'access_denied');
  return undefined;
}

export const auth0AuthenticationErrorRenderer: ErrorRenderer = {
  pathPrefixes: ['/passwordless', '/oauth'],
  translate,
  render: oauthErrorBody,
  schema: oauthErrorSchema,
};

const text = { type: 'string' } as const;
const integer = { type: 'integer' } as const;

/**
 * A query or body its schema refuses, in the Management API's words: 400 `invalid_query_string`, "Query validation
 * error: ...", or 400 `invalid_body`, "Payload validation error: ...", naming every bad parameter or field.
 */
function translateManagement(thrown: unknown): HttpError | undefined {
  if (thrown instanceof QueryValidationError)
    return new HttpError(400, 'invalid_query_string', `Query validation error: ${thrown.message}`, { cause: thrown });
  if (thrown instanceof SchemaValidationError)
    return new HttpError(400, 'invalid_body', `Payload validation error: ${thrown.message}`, { cause: thrown });
  return undefined;
}

/**
 * Auth0's Management API (`/api/v2`) answers `{ statusCode, error: <reason phrase>, message, errorCode }`; its
 * refusals mean what the shared mapping says (an unknown connection is 404), and a refused query or body is said
 * as Auth0 says it (`translateManagement`).
 */
export const auth0ManagementErrorRenderer: ErrorRenderer = {
  pathPrefixes: ['/api/v2'],
  translate: translateManagement,
  render: ({ status, code, description }) => ({
    statusCode: status,
    error: STATUS_CODES[status] ?? 'Error',
    message: description,
    errorCode: code,
  }),
  schema: {
    name: 'Auth0ManagementError',
    schema: {
      type: 'object',
      required: ['statusCode', 'error', 'message', 'errorCode'],
      additionalProperties: false,
      properties: { statusCode: integer, error: text, message: text, errorCode: text },
    },
  },
};
