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
  /** Set by `UserErased`: the personal fields are gone, only the pseudonymous id and apps remain. */
  erasedAt?: string;
}

export type UserState = User | undefined;

export type UserCommand =
  | {
      type: 'CreateUser';
      userId: string;
      tenantId: string;
      clientId: string;
      phoneNumber?: string;
      phoneHash?: string;
      email?: string;
      username?: string;
    }
  | { type: 'AddUserToApp'; clientId: string }
  | { type: 'VerifyPhone'; phoneNumber: string; phoneHash?: string; via: 'login' | 'verification' }
  | { type: 'EraseUser'; at: string; actor: string };

export class UserError extends DomainError {}

/** A user that exists and is not erased: an erased user takes no more commands. */
const existing = (state: UserState): User => {
  if (!state || state.erasedAt !== undefined) throw new UserError('user_not_found', 'user not found', 'not_found');
  return state;
};

export const userDecider: Decider<UserState, UserCommand, UserEvent> = {
  initialState: () => undefined,

  decide(command, state) {
    switch (command.type) {
      case 'CreateUser': {
        if (state) throw new UserError('user_exists', 'user already exists', 'conflict');
        const { type: _type, ...data } = command;
        return [{ type: 'UserCreated', data }];
      }
      case 'AddUserToApp':
        return existing(state).apps.includes(command.clientId) ? [] : [{ type: 'UserAddedToApp', data: { clientId: command.clientId } }];
      case 'VerifyPhone': {
        const user = existing(state);
        if (user.phoneNumber === command.phoneNumber && user.phoneNumberVerified) return [];
        const { phoneNumber, phoneHash, via } = command;
        return [{ type: 'PhoneVerified', data: { phoneNumber, ...(phoneHash && { phoneHash }), via } }];
      }
      case 'EraseUser': {
        if (!state) throw new UserError('user_not_found', 'user not found', 'not_found');
        // a second erasure changes nothing: it answers like the first
        return state.erasedAt !== undefined
          ? []
          : [{ type: 'UserErased', data: { userId: state.userId, at: command.at, actor: command.actor } }];
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
        const { clientId, phoneHash: _phoneHash, ...profile } = event.data;
        return { ...profile, phoneNumberVerified: false, apps: [clientId] };
      }
      case 'UserAddedToApp':
        return state && { ...state, apps: [...state.apps, event.data.clientId] };
      case 'PhoneVerified':
        return state && { ...state, phoneNumber: event.data.phoneNumber, phoneNumberVerified: true };
      case 'UserErased':
        return (
          state && { userId: state.userId, tenantId: state.tenantId, phoneNumberVerified: false, apps: state.apps, erasedAt: event.data.at }
        );
      default: {
        const unreachable: never = event;
        return unreachable;
      }
    }
  },
};
