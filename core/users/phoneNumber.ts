import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { DomainError } from '../decider/decider.js';

export interface PhoneNumber {
  /** E.164, e.g. `+15125555555`. */
  e164: string;
  /** Without the `+`, e.g. `1` (statistics group by it). */
  countryCallingCode: string;
}

export class InvalidPhoneNumberError extends DomainError {
  constructor(input: string) {
    super('invalid_phone_number', `phone_number "${input}" is not a valid E.164 phone number (e.g. +15125555555)`);
  }
}

/** Parses and validates an E.164 number with libphonenumber-js's full metadata. */
export function parsePhoneNumber(input: string): PhoneNumber {
  if (!/^\+[1-9]\d{6,14}$/.test(input)) throw new InvalidPhoneNumberError(input);
  const parsed = parsePhoneNumberFromString(input);
  if (!parsed || !parsed.isValid()) throw new InvalidPhoneNumberError(input);
  return { e164: parsed.number, countryCallingCode: parsed.countryCallingCode };
}
