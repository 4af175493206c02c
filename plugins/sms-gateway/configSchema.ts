import type { FromSchema } from 'json-schema-to-ts';
import { oneLineText } from '@otpledger/plugin-kit';

/**
 * Tenant settings for an Auth0-style SMS gateway, named exactly as Auth0's `sms` connection options with
 * `provider: "sms_gateway"` (seed "Set Up Custom SMS Gateway for Passwordless Connections"), limits as
 * Auth0's. Auth0's example writes `"forward_req_info": "true"`; here it is a JSON boolean.
 */
export const smsGatewayConfigSchema = {
  type: 'object',
  required: ['gateway_url', 'from'],
  additionalProperties: false,
  properties: {
    gateway_url: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2000 },
    /** Sent as `sender` when the message carries no sender id of its own. */
    from: { type: 'string', minLength: 1, maxLength: 64, ...oneLineText },
    /** Forward the end user's IP address and User-Agent as `req: { ip, "user-agent" }`. */
    forward_req_info: { type: 'boolean', default: false },
    /** When present, every request carries `Authorization: Bearer <HS256 JWT>` with these `sub` and `aud`. */
    gateway_authentication: {
      type: 'object',
      required: ['method', 'subject', 'audience', 'secret'],
      additionalProperties: false,
      properties: {
        method: { type: 'string', enum: ['bearer'] },
        subject: { type: 'string', minLength: 1, maxLength: 64 },
        audience: { type: 'string', minLength: 1, maxLength: 128 },
        secret: { type: 'string', minLength: 1, maxLength: 5120 },
        /** The secret is base64url: the signing key is its decoded bytes, not its characters. */
        secret_base64_encoded: { type: 'boolean', default: false },
      },
    },
  },
} as const;

export type SmsGatewayConfig = FromSchema<typeof smsGatewayConfigSchema>;
export type GatewayAuthentication = NonNullable<SmsGatewayConfig['gateway_authentication']>;
