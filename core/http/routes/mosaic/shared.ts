import type { Application } from '../../../applications/applicationDecider.js';
import type { Cradle } from '../../../cradle.js';
import type { UnknownIdentifier } from '../../../otp/otpService.js';
import { parsePhoneNumber } from '../../../users/phoneNumber.js';
import type { LookupKind } from '../../../users/userDirectory.js';
import { HttpError } from '../../httpError.js';

/** The calling application (its token was valid, so it exists unless it was deleted since). */
export async function loadApp({ applications }: Pick<Cradle, 'applications'>, clientId: string): Promise<Application> {
  const app = await applications.get(clientId);
  if (!app) throw new HttpError(401, 'invalid_token', 'the application of this token no longer exists');
  return app;
}

/** One answer for a wrong, expired, used or unknown code, and for an unknown user (no harvesting). */
export const invalidPasscode = () => new HttpError(401, 'invalid_passcode', 'invalid or expired passcode');

/** An identifier that matched no user, as the unknown path counts it (by its keyed hash). */
export function unknownIdentifier({ users }: Pick<Cradle, 'users'>, type: string, value: string): UnknownIdentifier {
  if (type !== 'phone_number') return { type, hash: users.identifierHash(type as LookupKind, value) };
  const phone = parsePhoneNumber(value);
  return { type, hash: users.identifierHash('phone_number', phone.e164), phone };
}
