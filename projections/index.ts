import { lockoutsProjection } from './lockouts.js';
import { otpStatsProjection } from './otpStats.js';
import { phoneIndexProjection } from './phoneIndex.js';
import type { Projection } from './projection.js';
import { smsProtectionProjection } from './smsProtection.js';
import { subjectIndexProjection } from './subjectIndex.js';
import { usersProjection } from './users.js';

/** Every read model of the server. Add one by adding a file and a line here. */
export function allProjections({ hmacKey }: { hmacKey: Buffer }): Projection[] {
  return [
    usersProjection,
    lockoutsProjection,
    otpStatsProjection,
    phoneIndexProjection(hmacKey),
    smsProtectionProjection,
    subjectIndexProjection(hmacKey),
  ];
}
