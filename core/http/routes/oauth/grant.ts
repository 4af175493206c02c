import type { Cradle } from '../../../cradle.js';
import type { EventMetadata } from '../../../eventStore/types.js';
import type { Dialect } from '../../../oidc/tokenService.js';
import type { AuthenticatedClient } from './clientAuthentication.js';
import type { AppContext } from '../../types.js';

/** What every grant handler gets: the authenticated client, the raw form (empty values dropped), the path's dialect. */
export interface GrantRequest {
  ctx: AppContext;
  cradle: Cradle;
  client: AuthenticatedClient;
  body: unknown;
  dialect: Dialect;
  metadata: Partial<EventMetadata>;
}

/** One grant of the token endpoint (oidc-provider's `lib/actions/grants/<grant>.js`): the token response's body. */
export type GrantHandler = (request: GrantRequest) => Promise<object>;
