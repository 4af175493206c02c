import { DomainError, type Decider } from '../decider/decider.js';
import type { VerifyServiceEvent, VerifyServiceSettings } from './verifyServiceEvents.js';

export interface VerifyService {
  tenantId: string;
  sid: string;
  settings: VerifyServiceSettings;
  createdAt: string;
  updatedAt: string;
}

/** The tenant's live Services by sid (a deleted one is gone). */
export interface VerifyServicesState {
  services: ReadonlyMap<string, VerifyService>;
}

export type VerifyServiceCommand =
  | { type: 'CreateService'; now: Date; tenantId: string; sid: string; settings: VerifyServiceSettings }
  | { type: 'UpdateService'; now: Date; sid: string; changes: Partial<VerifyServiceSettings> }
  | { type: 'DeleteService'; now: Date; sid: string };

export class VerifyServiceNotFoundError extends DomainError {
  constructor(readonly sid: string) {
    super('not_found', `no Verify Service ${sid}`, 'not_found');
  }
}

function existing(state: VerifyServicesState, sid: string): VerifyService {
  const service = state.services.get(sid);
  if (!service) throw new VerifyServiceNotFoundError(sid);
  return service;
}

/** A tenant's Verify Services: create, change and delete, each an event of the tenant's Services stream. */
export const verifyServiceDecider: Decider<VerifyServicesState, VerifyServiceCommand, VerifyServiceEvent> = {
  initialState: () => ({ services: new Map() }),

  decide(command, state) {
    const at = command.now.toISOString();
    switch (command.type) {
      case 'CreateService':
        return [{ type: 'VerifyServiceCreated', data: { tenantId: command.tenantId, sid: command.sid, settings: command.settings, at } }];
      case 'UpdateService': {
        const { settings } = existing(state, command.sid);
        const changes = Object.fromEntries(
          Object.entries(command.changes).filter(
            ([key, value]) => value !== undefined && settings[key as keyof VerifyServiceSettings] !== value,
          ),
        );
        // an update that changes nothing still answers the Service, as Twilio does, but records nothing
        return Object.keys(changes).length === 0 ? [] : [{ type: 'VerifyServiceUpdated', data: { sid: command.sid, changes, at } }];
      }
      case 'DeleteService':
        existing(state, command.sid);
        return [{ type: 'VerifyServiceDeleted', data: { sid: command.sid, at } }];
      default: {
        const unreachable: never = command;
        throw new Error(`unknown command ${JSON.stringify(unreachable)}`);
      }
    }
  },

  evolve(state, event) {
    const services = new Map(state.services);
    switch (event.type) {
      case 'VerifyServiceCreated': {
        const { tenantId, sid, settings, at } = event.data;
        services.set(sid, { tenantId, sid, settings, createdAt: at, updatedAt: at });
        break;
      }
      case 'VerifyServiceUpdated': {
        const service = services.get(event.data.sid);
        if (service)
          services.set(service.sid, { ...service, settings: { ...service.settings, ...event.data.changes }, updatedAt: event.data.at });
        break;
      }
      case 'VerifyServiceDeleted':
        services.delete(event.data.sid);
        break;
      default: {
        const unreachable: never = event;
        return unreachable;
      }
    }
    return { services };
  },
};
