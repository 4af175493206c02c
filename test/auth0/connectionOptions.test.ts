import { expect } from 'chai';
import { parseConnectionPatch } from '../../core/auth0/connectionOptions.js';
import { renderPasswordlessSms } from '../../core/auth0/passwordlessTemplate.js';
import { connectionIdFor } from '../../core/auth0/smsConnection.js';

describe('Auth0 sms connection options', () => {
  it('normalises forward_req_info "true"/"false" (Auth0’s own example) to booleans', () => {
    expect(parseConnectionPatch({ options: { forward_req_info: 'true' } }).options!.forward_req_info).to.equal(true);
    expect(parseConnectionPatch({ options: { forward_req_info: 'false' } }).options!.forward_req_info).to.equal(false);
    expect(parseConnectionPatch({ options: { forward_req_info: true } }).options!.forward_req_info).to.equal(true);
  });

  it('refuses unknown options and top-level fields by name', () => {
    expect(() => parseConnectionPatch({ options: { gateway_uri: 'x' } })).to.throw('/options/gateway_uri is not allowed');
    expect(() => parseConnectionPatch({ strategy: 'sms' })).to.throw('/strategy is not allowed');
  });

  it('renders @@password@@ and the SMS macros, copying $ patterns literally', () => {
    expect(
      renderPasswordlessSms('@@password@@ is your {{application.name}} code ({{ code }})', { code: '0042', applicationName: 'Shop $& Co' }),
    ).to.equal('0042 is your Shop $& Co code (0042)');
  });

  it('gives each tenant a stable con_ id of 16 characters', () => {
    expect(connectionIdFor('acme'))
      .to.equal(connectionIdFor('acme'))
      .and.match(/^con_[A-Za-z0-9]{16}$/);
    expect(connectionIdFor('acme')).not.to.equal(connectionIdFor('globex'));
  });
});
