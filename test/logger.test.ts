import { expect } from 'chai';
import { createLogger } from '../core/logger.js';

describe('createLogger', () => {
  it('censors credentials and codes wherever a request or payload carries them', () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({ log: { level: 'info' } }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    logger.info(
      {
        req: { headers: { authorization: 'Bearer abc', 'user-agent': 'curl' } },
        body: { client_secret: 's3cret', passcode: '123456', otp: '654321', api_key: 'k', password: 'p', phone: '+15550100' },
        client_secret: 'top-level',
      },
      'incoming',
    );
    const line = JSON.stringify(lines[0]);
    for (const secret of ['Bearer abc', 's3cret', '123456', '654321', '"k"', '"p"', 'top-level']) expect(line).not.to.include(secret);
    expect(line).to.include('curl').and.to.include('+15550100').and.to.include('[redacted]');
  });
});
