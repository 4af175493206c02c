import { DomainError, type Decider } from '../decider/decider.js';
import type { UserEvent } from './userEvents.js';

export interface User {
  userId: string;
  tenantId: string;
  phoneNumber?: string;
  phoneNumberVerified: boolean;
  email?: string;
  username?: string;
  apps: string[];
}

export type UserState = User | undefined;

export type UserCommand =
  | { type: 'CreateUser'; userId: string; tenantId: string; clientId: string; phoneNumber?: string; email?: string; username?: string }
  | { type: 'AddUserToApp'; clientId: string }
  | { type: 'VerifyPhone'; phoneNumber: string; via: 'login' | 'verification' };

export class UserError extends DomainError {}

const existing = (state: UserState): User => {
  if (!state) throw new UserError('user_not_found', 'user not found');
  return state;
};

export const userDecider: Decider<UserState, UserCommand, UserEvent> = {
  initialState: () => undefined,

  decide(command, state) {
    switch (command.type) {
      case 'CreateUser': {
        if (state) throw new UserError('user_exists', 'user already exists');
        const { type: _type, ...data } = command;
        return [{ type: 'UserCreated', data }];
      }
      case 'AddUserToApp':
        return existing(state).apps.includes(command.clientId) ? [] : [{ type: 'UserAddedToApp', data: { clientId: command.clientId } }];
      case 'VerifyPhone': {
        const user = existing(state);
        if (user.phoneNumber === command.phoneNumber && user.phoneNumberVerified) return [];
        return [{ type: 'PhoneVerified', data: { phoneNumber: command.phoneNumber, via: command.via } }];
      }
      default: {
        const unreachable: never = command;
        throw new Error(`unknown command ${JSON.stringify(unreachable)}`);
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'UserCreated': {
        const { clientId, ...profile } = event.data;
        return { ...profile, phoneNumberVerified: false, apps: [clientId] };
      }
      case 'UserAddedToApp':
        return state && { ...state, apps: [...state.apps, event.data.clientId] };
      case 'PhoneVerified':
        return state && { ...state, phoneNumber: event.data.phoneNumber, phoneNumberVerified: true };
      default: {
        const unreachable: never = event;
        return unreachable;
      }
    }
  },
};
