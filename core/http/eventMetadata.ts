import type { EventMetadata } from '../eventStore/types.js';
import type { AppContext } from './types.js';

/** The metadata every event written for a request carries: who, for which tenant, which request. */
export function eventMetadata(ctx: AppContext, tenantId: string, actor: string): Partial<EventMetadata> {
  return { tenantId, actor, correlationId: ctx.state.requestId };
}
