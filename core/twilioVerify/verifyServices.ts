import type { Clock } from '../clock.js';
import { handleCommand, loadState } from '../decider/commandHandler.js';
import type { EventMetadata, EventStore } from '../eventStore/types.js';
import type { Ids } from '../ids.js';
import { verifyServiceDecider, type VerifyService } from './verifyServiceDecider.js';
import { verifyServicesStreamId, type VerifyServiceSettings } from './verifyServiceEvents.js';

/** `VA` and 32 hex digits, Twilio's shape for a Service sid. */
const newServiceSid = (ids: Ids) => `VA${ids.uuid().replaceAll('-', '')}`;

/** A tenant's Twilio Verify Services, read from and written to the tenant's Services stream. */
export class VerifyServices {
  private readonly eventStore: EventStore;
  private readonly clock: Clock;
  private readonly ids: Ids;

  constructor(deps: { eventStore: EventStore; clock: Clock; ids: Ids }) {
    this.eventStore = deps.eventStore;
    this.clock = deps.clock;
    this.ids = deps.ids;
  }

  /** Oldest first, as Twilio lists them. */
  async list(tenantId: string): Promise<VerifyService[]> {
    const { services } = await loadState(this.eventStore, verifyServicesStreamId(tenantId), verifyServiceDecider);
    return [...services.values()];
  }

  async get(tenantId: string, sid: string): Promise<VerifyService | undefined> {
    const { services } = await loadState(this.eventStore, verifyServicesStreamId(tenantId), verifyServiceDecider);
    return services.get(sid);
  }

  async create(tenantId: string, settings: VerifyServiceSettings, metadata: Partial<EventMetadata>): Promise<VerifyService> {
    const sid = newServiceSid(this.ids);
    const { state } = await this.handle(tenantId, { type: 'CreateService', now: this.clock.now(), tenantId, sid, settings }, metadata);
    return state.services.get(sid)!;
  }

  /** Throws `VerifyServiceNotFoundError` for a sid the tenant does not have. */
  async update(
    tenantId: string,
    sid: string,
    changes: Partial<VerifyServiceSettings>,
    metadata: Partial<EventMetadata>,
  ): Promise<VerifyService> {
    const { state } = await this.handle(tenantId, { type: 'UpdateService', now: this.clock.now(), sid, changes }, metadata);
    return state.services.get(sid)!;
  }

  /** Throws `VerifyServiceNotFoundError` for a sid the tenant does not have. */
  async remove(tenantId: string, sid: string, metadata: Partial<EventMetadata>): Promise<void> {
    await this.handle(tenantId, { type: 'DeleteService', now: this.clock.now(), sid }, metadata);
  }

  private handle(tenantId: string, command: Parameters<typeof verifyServiceDecider.decide>[0], metadata: Partial<EventMetadata>) {
    return handleCommand(this.eventStore, verifyServicesStreamId(tenantId), verifyServiceDecider, command, metadata);
  }
}
