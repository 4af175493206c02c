import type { ErrorRenderer } from '../../errorRenderers.js';

/**
 * Transmit Mosaic's `/cis` shape: `{ message, error_code }`, the code being the HTTP status. Its refusals mean
 * what the shared mapping says: a failed SMS delivery 502, a send refused by SMS protection 429 (with
 * `Retry-After`) or 403, a locked-out phone 429.
 */
export const mosaicErrorRenderer: ErrorRenderer = {
  pathPrefixes: ['/cis'],
  render: ({ status, description }) => ({ message: description, error_code: status }),
  schema: {
    name: 'MosaicError',
    schema: {
      type: 'object',
      required: ['message', 'error_code'],
      additionalProperties: false,
      properties: { message: { type: 'string' }, error_code: { type: 'integer' } },
    },
  },
};
