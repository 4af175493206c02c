import type { RouteDescription, Schema } from '../../openapi/routeDescription.js';
import { userSchema } from '../mosaic/schemas.js';

/** Schemas and descriptions shared by the `/admin/v1` route modules. */
export const ADMIN = 'Admin';
export const management = [{ clientToken: ['management'] }];
export const auditorOrManagement = [{ clientToken: ['auditor', 'management'] }];
const adminAuthErrors = { 401: 'no valid client access token', 403: "the client's role may not use this route" };

/** `{ result: <schema> }`, the admin API's envelope. */
export const result = (schema: Schema) => ({ type: 'object', required: ['result'], properties: { result: schema } }) as const;
/** `{ result: [<schema>], next_cursor }`: a page. */
export const page = (item: Schema, cursor: Schema) =>
  ({
    type: 'object',
    required: ['result', 'next_cursor'],
    properties: { result: { type: 'array', items: item }, next_cursor: cursor },
  }) as const;

export const applicationSchema = {
  type: 'object',
  required: ['client_id', 'tenant_id', 'name', 'role', 'redirect_uris', 'public_signup', 'otp', 'token_endpoint_auth_method'],
  properties: {
    client_id: { type: 'string' },
    tenant_id: { type: 'string' },
    name: { type: 'string' },
    role: { type: 'string', enum: ['app', 'management', 'auditor'] },
    redirect_uris: { type: 'array', items: { type: 'string' } },
    public_signup: { type: 'boolean' },
    otp: { type: 'object', required: ['code_length', 'expires_in_minutes', 'max_failed_attempts', 'lockout_minutes'] },
    token_endpoint_auth_method: { type: 'string' },
    id_token_signed_response_alg: { type: 'string' },
    client_secret: { type: 'string', description: 'only when created or rotated: shown once, stored as a keyed hash' },
  },
} as const;

export const auditRecordSchema = {
  type: 'object',
  required: ['position', 'id', 'stream', 'revision', 'type', 'recordedAt', 'data'],
  properties: {
    position: { type: 'integer' },
    id: { type: 'string' },
    stream: { type: 'string' },
    revision: { type: 'integer' },
    type: { type: 'string' },
    recordedAt: { type: 'string', format: 'date-time' },
    tenantId: { type: 'string' },
    actor: { type: 'string' },
    correlationId: { type: 'string' },
    data: {},
    chainHash: { type: 'string' },
  },
} as const;

export const adminUserSchema = {
  ...userSchema,
  required: [...userSchema.required, 'apps'],
  properties: { ...userSchema.properties, apps: { type: 'array', items: { type: 'string' } } },
} as const;
export const erasedUserSchema = {
  type: 'object',
  required: ['user_id', 'erased', 'erased_at', 'apps'],
  properties: {
    user_id: { type: 'string' },
    erased: { const: true },
    erased_at: { type: 'string' },
    apps: { type: 'array', items: { type: 'string' } },
  },
} as const;

/** A route of the admin API: its family's tag and errors, the rest given. */
export const adminRoute = (description: Omit<RouteDescription, 'tag'>): RouteDescription => ({
  tag: ADMIN,
  ...description,
  errors: { ...adminAuthErrors, ...description.errors },
});
