import { isDeepStrictEqual } from 'node:util';
import { DomainError, type Decider } from '../decider/decider.js';
import type { ApplicationEvent, ApplicationSettings } from './applicationEvents.js';

export interface Application extends ApplicationSettings {
  tenantId: string;
  clientId: string;
  secretHash: string;
}

export type ApplicationState = Application | undefined;

export type ApplicationCommand =
  | { type: 'RegisterApplication'; tenantId: string; clientId: string; secretHash: string; settings: ApplicationSettings }
  /** Bootstrap: make the application look like the config, whatever it looked like before. */
  | { type: 'EnsureApplication'; tenantId: string; clientId: string; secretHash: string; settings: ApplicationSettings }
  | { type: 'UpdateApplication'; tenantId: string; changes: Partial<ApplicationSettings> }
  | { type: 'RotateClientSecret'; tenantId: string; secretHash: string };

export class ApplicationError extends DomainError {}

function changedSettings(current: ApplicationSettings, wanted: Partial<ApplicationSettings>): Partial<ApplicationSettings> {
  const changes: Partial<ApplicationSettings> = {};
  for (const key of Object.keys(wanted) as (keyof ApplicationSettings)[]) {
    if (wanted[key] !== undefined && !isDeepStrictEqual(current[key], wanted[key])) {
      (changes as Record<string, unknown>)[key] = wanted[key];
    }
  }
  return changes;
}

function ownedBy(state: ApplicationState, tenantId: string): Application {
  // another tenant's application looks exactly like a missing one
  if (!state || state.tenantId !== tenantId) throw new ApplicationError('not_found', 'application not found');
  return state;
}

export const applicationDecider: Decider<ApplicationState, ApplicationCommand, ApplicationEvent> = {
  initialState: () => undefined,

  decide(command, state) {
    switch (command.type) {
      case 'RegisterApplication':
        if (state) throw new ApplicationError('client_id_taken', `client_id ${command.clientId} is already registered`);
        return [{ type: 'ApplicationRegistered', data: { ...command.settings, tenantId: command.tenantId, clientId: command.clientId, secretHash: command.secretHash } }];
      case 'EnsureApplication': {
        if (!state) return applicationDecider.decide({ ...command, type: 'RegisterApplication' }, state);
        if (state.tenantId !== command.tenantId) {
          throw new ApplicationError('client_id_taken', `client_id ${command.clientId} belongs to another tenant`);
        }
        const events: ApplicationEvent[] = [];
        const changes = changedSettings(state, command.settings);
        if (Object.keys(changes).length > 0) events.push({ type: 'ApplicationUpdated', data: changes });
        if (state.secretHash !== command.secretHash) events.push({ type: 'ClientSecretRotated', data: { secretHash: command.secretHash } });
        return events;
      }
      case 'UpdateApplication': {
        const changes = changedSettings(ownedBy(state, command.tenantId), command.changes);
        return Object.keys(changes).length > 0 ? [{ type: 'ApplicationUpdated', data: changes }] : [];
      }
      case 'RotateClientSecret':
        ownedBy(state, command.tenantId);
        return [{ type: 'ClientSecretRotated', data: { secretHash: command.secretHash } }];
      default: {
        const unreachable: never = command;
        throw new Error(`unknown command ${JSON.stringify(unreachable)}`);
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'ApplicationRegistered':
        return { ...event.data };
      case 'ApplicationUpdated':
        return state && { ...state, ...event.data, otp: { ...state.otp, ...event.data.otp } };
      case 'ClientSecretRotated':
        return state && { ...state, secretHash: event.data.secretHash };
      default: {
        const unreachable: never = event;
        return unreachable;
      }
    }
  },
};
