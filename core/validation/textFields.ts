/**
 * Text that reaches a phone, a provider or a log line: JSON Schema pieces to spread into a string field. They are
 * defined once, in the plugin kit, so otpledger's routes and the plugins' settings refuse the same characters
 * with the same words (see `packages/plugin-kit/src/textFields.ts`).
 */
export { headerValueText, messageText, oneLineText } from '@otpledger/plugin-kit';
