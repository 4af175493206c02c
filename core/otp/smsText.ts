import { DomainError } from '../decider/decider.js';

export const DEFAULT_SMS_TEMPLATE = '{otp} is your {app} verification code. Never share it.';
const MAX_CUSTOM_MESSAGE = 140;
const MAX_SENDER_ID = 11;

export class InvalidSmsCustomisationError extends DomainError {}

/** The seeds' rules for `custom_message` and `sender_id`; each failure says which rule. */
export function checkSmsCustomisation(customMessage: string | undefined, senderId: string | undefined): void {
  if (customMessage !== undefined) {
    if (!customMessage.includes('{app}')) {
      throw new InvalidSmsCustomisationError('invalid_custom_message', 'custom_message must contain the {app} placeholder');
    }
    if (!customMessage.includes('{otp}')) {
      throw new InvalidSmsCustomisationError('invalid_custom_message', 'custom_message must contain the {otp} placeholder');
    }
    if (customMessage.length > MAX_CUSTOM_MESSAGE) {
      throw new InvalidSmsCustomisationError('invalid_custom_message', `custom_message must be at most ${MAX_CUSTOM_MESSAGE} characters`);
    }
  }
  if (senderId !== undefined && (senderId.length === 0 || senderId.length > MAX_SENDER_ID)) {
    throw new InvalidSmsCustomisationError('invalid_sender_id', `sender_id must be 1 to ${MAX_SENDER_ID} characters`);
  }
}

/** Fills `{app}` and `{otp}` (every occurrence). */
export function renderSmsText(template: string, values: { app: string; otp: string }): string {
  return template.replaceAll('{app}', values.app).replaceAll('{otp}', values.otp);
}
