import type { ProviderChoice } from '../sms/tenantSmsProviders.js';
import type { SmsConnectionOptions } from './connectionOptions.js';

/** The plugins behind Auth0's two providers. */
export const SMS_GATEWAY = 'sms_gateway';
export const TWILIO = 'Twilio';

/** Option names of the connection for the Twilio plugin's settings (errors name the field the caller sent). */
const twilioOptionNames: Record<string, string> = { account_sid: 'twilio_sid', auth_token: 'twilio_token' };

export const optionNameForTwilioSetting = (setting: string) => twilioOptionNames[setting] ?? setting;

/** A masked secret sent back unchanged (GET, edit, PATCH) keeps the stored one. */
const isMask = (value: unknown) => typeof value === 'string' && /^\*{4}/.test(value);

/**
 * The provider a PATCH asks for, as otpledger's provider settings; undefined when the options name none
 * (neither `provider: "sms_gateway"` nor Twilio's credentials), which leaves the provider as it is.
 * `current` is the provider in force (plain), for masked secrets sent back.
 */
export function providerFromOptions(options: SmsConnectionOptions, current: ProviderChoice | undefined): ProviderChoice | undefined {
  const same = (name: string) => (current?.provider === name ? current.settings : {});
  if (options.provider === 'sms_gateway') {
    const auth = options.gateway_authentication;
    const stored = same(SMS_GATEWAY).gateway_authentication as { secret?: string } | undefined;
    const settings = {
      ...(options.gateway_url !== undefined && { gateway_url: options.gateway_url }),
      ...(options.from != null && { from: options.from }),
      forward_req_info: options.forward_req_info ?? false,
      ...(auth && { gateway_authentication: { ...auth, secret: isMask(auth.secret) && stored?.secret ? stored.secret : auth.secret } }),
    };
    return { provider: SMS_GATEWAY, settings };
  }
  if (options.provider === 'twilio' || options.twilio_sid !== undefined) {
    const token = isMask(options.twilio_token) ? same(TWILIO).auth_token : options.twilio_token;
    const settings = {
      ...(options.twilio_sid !== undefined && { account_sid: options.twilio_sid }),
      ...(token !== undefined && { auth_token: token }),
      ...(options.from != null && { from: options.from }),
      ...(options.messaging_service_sid != null && { messaging_service_sid: options.messaging_service_sid }),
    };
    return { provider: TWILIO, settings };
  }
  return undefined;
}

/** The provider part of a connection's `options`, from otpledger's (masked) provider settings. */
export function optionsFromProvider({ provider, settings }: ProviderChoice): Record<string, unknown> {
  switch (provider) {
    case SMS_GATEWAY:
      return {
        provider: 'sms_gateway',
        gateway_url: settings.gateway_url,
        from: settings.from,
        ...(settings.gateway_authentication !== undefined && { gateway_authentication: settings.gateway_authentication }),
      };
    case TWILIO:
      // the seed's GET shows a Twilio connection without `provider`
      return {
        twilio_sid: settings.account_sid,
        twilio_token: settings.auth_token,
        from: settings.from ?? null,
        messaging_service_sid: settings.messaging_service_sid ?? null,
      };
    case 'Default':
      return {};
    default:
      // a provider Auth0 does not know (set through the Mosaic API): named, so nobody mistakes it for Twilio
      return { provider };
  }
}
