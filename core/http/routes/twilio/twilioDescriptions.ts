import type { RouteDescription } from '../../openapi/routeDescription.js';
import { createServiceSchema, pageSchema, updateServiceSchema } from './serviceParams.js';
import { checkSchema, startSchema, updateSchema } from './verificationParams.js';

/** The OpenAPI descriptions of the Twilio Verify v2 routes, with the form schemas the routes parse with. */
const TAG = 'Twilio Verify';
const management = [{ twilioBasic: ['management'] }];
const appOrManagement = [{ twilioBasic: ['app', 'management'] }];
const text = { type: 'string' } as const;
const nullableText = { type: ['string', 'null'] } as const;
const sid = (prefix: string) => ({ type: 'string', pattern: `^${prefix}[0-9a-f]{32}$` }) as const;

/** `serviceResource` (Twilio's `verify.v2.service`). */
const serviceBody = {
  type: 'object',
  required: ['sid', 'account_sid', 'friendly_name', 'code_length', 'date_created', 'date_updated', 'url', 'links'],
  properties: {
    sid: sid('VA'),
    account_sid: sid('AC'),
    friendly_name: text,
    code_length: { type: 'integer' },
    lookup_enabled: { type: 'boolean' },
    psd2_enabled: { type: 'boolean' },
    do_not_share_warning_enabled: { type: 'boolean' },
    date_created: { type: 'string', format: 'date-time' },
    date_updated: { type: 'string', format: 'date-time' },
    url: { type: 'string', format: 'uri' },
    links: { type: 'object' },
    otpledger: {
      type: 'object',
      properties: {
        code_validity_seconds: { type: 'integer' },
        max_check_attempts: { type: 'integer' },
        max_send_attempts: { type: 'integer' },
      },
    },
  },
} as const;

const verificationStatus = {
  type: 'string',
  enum: ['pending', 'approved', 'canceled', 'max_attempts_reached', 'deleted', 'failed', 'expired'],
} as const;

/** `verificationResource` (Twilio's `verify.v2.service.verification`). */
const verificationBody = {
  type: 'object',
  required: [
    'sid',
    'service_sid',
    'account_sid',
    'to',
    'channel',
    'status',
    'valid',
    'send_code_attempts',
    'date_created',
    'date_updated',
    'url',
  ],
  properties: {
    sid: sid('VE'),
    service_sid: sid('VA'),
    account_sid: sid('AC'),
    to: text,
    channel: { const: 'sms' },
    status: verificationStatus,
    valid: { type: 'boolean' },
    send_code_attempts: {
      type: 'array',
      items: { type: 'object', required: ['attempt_sid', 'channel', 'time'], properties: { attempt_sid: text, channel: text, time: text } },
    },
    amount: nullableText,
    payee: nullableText,
    date_created: text,
    date_updated: text,
    url: { type: 'string', format: 'uri' },
  },
} as const;

/** `verificationCheckResource` (Twilio's `verify.v2.service.verification_check`). */
const checkBody = {
  type: 'object',
  required: ['sid', 'service_sid', 'account_sid', 'to', 'channel', 'status', 'valid', 'date_created', 'date_updated'],
  properties: {
    sid: sid('VE'),
    service_sid: sid('VA'),
    account_sid: sid('AC'),
    to: text,
    channel: { const: 'sms' },
    status: verificationStatus,
    valid: { type: 'boolean' },
  },
} as const;

const pageBody = {
  type: 'object',
  required: ['services', 'meta'],
  properties: {
    services: { type: 'array', items: serviceBody },
    meta: {
      type: 'object',
      required: ['page', 'page_size', 'first_page_url', 'previous_page_url', 'url', 'next_page_url', 'key'],
      properties: { key: { const: 'services' } },
    },
  },
} as const;

const authErrors = { 401: '20003: missing or wrong credentials (alike)', 403: "20403: the client's role may not use this resource" };
const serviceParam = { params: { sid: sid('VA') } };
const inService = { params: { serviceSid: sid('VA') } };

export const twilioDescriptions = {
  createService: {
    summary: 'Create a Verify Service',
    tag: TAG,
    security: management,
    request: { form: createServiceSchema },
    responses: { 201: { description: 'the Service', body: serviceBody } },
    errors: { 400: '60200: an invalid or unsupported parameter (named)', ...authErrors },
  },
  listServices: {
    summary: "The tenant's Services, paged",
    tag: TAG,
    security: management,
    request: { query: pageSchema },
    responses: { 200: { description: 'a page', body: pageBody } },
    errors: { 400: '60200: an invalid paging parameter', ...authErrors },
  },
  fetchService: {
    summary: 'A Service',
    tag: TAG,
    security: management,
    request: serviceParam,
    responses: { 200: { description: 'the Service', body: serviceBody } },
    errors: { ...authErrors, 404: '20404: no such Service' },
  },
  updateService: {
    summary: "Change a Service's settings",
    tag: TAG,
    security: management,
    request: { ...serviceParam, form: updateServiceSchema, bodyOptional: true },
    responses: { 200: { description: 'the Service as changed', body: serviceBody } },
    errors: { 400: '60200: an invalid or unsupported parameter (named)', ...authErrors, 404: '20404: no such Service' },
  },
  deleteService: {
    summary: 'Delete a Service',
    tag: TAG,
    security: management,
    request: serviceParam,
    responses: { 204: { description: 'deleted' } },
    errors: { ...authErrors, 404: '20404: no such Service' },
  },
  startVerification: {
    summary: 'Send a code by SMS: a new Verification',
    tag: TAG,
    security: appOrManagement,
    request: { ...inService, form: startSchema },
    responses: { 201: { description: 'the pending Verification', body: verificationBody } },
    errors: {
      400: '60200: an invalid parameter (To, Channel, Locale, ...)',
      ...authErrors,
      403: '20403 or 60204: a role or feature not offered',
      404: '20404: no such Service',
      429: '60203: max send attempts reached, or SMS protection refused the send',
      502: '20503: the SMS could not be delivered',
    },
  },
  fetchVerification: {
    summary: 'A pending Verification',
    tag: TAG,
    security: appOrManagement,
    request: { params: { serviceSid: sid('VA'), sid: sid('VE') } },
    responses: { 200: { description: 'the Verification', body: verificationBody } },
    errors: { ...authErrors, 404: '20404: no such Verification (approved, canceled and expired ones are gone)' },
  },
  updateVerification: {
    summary: 'End a Verification (canceled or approved)',
    tag: TAG,
    security: appOrManagement,
    request: { params: { serviceSid: sid('VA'), sid: sid('VE') }, form: updateSchema },
    responses: { 200: { description: 'the Verification as ended', body: verificationBody } },
    errors: { 400: '60200: Status must be canceled or approved', ...authErrors, 404: '20404: no such pending Verification' },
  },
  checkVerification: {
    summary: 'Check a code',
    tag: TAG,
    security: appOrManagement,
    request: { ...inService, form: checkSchema },
    responses: { 200: { description: 'the check: status approved, or pending for a wrong code', body: checkBody } },
    errors: {
      400: '60200 or 60221: an invalid parameter, or neither To nor VerificationSid',
      ...authErrors,
      404: '20404: no pending Verification',
      429: '60202: max check attempts reached',
    },
  },
} satisfies Record<string, RouteDescription>;
