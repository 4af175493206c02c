import { SignJWT } from 'jose';
import { SmsProviderError } from '@otpledger/plugin-kit';
import type { GatewayAuthentication } from './configSchema.js';

/** Lifetime of a gateway token: one request, plus clock skew between us and the gateway. */
export const TOKEN_LIFETIME_SECONDS = 60;

const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;

/** The HS256 signing key: the secret's UTF-8 bytes, or its base64url-decoded bytes (`secret_base64_encoded`). */
export function signingKey(auth: GatewayAuthentication): Uint8Array {
  if (!auth.secret_base64_encoded) return new TextEncoder().encode(auth.secret);
  if (!BASE64URL.test(auth.secret)) {
    throw new SmsProviderError('invalid_config', 'gateway_authentication.secret is not base64url although secret_base64_encoded is true');
  }
  return new Uint8Array(Buffer.from(auth.secret, 'base64url'));
}

/**
 * A fresh bearer token per request, as Auth0 sends: `sub` = subject, `aud` = audience, `iat` and a short
 * `exp`, signed HS256 with the shared secret. `nowMs` is wall-clock time (epoch milliseconds).
 */
export function gatewayToken(auth: GatewayAuthentication, key: Uint8Array, nowMs: number): Promise<string> {
  const iat = Math.floor(nowMs / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(auth.subject)
    .setAudience(auth.audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + TOKEN_LIFETIME_SECONDS)
    .sign(key);
}
