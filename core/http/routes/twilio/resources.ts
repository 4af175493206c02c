import { createHash } from 'node:crypto';
import { accountSidOf } from '../../../twilioVerify/accountSid.js';
import type { Verification } from '../../../twilioVerify/verifications.js';
import type { VerifyService } from '../../../twilioVerify/verifyServiceDecider.js';

/** Twilio's dates: ISO 8601 in UTC to the second (`2015-07-30T20:00:00Z`). */
const twilioTime = (iso: string) => iso.replace(/\.\d{3}Z$/, 'Z');

/** A Service as Twilio's `verify.v2.service` schema describes it; what otpledger does not offer reads as off. */
export function serviceResource(issuer: string, service: VerifyService) {
  const url = `${issuer}/v2/Services/${service.sid}`;
  const { settings } = service;
  return {
    sid: service.sid,
    account_sid: accountSidOf(service.tenantId),
    friendly_name: settings.friendlyName,
    code_length: settings.codeLength,
    lookup_enabled: false,
    psd2_enabled: false,
    skip_sms_to_landlines: false,
    dtmf_input_required: false,
    tts_name: null,
    do_not_share_warning_enabled: settings.doNotShareWarningEnabled,
    custom_code_enabled: false,
    push: { include_date: false, apn_credential_sid: null, fcm_credential_sid: null },
    totp: { issuer: settings.friendlyName, time_step: 30, code_length: 6, skew: 1 },
    whatsapp: { msg_service_sid: null, from: null },
    default_template_sid: null,
    verify_event_subscription_enabled: false,
    otpledger: {
      code_validity_seconds: settings.codeValiditySeconds,
      max_check_attempts: settings.maxCheckAttempts,
      max_send_attempts: settings.maxSendAttempts,
    },
    date_created: twilioTime(service.createdAt),
    date_updated: twilioTime(service.updatedAt),
    url,
    links: { verifications: `${url}/Verifications`, verification_checks: `${url}/VerificationCheck` },
  };
}

/** `VL` and 32 hex digits for the n-th code of a challenge: stable, so a fetch names the same attempts. */
const attemptSid = (challengeId: string, n: number) =>
  `VL${createHash('sha256').update(`${challengeId}\0${n}`).digest('hex').slice(0, 32)}`;

/** The fields a verification and a check's answer share. */
function verificationFields({ sid, service, to, status, challenge }: Verification, updatedAt: Date | undefined) {
  return {
    sid,
    service_sid: service.sid,
    account_sid: accountSidOf(service.tenantId),
    to,
    channel: 'sms',
    status,
    valid: status === 'approved',
    amount: null,
    payee: null,
    date_created: twilioTime(challenge.sentAt[0]!),
    date_updated: twilioTime(updatedAt?.toISOString() ?? challenge.sentAt.at(-1)!),
  };
}

/** A verification as Twilio's `verify.v2.service.verification` schema describes it. */
export function verificationResource(issuer: string, verification: Verification, updatedAt?: Date) {
  const { sid, service, challenge } = verification;
  return {
    ...verificationFields(verification, updatedAt),
    lookup: {},
    send_code_attempts: challenge.sentAt.map((time, n) => ({
      attempt_sid: attemptSid(challenge.id, n),
      channel: 'SMS',
      time: twilioTime(time),
    })),
    sna: null,
    url: `${issuer}/v2/Services/${service.sid}/Verifications/${sid}`,
  };
}

/** A check's answer as Twilio's `verify.v2.service.verification_check` schema describes it. */
export function verificationCheckResource(verification: Verification, checkedAt: Date) {
  return { ...verificationFields(verification, checkedAt), sna_attempts_error_codes: [] };
}
