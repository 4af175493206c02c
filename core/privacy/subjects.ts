import { userStreamId } from '../users/userEvents.js';

/**
 * Data subjects, named by pseudonymous ids that hold no personal data. Each subject has its own data
 * key; erasing a user destroys the keys of the user and of every phone number the user held.
 *
 * - A **user** is its stream's name, `user-<tenant>-<userId>`: what its user stream says about it.
 * - A **phone** is `phone-<tenant>-<phoneHash>` (the keyed hash that names its OTP streams): what the
 *   server knows about a phone number before, or apart from, any user holding it (the SMS sent to it,
 *   an authorization code for it). A user's own phone is also in their user stream, under the user's key.
 */
export const userSubject = (tenantId: string, userId: string) => userStreamId(tenantId, userId);

export const phoneSubject = (tenantId: string, phoneHash: string) => `phone-${tenantId}-${phoneHash}`;
