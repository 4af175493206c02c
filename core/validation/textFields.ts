/**
 * Text that reaches a phone, a provider or a log line: JSON Schema pieces to spread into a string field.
 * Control characters there are never content: a NUL truncates at some gateways, an escape sequence rewrites
 * an operator's terminal, a CR/LF in a one-line value splits a header or a log record.
 */

/** A message may break lines (tab, LF, CR); no other control character. */
export const messageText = {
  pattern: '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F]*$',
  errorMessage: { pattern: 'must not contain control characters other than tab and line breaks' },
} as const;

/** A name, a sender or a label: one line, no control character at all. */
export const oneLineText = {
  pattern: '^[^\\u0000-\\u001F\\u007F]*$',
  errorMessage: { pattern: 'must not contain control characters' },
} as const;
