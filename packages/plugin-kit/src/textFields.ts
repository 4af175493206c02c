/**
 * JSON Schema pieces for settings that end up in an SMS, a provider's request or a log line: spread one into a
 * string property (`{ type: 'string', maxLength: 64, ...oneLineText }`). Control characters there are never
 * content: a NUL truncates at some gateways, an escape sequence (ESC, or the one-byte CSI U+009B) rewrites an
 * operator's terminal, a line break in a one-line value splits a record. otpledger's own routes use the same pieces.
 * Each carries an `errorMessage` (ajv-errors), which the server and {@link compileConfigSchema} both read. A piece
 * sets the property's `pattern` and `errorMessage`: spread it into a property that has neither, or it replaces them.
 */

/**
 * Text that may break lines: tab, LF and CR are allowed; every other C0 control character, DEL and the C1 controls
 * (U+0080-U+009F) are refused with "must not contain control characters other than tab and line breaks".
 *
 * @example
 * const schema = { type: 'object', properties: { template: { type: 'string', maxLength: 1600, ...messageText } } };
 */
export const messageText = {
  pattern: '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$',
  errorMessage: { pattern: 'must not contain control characters other than tab and line breaks' },
} as const;

/**
 * A name, a sender or a label: one line, so no control character at all (C0, DEL, C1) and no Unicode line or
 * paragraph separator (U+2028, U+2029); refused with "must not contain control characters".
 *
 * @example
 * const schema = { type: 'object', properties: { from: { type: 'string', maxLength: 64, ...oneLineText } } };
 */
export const oneLineText = {
  pattern: '^[^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*$',
  errorMessage: { pattern: 'must not contain control characters' },
} as const;

/**
 * A value sent as an HTTP header (an API key, a token): printable ASCII, spaces allowed inside but not at either
 * end (HTTP trims them); refused with "must be printable ASCII without leading or trailing spaces (it is sent in
 * an HTTP header)". Node's HTTP client refuses a line break or a character above U+00FF in a header at every send.
 *
 * @example
 * const schema = { type: 'object', properties: { api_key: { type: 'string', maxLength: 1000, ...headerValueText } } };
 */
export const headerValueText = {
  pattern: '^([\\u0021-\\u007E]([\\u0020-\\u007E]*[\\u0021-\\u007E])?)?$',
  errorMessage: { pattern: 'must be printable ASCII without leading or trailing spaces (it is sent in an HTTP header)' },
} as const;
