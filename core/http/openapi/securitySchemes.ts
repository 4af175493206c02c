/**
 * The ways a caller proves who it is, as OpenAPI security schemes. A route's requirement names one and, for the
 * bearer tokens, the client roles it admits (OpenAPI 3.1 lets a non-OAuth requirement list roles).
 */
export const securitySchemes = {
  clientToken: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'A client access token (`client_credentials` at `POST /oidc/token`). The requirement lists the client roles admitted: `app`, `management`, `auditor`.',
  },
  userToken: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'A user access token of an active session (from an OTP login or a code exchange).',
  },
  clientSecretBasic: {
    type: 'http',
    scheme: 'basic',
    description:
      'The client id and secret as HTTP Basic (`client_secret_basic`). The same endpoints take them as `client_id` and `client_secret` form fields instead (`client_secret_post`), and a public client sends its `client_id` only (`none`).',
  },
  twilioBasic: {
    type: 'http',
    scheme: 'basic',
    description:
      "HTTP Basic with a client's id and secret where Twilio takes an API key SID and secret (`twilio(clientId, clientSecret, { accountSid })`).",
  },
} as const;

/** Client credentials: HTTP Basic, or the form fields of the body (the `{}` alternative), or none for a public client. */
export const clientCredentials: Record<string, string[]>[] = [{ clientSecretBasic: [] }, {}];
