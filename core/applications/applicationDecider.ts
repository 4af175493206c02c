import { isDeepStrictEqual } from 'node:util';
import { DomainError, type Decider } from '../decider/decider.js';
import { isPublicClient, type ApplicationEvent, type ApplicationSettings } from './applicationEvents.js';

export interface Application extends ApplicationSettings {
  tenantId: string;
  clientId: string;
  /** Keyed hash of the client secret; a public client has none. */
  secretHash?: string;
}

export type ApplicationState = Application | undefined;

export type ApplicationCommand =
  | { type: 'RegisterApplication'; tenantId: string; clientId: string; secretHash?: string; settings: ApplicationSettings }
  /** Bootstrap: make the application look like the config, whatever it looked like before. */
  | { type: 'EnsureApplication'; tenantId: string; clientId: string; secretHash?: string; settings: ApplicationSettings }
  | { type: 'UpdateApplication'; tenantId: string; changes: Partial<ApplicationSettings> }
  | { type: 'RotateClientSecret'; tenantId: string; secretHash: string };

export class ApplicationError extends DomainError {}

/**
 * The answer to a client_id that exists, in this tenant or another: the same words either way, so no tenant
 * learns which ids another one uses, or that it exists.
 */
const clientIdNotAvailable = () => new ApplicationError('client_id_taken', 'client_id is not available', 'conflict');

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
  if (!state || state.tenantId !== tenantId) throw new ApplicationError('not_found', 'application not found', 'not_found');
  return state;
}

/** A public client is an end-user app without a secret; a confidential one has a secret. */
function checkClientKind(settings: Pick<ApplicationSettings, 'role' | 'token_endpoint_auth_method'>, secretHash: string | undefined): void {
  if (isPublicClient(settings)) {
    if (settings.role !== 'app')
      throw new ApplicationError('invalid_request', 'a public client (token_endpoint_auth_method "none") must have role "app"');
    if (secretHash !== undefined)
      throw new ApplicationError('invalid_request', 'a public client (token_endpoint_auth_method "none") has no client secret');
  } else if (secretHash === undefined) {
    throw new ApplicationError('invalid_request', 'a confidential client needs a client secret');
  }
}

export const applicationDecider: Decider<ApplicationState, ApplicationCommand, ApplicationEvent> = {
  initialState: () => undefined,

  decide(command, state) {
    switch (command.type) {
      case 'RegisterApplication': {
        if (state) throw clientIdNotAvailable();
        checkClientKind(command.settings, command.secretHash);
        const { tenantId, clientId, secretHash } = command;
        return [
          {
            type: 'ApplicationRegistered',
            data: { ...command.settings, tenantId, clientId, ...(secretHash !== undefined && { secretHash }) },
          },
        ];
      }
      case 'EnsureApplication': {
        if (!state) return applicationDecider.decide({ ...command, type: 'RegisterApplication' }, state);
        if (state.tenantId !== command.tenantId) throw clientIdNotAvailable();
        checkClientKind(command.settings, command.secretHash);
        const events: ApplicationEvent[] = [];
        const changes = changedSettings(state, command.settings);
        if (Object.keys(changes).length > 0) events.push({ type: 'ApplicationUpdated', data: changes });
        if (command.secretHash !== undefined && state.secretHash !== command.secretHash) {
          events.push({ type: 'ClientSecretRotated', data: { secretHash: command.secretHash } });
        }
        return events;
      }
      case 'UpdateApplication': {
        const current = ownedBy(state, command.tenantId);
        const changes = changedSettings(current, command.changes);
        if ('token_endpoint_auth_method' in changes) {
          throw new ApplicationError('invalid_request', 'token_endpoint_auth_method cannot change: register a new application');
        }
        checkClientKind({ ...current, ...changes }, current.secretHash);
        return Object.keys(changes).length > 0 ? [{ type: 'ApplicationUpdated', data: changes }] : [];
      }
      case 'RotateClientSecret':
        if (isPublicClient(ownedBy(state, command.tenantId)))
          throw new ApplicationError('invalid_request', 'a public client has no client secret to rotate');
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
      case 'ApplicationUpdated': {
        if (!state) return state;
        const next: Application = { ...state, ...event.data, otp: { ...state.otp, ...event.data.otp } };
        // a client the bootstrap config turned public keeps no secret that could still authenticate it
        if (isPublicClient(next)) delete next.secretHash;
        return next;
      }
      case 'ClientSecretRotated':
        return state && { ...state, secretHash: event.data.secretHash };
      default: {
        const unreachable: never = event;
        return unreachable;
      }
    }
  },
};
