import { Router } from '@koa/router';
import type { Cradle } from '../../../cradle.js';
import type { VerifyService } from '../../../twilioVerify/verifyServiceDecider.js';
import { parsePhoneNumber } from '../../../users/phoneNumber.js';
import { eventMetadata } from '../../eventMetadata.js';
import { requestContext } from '../../requestContext.js';
import { describeRoute } from '../../openapi/routeDescription.js';
import type { AppContext, AppState } from '../../types.js';
import { twilioDescriptions as describe } from './twilioDescriptions.js';
import { requireTwilioClient, type TwilioCaller } from './auth.js';
import { resourceNotFound } from './twilioErrors.js';
import { verificationCheckResource, verificationResource } from './resources.js';
import { parseCheck, parseStart, parseUpdate } from './verificationParams.js';

/**
 * Twilio Verify v2 verifications (twilio.com/docs/verify/api/verification, /verification-check), for app and
 * management clients: `POST …/Verifications` sends a code, `GET`/`POST …/Verifications/{VE…}` fetch and end
 * one, `POST …/VerificationCheck` checks a code. A verification that was approved, canceled, expired or ran
 * out of checks is gone: 404 20404, as Twilio deletes it (twilio.com/docs/verify/api/verification-check).
 */
export function twilioVerificationRoutes(cradle: Cradle): Router<AppState> {
  const { applications, verifyServices, verifications, clock } = cradle;
  const router = new Router<AppState>();
  const auth = requireTwilioClient(applications, ['app', 'management']);

  async function serviceOf(ctx: AppContext, caller: TwilioCaller, sid: string): Promise<VerifyService> {
    const service = await verifyServices.get(caller.tenantId, sid);
    if (!service) throw resourceNotFound(ctx.path);
    return service;
  }

  /** The request as the domain gets it: a confidential server-to-server call, timed per operation (not per sid). */
  const request = (ctx: AppContext, caller: TwilioCaller, operation: string) => ({
    request: { ...requestContext(ctx, { publicClient: false }), endpoint: operation },
    metadata: eventMetadata(ctx, caller.tenantId, caller.clientId),
  });

  describeRoute(router, 'POST /v2/Services/:serviceSid/Verifications', describe.startVerification);
  router.post('/v2/Services/:serviceSid/Verifications', auth, async (ctx) => {
    const caller = ctx.state.twilio;
    const service = await serviceOf(ctx, caller, ctx.params.serviceSid!);
    const params = parseStart(ctx.request.body);
    const to = parsePhoneNumber(params.To);
    const verification = await verifications.start(
      service,
      to,
      { appHash: params.AppHash },
      request(ctx, caller, 'POST /v2/Services/{sid}/Verifications'),
    );
    ctx.status = 201;
    ctx.body = verificationResource(cradle.issuer, verification);
  });

  describeRoute(router, 'GET /v2/Services/:serviceSid/Verifications/:sid', describe.fetchVerification);
  router.get('/v2/Services/:serviceSid/Verifications/:sid', auth, async (ctx) => {
    const service = await serviceOf(ctx, ctx.state.twilio, ctx.params.serviceSid!);
    const verification = await verifications.pending(service, ctx.params.sid!);
    if (!verification) throw resourceNotFound(ctx.path);
    ctx.body = verificationResource(cradle.issuer, verification);
  });

  describeRoute(router, 'POST /v2/Services/:serviceSid/Verifications/:sid', describe.updateVerification);
  router.post('/v2/Services/:serviceSid/Verifications/:sid', auth, async (ctx) => {
    const caller = ctx.state.twilio;
    const service = await serviceOf(ctx, caller, ctx.params.serviceSid!);
    const { Status: status } = parseUpdate(ctx.request.body ?? {});
    const verification = await verifications.close(service, ctx.params.sid!, status, eventMetadata(ctx, caller.tenantId, caller.clientId));
    if (!verification) throw resourceNotFound(ctx.path);
    ctx.body = verificationResource(cradle.issuer, verification, clock.now());
  });

  describeRoute(router, 'POST /v2/Services/:serviceSid/VerificationCheck', describe.checkVerification);
  router.post('/v2/Services/:serviceSid/VerificationCheck', auth, async (ctx) => {
    const caller = ctx.state.twilio;
    const service = await serviceOf(ctx, caller, ctx.params.serviceSid!);
    const params = parseCheck(ctx.request.body);
    const to = params.To === undefined ? undefined : parsePhoneNumber(params.To);
    const target = to
      ? { to, ...(params.VerificationSid !== undefined && { sid: params.VerificationSid }) }
      : { sid: params.VerificationSid! };
    const verification = await verifications.check(
      service,
      target,
      params.Code,
      request(ctx, caller, 'POST /v2/Services/{sid}/VerificationCheck'),
    );
    if (!verification) throw resourceNotFound(ctx.path);
    ctx.body = verificationCheckResource(verification, clock.now());
  });

  return router;
}
