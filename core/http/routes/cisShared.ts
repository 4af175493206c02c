import type { Application } from '../../applications/applicationDecider.js';
import type { Cradle } from '../../cradle.js';
import { HttpError } from '../httpError.js';

/** The calling application (its token was valid, so it exists unless it was deleted since). */
export async function loadApp({ applications }: Pick<Cradle, 'applications'>, clientId: string): Promise<Application> {
  const app = await applications.get(clientId);
  if (!app) throw new HttpError(401, 'invalid_token', 'the application of this token no longer exists');
  return app;
}

/** One answer for a wrong, expired, used or unknown code, and for an unknown user (no harvesting). */
export const invalidPasscode = () => new HttpError(401, 'invalid_passcode', 'invalid or expired passcode');
