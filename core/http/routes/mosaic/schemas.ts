/** JSON Schema pieces shared by the `/cis` routes (Mosaic field names). */
import { messageText, oneLineText } from '../../../validation/textFields.js';

export const phoneNumberField = { type: 'string', minLength: 1, maxLength: 32 } as const;
export const passcodeField = { type: 'string', minLength: 1, maxLength: 32 } as const;
/** A message may break lines (tab, LF, CR); no other control character reaches an SMS provider. */
export const customMessageField = { type: 'string', maxLength: 1000, ...messageText } as const;
/** A sender is a name or a number: no control character at all. */
export const senderIdField = { type: 'string', maxLength: 64, ...oneLineText } as const;
export const identifierTypeField = { type: 'string', enum: ['phone_number', 'email', 'user_id', 'username'] } as const;
export const identifierField = { type: 'string', minLength: 1, maxLength: 320 } as const;

/** `{ phone_number, passcode }`: the body of every SMS code validation. */
export const phoneAndPasscodeSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['phone_number', 'passcode'],
  properties: { phone_number: phoneNumberField, passcode: passcodeField },
} as const;

/** The OpenAPI tag of the Mosaic routes. */
export const MOSAIC = 'Mosaic /cis';

/** `{ message }`: what a send answers (alike for a known and an unknown identifier). */
export const messageBody = {
  type: 'object',
  required: ['message'],
  additionalProperties: false,
  properties: { message: { type: 'string' } },
} as const;

/** A user as the `/cis` routes answer it (`userBody`). */
export const userSchema = {
  type: 'object',
  required: ['user_id', 'phone_number', 'phone_number_verified', 'email', 'username'],
  properties: {
    user_id: { type: 'string' },
    phone_number: { type: ['string', 'null'] },
    phone_number_verified: { type: 'boolean' },
    email: { type: ['string', 'null'] },
    username: { type: ['string', 'null'] },
  },
} as const;

/** The user tokens of a login (`startSession`). */
export const userTokensBody = {
  type: 'object',
  required: ['access_token', 'id_token', 'refresh_token', 'token_type', 'expires_in'],
  properties: {
    access_token: { type: 'string' },
    id_token: { type: 'string' },
    refresh_token: { type: 'string' },
    token_type: { const: 'Bearer' },
    expires_in: { type: 'integer' },
    session_id: { type: 'string' },
    scope: { type: 'string' },
  },
} as const;

export const appToken = [{ clientToken: ['app'] }];
export const managementToken = [{ clientToken: ['management'] }];
export const userToken = [{ userToken: [] }];
