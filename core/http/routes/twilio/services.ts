import { Router } from '@koa/router';
import type { FromSchema } from 'json-schema-to-ts';
import type { Cradle } from '../../../cradle.js';
import { TWILIO_SERVICE_DEFAULTS } from '../../../twilioVerify/verifyServiceEvents.js';
import { compileQuerySchema } from '../../../validation/compileQuerySchema.js';
import { eventMetadata } from '../../eventMetadata.js';
import { describeRoute } from '../../openapi/routeDescription.js';
import type { AppState } from '../../types.js';
import { twilioDescriptions as describe } from './twilioDescriptions.js';
import { requireTwilioClient } from './auth.js';
import { resourceNotFound } from './twilioErrors.js';
import { serviceResource } from './resources.js';
import { createParams, pageSchema, updateParams } from './serviceParams.js';

const parsePage = compileQuerySchema<FromSchema<typeof pageSchema> & { PageSize: number; Page: number }>(pageSchema);

/**
 * Twilio Verify v2 Services (twilio.com/docs/verify/api/service): `POST/GET /v2/Services`,
 * `GET/POST/DELETE /v2/Services/{VA…}`, for management clients. Each change is an event of the tenant's
 * Services stream; a Service's FriendlyName is the `{app}` of its SMS text.
 */
export function twilioServiceRoutes(cradle: Cradle): Router<AppState> {
  const { applications, verifyServices } = cradle;
  const router = new Router<AppState>();
  const auth = requireTwilioClient(applications, ['management']);

  describeRoute(router, 'POST /v2/Services', describe.createService);
  router.post('/v2/Services', auth, async (ctx) => {
    const { tenantId, clientId } = ctx.state.twilio;
    const settings = { ...TWILIO_SERVICE_DEFAULTS, ...createParams(ctx.request.body) };
    const service = await verifyServices.create(tenantId, settings, eventMetadata(ctx, tenantId, clientId));
    ctx.status = 201;
    ctx.body = serviceResource(cradle.issuer, service);
  });

  describeRoute(router, 'GET /v2/Services', describe.listServices);
  router.get('/v2/Services', auth, async (ctx) => {
    const { PageSize: size, Page: page } = parsePage(ctx.query);
    const services = await verifyServices.list(ctx.state.twilio.tenantId);
    const pageUrl = (n: number) => `${cradle.issuer}/v2/Services?PageSize=${size}&Page=${n}`;
    ctx.body = {
      services: services.slice(page * size, (page + 1) * size).map((service) => serviceResource(cradle.issuer, service)),
      meta: {
        page,
        page_size: size,
        first_page_url: pageUrl(0),
        previous_page_url: page > 0 ? pageUrl(page - 1) : null,
        url: pageUrl(page),
        next_page_url: (page + 1) * size < services.length ? pageUrl(page + 1) : null,
        key: 'services',
      },
    };
  });

  describeRoute(router, 'GET /v2/Services/:sid', describe.fetchService);
  router.get('/v2/Services/:sid', auth, async (ctx) => {
    const service = await verifyServices.get(ctx.state.twilio.tenantId, ctx.params.sid!);
    if (!service) throw resourceNotFound(ctx.path);
    ctx.body = serviceResource(cradle.issuer, service);
  });

  describeRoute(router, 'POST /v2/Services/:sid', describe.updateService);
  router.post('/v2/Services/:sid', auth, async (ctx) => {
    const { tenantId, clientId } = ctx.state.twilio;
    const changes = updateParams(ctx.request.body);
    if (!(await verifyServices.get(tenantId, ctx.params.sid!))) throw resourceNotFound(ctx.path);
    const service = await verifyServices.update(tenantId, ctx.params.sid!, changes, eventMetadata(ctx, tenantId, clientId));
    ctx.body = serviceResource(cradle.issuer, service);
  });

  describeRoute(router, 'DELETE /v2/Services/:sid', describe.deleteService);
  router.delete('/v2/Services/:sid', auth, async (ctx) => {
    const { tenantId, clientId } = ctx.state.twilio;
    if (!(await verifyServices.get(tenantId, ctx.params.sid!))) throw resourceNotFound(ctx.path);
    await verifyServices.remove(tenantId, ctx.params.sid!, eventMetadata(ctx, tenantId, clientId));
    ctx.status = 204;
  });

  return router;
}
