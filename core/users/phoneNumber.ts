import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { DomainError } from '../decider/decider.js';
import { BoundedCache } from '../support/boundedCache.js';
import { identifierHash } from './userEvents.js';

export interface PhoneNumber {
  /** E.164, e.g. `+15125555555`. */
  e164: string;
  /** Without the `+`, e.g. `1` (statistics group by it). */
  countryCallingCode: string;
  /** ISO 3166 alpha-2 of the number's region (`US`); `001` for non-geographic numbers (`+800...`). */
  country: string;
  /** libphonenumber's type (`MOBILE`, `FIXED_LINE_OR_MOBILE`, `PREMIUM_RATE`, ...), `UNKNOWN` when it cannot tell. */
  numberType: string;
  /** The E.164 number without its last 4 digits: the range SMS pumping works through (`+1512555`). */
  prefix: string;
}

export class InvalidPhoneNumberError extends DomainError {
  constructor(input: string) {
    super('invalid_phone_number', `phone_number "${input}" is not a valid E.164 phone number (e.g. +15125555555)`);
  }
}

/** Valid numbers already parsed (full metadata makes parsing the costliest step of a request). */
const parsedNumbers = new BoundedCache<string, PhoneNumber>(50_000);

/** Parses and validates an E.164 number with libphonenumber-js's full metadata. */
export function parsePhoneNumber(input: string): PhoneNumber {
  return parsedNumbers.getOrCompute(input, () => {
    if (!/^\+[1-9]\d{6,14}$/.test(input)) throw new InvalidPhoneNumberError(input);
    const parsed = parsePhoneNumberFromString(input);
    if (!parsed || !parsed.isValid()) throw new InvalidPhoneNumberError(input);
    return Object.freeze({
      e164: parsed.number,
      countryCallingCode: parsed.countryCallingCode,
      country: parsed.country ?? '001',
      numberType: parsed.getType() ?? 'UNKNOWN',
      prefix: parsed.number.slice(0, -4),
    });
  });
}

/**
 * The keyed hash that stands for a phone number wherever the number itself must not: OTP stream names,
 * the identifier index, the audit phone index. One function, so they always match.
 */
export function phoneNumberHash(hmacKey: Buffer, e164: string): string {
  return identifierHash(hmacKey, 'phone_number', e164);
}
