import { createLocalJWKSet, errors, jwtVerify, SignJWT, type JSONWebKeySet, type JWTPayload } from 'jose';
import type { Clock } from '../clock.js';
import type { Secrets } from '../config/secrets.js';
import { InvalidTokenError } from './oauthErrors.js';

/** `at+jwt` marks access tokens (RFC 9068 §2.1); everything else is a plain `JWT`. */
export type JwtType = 'at+jwt' | 'JWT';

export interface SignerDeps {
  secrets: Pick<Secrets, 'signingKey'>;
  clock: Clock;
  /** Read at each use: the server registers its listening URL after the container is built. */
  readonly issuer: string;
}

/**
 * Signs and verifies this server's JWTs with its one signing key. Verification goes through the same
 * key set the JWKS endpoint serves, so adding a second (rotated) key later changes only `jwks()`.
 */
export class JwtSigner {
  private readonly keySet: ReturnType<typeof createLocalJWKSet>;

  constructor(private readonly deps: SignerDeps) {
    this.keySet = createLocalJWKSet(this.jwks());
  }

  jwks(): JSONWebKeySet {
    const { signingKey } = this.deps.secrets;
    return { keys: [{ ...signingKey.publicJwk, kid: signingKey.kid, alg: signingKey.alg, use: 'sig' }] };
  }

  /** `iss`, `iat` and `exp` are set here; `now` is shared by every token of one response. */
  async sign(claims: JWTPayload, options: { now: Date; ttlSeconds: number; typ: JwtType }): Promise<string> {
    const { signingKey } = this.deps.secrets;
    const iat = Math.floor(options.now.getTime() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: signingKey.alg, kid: signingKey.kid, typ: options.typ })
      .setIssuer(this.deps.issuer)
      .setIssuedAt(iat)
      .setExpirationTime(iat + options.ttlSeconds)
      .sign(signingKey.privateKey);
  }

  /** Signature, `iss`, `aud`, `typ` and `exp` (against the injected clock); `InvalidTokenError` otherwise. */
  async verify(token: string, options: { audience: string; typ: JwtType }): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(token, this.keySet, {
        issuer: this.deps.issuer,
        audience: options.audience,
        typ: options.typ,
        algorithms: [this.deps.secrets.signingKey.alg],
        currentDate: this.deps.clock.now(),
      });
      return payload;
    } catch (error) {
      if (error instanceof errors.JOSEError) throw new InvalidTokenError(describe(error));
      throw error;
    }
  }
}

function describe(error: InstanceType<typeof errors.JOSEError>): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `the token's ${error.claim} claim is not valid here`;
  return 'the token is malformed or its signature is not valid';
}
