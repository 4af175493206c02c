/** JSON Schema pieces shared by the `/cis` routes (Mosaic field names). */
export const phoneNumberField = { type: 'string', minLength: 1, maxLength: 32 } as const;
export const passcodeField = { type: 'string', minLength: 1, maxLength: 32 } as const;
export const customMessageField = { type: 'string', maxLength: 1000 } as const;
export const senderIdField = { type: 'string', maxLength: 64 } as const;
export const identifierTypeField = { type: 'string', enum: ['phone_number', 'email', 'user_id', 'username'] } as const;
export const identifierField = { type: 'string', minLength: 1, maxLength: 320 } as const;

/** `{ phone_number, passcode }`: the body of every SMS code validation. */
export const phoneAndPasscodeSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['phone_number', 'passcode'],
  properties: { phone_number: phoneNumberField, passcode: passcodeField },
} as const;
