import { Router } from '@koa/router';
import type { FromSchema } from 'json-schema-to-ts';
import type { Cradle } from '../../cradle.js';
import { parsePhoneNumber } from '../../users/phoneNumber.js';
import { compileQuerySchema } from '../../validation/compileQuerySchema.js';
import { describeRoute } from '../openapi/routeDescription.js';
import type { AppState } from '../types.js';
import { phoneNumberField } from './mosaic/schemas.js';

const outboxQuery = { type: 'object', required: ['phone_number'], properties: { phone_number: phoneNumberField } } as const;
const parseOutboxQuery = compileQuerySchema<FromSchema<typeof outboxQuery>>(outboxQuery);
const outboxBody = {
  type: 'array',
  items: {
    type: 'object',
    required: ['phone_number', 'sender_id', 'message', 'sent_at'],
    additionalProperties: false,
    properties: {
      phone_number: { type: 'string' },
      sender_id: { type: ['string', 'null'] },
      message: { type: 'string' },
      sent_at: { type: 'string', format: 'date-time' },
    },
  },
} as const;

/**
 * `GET /dev/sms-outbox?phone_number=<E.164>`: what the development sender "sent" to that number,
 * newest first. Mounted only when `dev.outbox` is true (the server warns loudly at start).
 */
export function devOutboxRoutes({ config, devOutbox }: Pick<Cradle, 'config' | 'devOutbox'>): Router<AppState> {
  const router = new Router<AppState>();
  if (!config.dev.outbox) return router;
  describeRoute(router, 'GET /dev/sms-outbox', {
    summary: 'What the development sender "sent" to a number, newest first',
    tag: 'Development',
    description: 'Mounted only when `dev.outbox` is true: it shows every code. Never in production.',
    request: { query: outboxQuery },
    responses: { 200: { description: 'the messages to that number', body: outboxBody } },
    errors: { 400: 'phone_number is missing or not a phone number' },
  });
  router.get('/dev/sms-outbox', (ctx) => {
    const phone = parseOutboxQuery(ctx.query).phone_number;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = devOutbox.messagesTo(parsePhoneNumber(phone).e164);
  });
  return router;
}
