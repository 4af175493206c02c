import type { RequestContext } from '../otp/requestContext.js';
import type { AppContext } from './types.js';

/** The request context a dialect hands the domain (see `RequestContext`). */
export function requestContext(ctx: AppContext, { publicClient }: { publicClient: boolean }): RequestContext {
  const userAgent = ctx.get('User-Agent');
  return { ip: ctx.state.clientIp ?? ctx.ip, ...(userAgent && { userAgent }), publicClient };
}
