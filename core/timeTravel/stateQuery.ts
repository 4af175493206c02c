import type { FromSchema } from 'json-schema-to-ts';
import { compileQuerySchema } from '../validation/compileQuerySchema.js';
import { stateKinds } from './stateAt.js';

/**
 * What a time-travel query asks for, as the API takes it in its query string (`GET /admin/v1/state`, where it is
 * also the OpenAPI description) and the CLI as options (`state`): `id` names the user, application or phone; the
 * tenant's provider and protection policy need none.
 */
export const stateQuerySchema = {
  type: 'object',
  required: ['kind'],
  properties: {
    kind: { type: 'string', enum: stateKinds, errorMessage: `must be one of ${stateKinds.join(', ')}` },
    id: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      description: 'the user id, client id or phone number; not needed for provider and protection',
    },
    at: {
      type: 'string',
      anyOf: [{ format: 'date-time' }, { format: 'date' }, { pattern: '^\\d{1,15}$' }],
      description: 'an ISO 8601 time or a global position; now when left out',
      errorMessage: 'must be an ISO 8601 time or a global position',
    },
  },
  allOf: [
    {
      if: { type: 'object', required: ['kind'], properties: { kind: { enum: ['user', 'policy', 'lockouts'] } } },
      then: { type: 'object', required: ['id'], properties: { id: true } },
    },
  ],
} as const;

/** Validates a time-travel query; a `QueryValidationError` names each bad parameter. */
export const parseStateQuery = compileQuerySchema<FromSchema<typeof stateQuerySchema>>(stateQuerySchema);
